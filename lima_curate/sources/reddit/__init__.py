"""Reddit: pushshift and threads (readers), items, files, harvest, stories, dataset, askreddit, writingprompts,
rules, extract (the work units)."""
