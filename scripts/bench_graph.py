"""Times the graph rules on long refinement chains and cycles (1,000 to 100,000 needs): the cost grows linearly.

`python scripts/bench_graph.py [--sizes 1000,10000,100000]` prints one Markdown row per size and shape with the
seconds `evaluate` and the cycle rule alone take, and their ratio to the smallest size.
"""

from __future__ import annotations

import argparse
import time

from dmtrace.core import rules
from dmtrace.core.evaluation import evaluate
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import Need
from dmtrace.core.results import ResultSet
from dmtrace.core.rules import CheckInput


def corpus(size: int, cycle: bool) -> dict[str, Need]:
    """`size` subrequirements, each refining the previous one (the first refines the last when `cycle`)."""
    needs = {}
    for index in range(size):
        target = f"R-{index - 1:06d}" if index else (f"R-{size - 1:06d}" if cycle else "")
        needs[f"R-{index:06d}"] = Need(
            id=f"R-{index:06d}",
            type="req",
            title="",
            file="n.md",
            line=index + 1,
            fields={"priority": "2"},
            links={"refines": [target]} if target else {},
        )
    return needs


def timed(function: object, *args: object) -> float:
    started = time.perf_counter()
    function(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print("| shape | needs | evaluate s | cycle rule s | cycle rule / smallest, per need |")
    print("| --- | --- | --- | --- | --- |")
    for cycle in (False, True):
        first = 0.0
        for size in sizes:
            needs = corpus(size, cycle)
            whole = timed(evaluate, needs, [], ResultSet())
            data = CheckInput(NeedGraph.build(needs), [], ResultSet())
            rule = timed(list, rules.check_cycles(data))
            first = first or rule / size
            print(
                f"| {'cycle' if cycle else 'chain'} | {size:,} | {whole:.2f} | {rule:.3f} | {rule / size / first:.2f} |"
            )


if __name__ == "__main__":
    main()
