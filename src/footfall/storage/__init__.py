"""Storage: SQLAlchemy Core tables, the SQLite/PostgreSQL differences, migrations."""
