"""Sales import time next to the plain CSV parse of the same file, measured in the same run.

    python bench/sales_import.py [--rows 1000000] [--stores 100]

The file is in the seeds' format (`StoreCode,DateTime,TotalTransactionQty,
TotalTransactionValue`, `DD-MM-YYYY hh:mm`): every store, every 15 minutes from 09:00 to
21:00, day after day until the rows are reached. Ceiling: the csv module reading every row of
the same file. Import: the full `footfall sales import` path (parse, check every field,
sum per site-hour, convert local hours to UTC, store and record the import) on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from footfall.estate.companies import create_company
from footfall.estate.sites import create_site
from footfall.sales.importer import ImportRequest, import_sales
from footfall.storage.engine import make_engine, write_tx
from footfall.storage.migrate import upgrade

HEADER = "StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue"
ZONES = ("Europe/London", "Europe/Paris", "America/New_York", "Asia/Kuala_Lumpur")


def write_file(path: Path, rows: int, stores: int, seed: int = 7) -> None:
    """A sales file of `rows` rows in the seeds' format."""
    rng = random.Random(seed)
    codes = [f"ST{i:04d}" for i in range(stores)]
    times = [f"{h:02d}:{m:02d}" for h in range(9, 21) for m in (0, 15, 30, 45)]
    written, day = 0, date(2024, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        while written < rows:
            stamp = day.strftime("%d-%m-%Y")
            lines = []
            for code in codes:
                for clock in times[: rows - written - len(lines)]:
                    lines.append(f"{code},{stamp} {clock},{rng.randint(0, 30)},"
                                 f"{rng.randint(0, 400_000) / 100:.2f}\r\n")
            out.write("".join(lines))
            written += len(lines)
            day += timedelta(days=1)


def plain_parse(path: Path) -> float:
    """Seconds for the csv module to read every row of the file."""
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as stream:
        for _row in csv.reader(stream):
            pass
    return time.perf_counter() - started


def full_import(path: Path, stores: int, workdir: Path) -> tuple[float, str]:
    """Seconds for the whole import into a fresh SQLite hub, and the import's summary."""
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(engine)
    with write_tx(engine) as conn:
        company_id = create_company(conn, "bench")["id"]
        for i in range(stores):
            create_site(conn, company_id, f"ST{i:04d}", f"Store {i}", ZONES[i % len(ZONES)])
    started = time.perf_counter()
    with path.open("rb") as stream:
        outcome = import_sales(engine, ImportRequest(company_id, path.name, "cli"), stream)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, outcome.message


def main() -> None:
    """Generate the file, time both, print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "sales.csv"
        print(f"building workload: {args.rows:,} sales rows for {args.stores} stores …")
        write_file(path, args.rows, args.stores)
        size = path.stat().st_size
        gc.collect()
        print("\n[sqlite]")
        # The ceiling is taken before and after the import and averaged: on a shared machine
        # the load drifts during a long run.
        before = plain_parse(path)
        import_s, message = full_import(path, args.stores, workdir)
        ceiling_s = (before + plain_parse(path)) / 2
        print(f"  import   {args.rows:>9,} rows    {import_s:7.2f} s  {args.rows / import_s:>9,.0f} rows/s  "
              f"({size / 1e6:.0f} MB; {message})")
        rate = args.rows / ceiling_s
        print(f"  ceiling  {args.rows:>9,} rows    {ceiling_s:7.2f} s  {rate:>9,.0f} rows/s  "
              "(csv module reading the same file)")
        print(f"  ratio    {import_s / ceiling_s:.2f}× the plain parse (target ≤ 3×)")


if __name__ == "__main__":
    main()
