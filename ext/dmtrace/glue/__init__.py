"""Sphinx glue: events, directives, the trace domain, per-build state, incremental freshness, needs.json."""
