"""Sphinx configuration of the traceability site; the trace_* settings are read by `make check` too."""

from dmtrace.core.model import sphinx_needs_config

project = "DM requirement traceability"
author = "Rubin DM Science Team"
copyright = "2026, Vera C. Rubin Observatory Data Management"
root_doc = "docs/index"

extensions = ["myst_parser", "sphinx_needs", "sphinxcontrib.bibtex", "dmtrace"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = [
    "_build",
    ".venv",
    ".git",
    ".github",
    ".ci",
    ".pytest_cache",
    "README.md",
    "tests",
    "scripts",
    "ext",
    "results",
    # Milestone pages are written straight to HTML; earlier builds generated source stubs here.
    "docs/traceability/_milestones",
]

globals().update(sphinx_needs_config())

# Results that decide each test case's last outcome: always read / read when the file exists (make test writes it).
trace_results = ["results/campaign_results.csv"]
trace_results_if_present = ["_build/results/pytest.xml"]
trace_strict = False
# The project's own requirements and test cases (needs/trace/) sit beside the observatory's ids.
trace_id_patterns = {
    "req": [r"^DMS-REQ-\d{4}$", r"^TRACE-REQ-\d{3}$"],
    "test": [r"^LVV-T\d+$", r"^TRACE-T-\d{3}$"],
}

# The observatory's views (matrix, coverage, milestones, dashboard) show the DM catalogue; this tool's own
# TRACE-* requirements have their page (docs/traceability/self.md), which sets its own :scope:.
trace_view_scope = r"^(DMS-REQ|LVV-T)"
# The VCD export the VCD layout (docs/traceability/vcd.md) reproduces row by row: a record, copied by the importer.
trace_vcd = "results/vcd/LDM-692_2025-12-18.csv"

bibtex_bibfiles = ["docs/references.bib"]
bibtex_default_style = "unsrt"

html_theme = "pydata_sphinx_theme"
html_title = "DM requirement traceability"
html_static_path = ["docs/_static"]
html_favicon = "docs/_static/favicon.svg"
# The theme follows the reader's system preference (light or dark) until the reader picks one with the switcher.
# trace_nav_labels: shorter header labels (docs/_templates/navbar-nav.html) so the navigation fits one row at 1024 px.
html_context = {
    "default_mode": "auto",
    "trace_nav_labels": {
        "Traceability matrix": "Matrix",
        "Verification control document layout": "VCD layout",
        "Reverse matrix: test cases": "Reverse matrix",
        "Coverage summary": "Coverage",
    },
}
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    # The search is an icon in the header on every width (Ctrl+K still opens it): the row's width goes to the links.
    "navbar_persistent": ["search-button"],
    "navbar_end": ["theme-switcher"],
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_additional_pages = {"index": "redirect.html"}
# A milestone page has no section navigation: listing every milestone beside each of them made every milestone
# page as long as the index and the build quadratic in milestones (breadcrumbs and previous / next lead back).
html_sidebars = {"docs/traceability/_milestones/*": []}
templates_path = ["docs/_templates"]
html_last_updated_fmt = "%Y-%m-%d"
html_css_files = ["trace.css"]
html_js_files = ["trace.js"]

# Suspect verification counts normative changes from this revision on: set after the requirements' texts were
# imported (docs/authoring.md, "Change a verified requirement"). Move it only in a pull request of its own.
trace_suspect_since = "d3d5e77dfc4029bd78984b84a94224a617ccaab0"
