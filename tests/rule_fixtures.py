"""One small site per rule, passing and failing, with the exact violation lines each must produce."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RuleFixture:
    name: str
    pages: dict[str, str]
    expected: list[str] = field(default_factory=list)


P1A_TRACED = """\
# Archive

```{req} Science Data Archive
:id: DMS-REQ-0003
:priority: 1a
```

```{test} Verify the archive
:id: LVV-T2297
:verifies: DMS-REQ-0003
:method: inspection
```
"""

FIXTURES: list[RuleFixture] = [
    RuleFixture("passing", {"needs/archive.md": P1A_TRACED}),
    RuleFixture(
        "untraced-p1a",
        {
            "needs/archive.md": P1A_TRACED,
            "needs/new/extra.md": """\
        # Extra

        Some text first.

        ```{req} Selection of Datasets
        :id: DMS-REQ-0293
        :priority: 1a
        ```
        """,
        },
        [
            "needs/new/extra.md:5: error: DMS-REQ-0293: DMS-REQ-0293 (priority 1a) has no verifying test "
            "and no P1a children [trace.untraced]"
        ],
    ),
    RuleFixture(
        "traced-by-children",
        {
            "needs/split.md": """\
        # Split

        ```{req} Image Archive
        :id: DMS-REQ-0066
        :priority: 1a
        ```

        ```{subreq} Record information to support re-creation
        :id: DMS-REQ-0066-V-01
        :priority: 1a
        :refines: DMS-REQ-0066
        ```

        ```{subreq} Provide services for re-creation
        :id: DMS-REQ-0066-V-02
        :priority: 2
        :refines: DMS-REQ-0066
        ```

        ```{test} Verify Image Archive
        :id: LVV-T2303
        :verifies: DMS-REQ-0066-V-01
        ```
        """
        },
    ),
    RuleFixture(
        "children-lower-priority",
        {
            "needs/split.md": """\
        # Split

        ```{req} Image Archive
        :id: DMS-REQ-0066
        :priority: 1a
        ```

        ```{subreq} Provide services for re-creation
        :id: DMS-REQ-0066-V-02
        :priority: 2
        :refines: DMS-REQ-0066
        ```

        ```{test} Verify services
        :id: LVV-T9
        :verifies: DMS-REQ-0066-V-02
        ```
        """
        },
        [
            "needs/split.md:3: error: DMS-REQ-0066: DMS-REQ-0066 (priority 1a) has no verifying test and its "
            "active children are all lower priority [trace.untraced]"
        ],
    ),
    RuleFixture(
        "p1a-child-untraced",
        {
            "needs/tree.md": """\
        # Tree

        ```{req} Science Data Archive
        :id: DMS-REQ-0003
        :priority: 1a
        ```

        ```{req} Ancillary Data Archiving
        :id: DMS-REQ-0398
        :priority: 1a
        :refines: DMS-REQ-0003
        ```
        """
        },
        [
            "needs/tree.md:3: error: DMS-REQ-0003: DMS-REQ-0003 (priority 1a) has no verifying test and not all its "
            "P1a children are traced (DMS-REQ-0398) [trace.untraced]",
            "needs/tree.md:8: error: DMS-REQ-0398: DMS-REQ-0398 (priority 1a) has no verifying test and no P1a "
            "children [trace.untraced]",
        ],
    ),
    RuleFixture(
        "descoped-exempt",
        {
            "needs/old.md": """\
        # Old

        ```{req} DMS Communication with OCS
        :id: DMS-REQ-0315
        :priority: 1a
        :status: descoped
        ```
        """
        },
    ),
    RuleFixture(
        "dangling-link",
        {
            "needs/archive.md": P1A_TRACED,
            "needs/t.md": """\
        # Tests

        ```{test} Verify something gone
        :id: LVV-T1
        :verifies: DMS-REQ-0003, DMS-REQ-9999
        ```
        """,
        },
        ["needs/t.md:3: error: LVV-T1: 'verifies' points to DMS-REQ-9999, which does not exist [trace.dangling-link]"],
    ),
    RuleFixture(
        "link-wrong-type",
        {
            "needs/archive.md": P1A_TRACED,
            "needs/m.md": """\
        # Milestones

        ```{milestone} All P1a DM requirements verified
        :id: LDM-503-19a
        :due: 2025-02-12
        :after: DMS-REQ-0003
        ```
        """,
        },
        [
            "needs/m.md:3: error: LDM-503-19a: 'after' points to DMS-REQ-0003, a req; it must point to a "
            "milestone [trace.link-type]"
        ],
    ),
    RuleFixture(
        "subreq-parent-count",
        {
            "needs/s.md": """\
        # Orphan aspect

        ```{subreq} An aspect of nothing
        :id: DMS-REQ-0066-V-03
        :priority: 2
        ```
        """
        },
        [
            "needs/s.md:3: error: DMS-REQ-0066-V-03: a subreq must 'refines' exactly one parent, it has 0 "
            "[trace.parent-count]"
        ],
    ),
    RuleFixture(
        "refines-cycle",
        {
            "needs/c.md": """\
        # Cycle

        ```{req} First
        :id: DMS-REQ-0001
        :priority: 2
        :refines: DMS-REQ-0002
        ```

        ```{req} Second
        :id: DMS-REQ-0002
        :priority: 2
        :refines: DMS-REQ-0001
        ```
        """
        },
        [
            "needs/c.md:3: error: DMS-REQ-0001: 'refines' links form a cycle: DMS-REQ-0001 -> DMS-REQ-0002 -> "
            "DMS-REQ-0001 [trace.cycle]"
        ],
    ),
    RuleFixture(
        "after-cycle",
        {
            "needs/m.md": """\
        # Milestones

        ```{milestone} A
        :id: LDM-503-01
        :due: 2025-01
        :after: LDM-503-02
        ```

        ```{milestone} B
        :id: LDM-503-02
        :due: 2025-02-01
        :after: LDM-503-01
        ```
        """
        },
        [
            "needs/m.md:3: error: LDM-503-01: 'after' links form a cycle: LDM-503-01 -> LDM-503-02 -> "
            "LDM-503-01 [trace.cycle]"
        ],
    ),
    RuleFixture(
        "duplicate-id",
        {
            "needs/archive.md": P1A_TRACED,
            "needs/zz.md": """\
        # Again

        ```{req} Science Data Archive again
        :id: DMS-REQ-0003
        :priority: 2
        ```
        """,
        },
        [
            "needs/zz.md:3: error: DMS-REQ-0003: DMS-REQ-0003 is defined twice: first at needs/archive.md:3 "
            "[trace.duplicate-id]"
        ],
    ),
    RuleFixture(
        "id-pattern",
        {
            "needs/p.md": """\
        # Bad id

        ```{req} Lowercase id
        :id: dms-req-12
        :priority: 2
        ```
        """
        },
        [
            "needs/p.md:3: error: dms-req-12: id does not match the req pattern ^DMS-REQ-\\d{4}$ "
            "(e.g. DMS-REQ-0293) [trace.id-pattern]"
        ],
    ),
    RuleFixture(
        "field-values",
        {
            "needs/f.md": """\
        # Bad fields

        ```{req} Unknown priority
        :id: DMS-REQ-0010
        :priority: 1c
        ```

        ```{req} No priority
        :id: DMS-REQ-0011
        ```

        ```{req} Odd status
        :id: DMS-REQ-0012
        :priority: 2
        :status: deferred
        ```

        ```{test} Odd method
        :id: LVV-T5
        :method: guesswork
        ```

        ```{milestone} Bad dates
        :id: LDM-503-99
        :due: 2025-13-01
        :completed: 2025-02
        :forecast: 2024-01=2025-01-31 2024-06=2025-06
        ```
        """
        },
        [
            "needs/f.md:3: error: DMS-REQ-0010: priority '1c' is not one of 1a, 1b, 2, 3 [trace.field-value]",
            "needs/f.md:8: error: DMS-REQ-0011: req has no priority (one of 1a, 1b, 2, 3) [trace.field-value]",
            "needs/f.md:12: error: DMS-REQ-0012: status 'deferred' is not one of active, descoped [trace.field-value]",
            "needs/f.md:18: error: LVV-T5: method 'guesswork' is not one of test, analysis, inspection, "
            "demonstration [trace.field-value]",
            "needs/f.md:23: error: LDM-503-99: completed '2025-02' is not a valid date (YYYY-MM-DD) "
            "[trace.field-value]",
            "needs/f.md:23: error: LDM-503-99: due '2025-13-01' is not a valid date (YYYY-MM-DD or YYYY-MM) "
            "[trace.field-value]",
            "needs/f.md:23: error: LDM-503-99: forecast entry '2024-06=2025-06' is not YYYY-MM=YYYY-MM-DD (the month "
            "the forecast was made = the date it forecast), optionally followed by ! (completed) and @CODE (listed "
            "under that code) [trace.field-value]",
        ],
    ),
]


def fixture(name: str) -> RuleFixture:
    return next(f for f in FIXTURES if f.name == name)
