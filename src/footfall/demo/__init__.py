"""The demo: a simulated fleet registered as an estate, its history, and its live push."""
