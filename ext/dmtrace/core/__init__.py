"""The Sphinx-free core: model, reader, graph, rules, status, results, evaluation, report, settings, history, diff."""
