"""Channels in: one folder per connector, each with its spec, config, I/O shell and pure parser."""
