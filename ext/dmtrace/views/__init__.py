"""Views: tables, cards, charts and milestone pages rendered from an evaluation (HTML strings or docutils nodes)."""
