"""The pure core: records, time grid, precedence, status and checks. No I/O here."""
