"""The one ingest core every channel calls: parse, deduplicate, group-commit, acknowledge."""
