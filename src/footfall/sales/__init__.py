"""Sales data import: mapping profiles, the CSV reader, hourly sums, storage and schedules.

The pure core (profile, fields, columns, rows, header, reader, hours) turns a file into
hourly totals per site and a list of row errors; `importer` stores them (all or nothing,
or the valid rows when the user asks) and records the import in the history.
"""
