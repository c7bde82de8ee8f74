"""wikiHow articles: pages (HTML), formats (CSV, plain text), article, titles, rules, extract (the work units)."""
