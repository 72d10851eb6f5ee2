"""The sample estate behind `footfall demo`: a seeded, deterministic retail chain."""
