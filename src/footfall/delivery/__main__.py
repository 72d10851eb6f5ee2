"""`python -m footfall.delivery`: one scheduler pass over the configured database.

Claims and runs every due occurrence, prints one JSON line per run this process made, and
exits 0 (2 when a run failed). Meant for cron and for several hubs sharing one database:
each occurrence is run by exactly one of them.
"""

from __future__ import annotations

import asyncio
import json
import sys

import footfall.settings
from footfall.delivery.runner import Hub
from footfall.delivery.service import run_due
from footfall.storage.engine import make_engine


def main() -> int:
    """Run the due deliveries once; the exit status."""
    settings = footfall.settings.load()
    engine = make_engine(settings.url)
    try:
        made = asyncio.run(run_due(Hub.from_settings(settings, engine)))
    finally:
        engine.dispose()
    for row in made:
        print(json.dumps({k: row[k] for k in ("delivery_id", "occurrence_key", "status", "rows",
                                                "bytes", "file_name", "error")}), flush=True)
    return 2 if any(row["status"] != "delivered" for row in made) else 0


if __name__ == "__main__":
    sys.exit(main())
