"""`footfall ingest FILE`: store a file of device events, one message per line, in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import typer

from footfall.cli.hub import company_id, database
from footfall.cli.output import progress_bar, stderr, stdout, user_errors
from footfall.domain.events import parse_message_text
from footfall.domain.fields import FieldError
from footfall.ingest.core import IngestCore
from footfall.storage.engine import read_tx

CHUNK_LINES = 5_000
SHOWN_ERRORS = 20
EXIT_SOME_REJECTED = 3


@dataclass(slots=True)
class Chunk:
    """Decoded messages and their line numbers, plus the lines that could not be decoded."""

    messages: list[Any] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    size_bytes: int = 0


@dataclass(slots=True)
class Tally:
    """Running totals over the whole file."""

    accepted: int = 0
    duplicates: int = 0
    unassigned: int = 0
    checks: int = 0
    rejected: int = 0
    # Only the first few rejected lines are kept, so a file of garbage cannot fill memory.
    errors: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, errors: list[tuple[int, str]]) -> None:
        """Count rejected lines (one chunk's, in line order) and keep the first few."""
        self.rejected += len(errors)
        self.errors.extend(sorted(errors)[: max(0, SHOWN_ERRORS - len(self.errors))])


def read_chunks(stream: BinaryIO, lines_per_chunk: int | None = None) -> Iterator[Chunk]:
    """Decode a file line by line into chunks; blank lines are skipped, bad ones noted."""
    limit = lines_per_chunk or CHUNK_LINES
    chunk = Chunk()
    for number, raw in enumerate(stream, start=1):
        chunk.size_bytes += len(raw)
        try:
            text = raw.decode("utf-8").strip()
            if text:
                chunk.messages.append(parse_message_text(text))
                chunk.line_numbers.append(number)
        except UnicodeDecodeError:
            chunk.errors.append((number, "not UTF-8 text"))
        except FieldError as error:
            chunk.errors.append((number, str(error)))
        if len(chunk.messages) + len(chunk.errors) >= limit:
            yield chunk
            chunk = Chunk()
    if chunk.size_bytes:
        yield chunk


def ingest_stream(core: IngestCore, company: int, stream: BinaryIO, total_bytes: int) -> Tally:
    """Send each chunk to the ingest core (committed before the next is read), with progress."""
    tally = Tally()
    with progress_bar() as bar:
        task = bar.add_task("Ingesting", total=total_bytes)
        for chunk in read_chunks(stream):
            rejected = list(chunk.errors)
            if chunk.messages:
                result = core.ingest(company, events=chunk.messages)
                tally.accepted += result.accepted
                tally.duplicates += result.duplicates
                tally.unassigned += result.unassigned
                tally.checks += result.checks
                rejected.extend((chunk.line_numbers[e.index], e.error) for e in result.errors)
            tally.reject(rejected)
            bar.advance(task, chunk.size_bytes)
    return tally


def ingest_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="one event per line: JSON, or the seeds' quoted form"),
    company: str = typer.Option(..., "--company", help="the company the counters belong to"),
) -> None:
    """Store a file of events; exit 0 when all lines were stored, 3 when some were rejected."""
    with user_errors(), database() as engine:
        with read_tx(engine) as conn:
            owner = company_id(conn, company)
        core = IngestCore(engine)
        try:
            with file.open("rb") as stream:
                tally = ingest_stream(core, owner, stream, file.stat().st_size)
        finally:
            core.close()
    _report(tally)
    if tally.rejected:
        raise typer.Exit(EXIT_SOME_REJECTED)


def _report(tally: Tally) -> None:
    out = stdout()
    out.print(f"accepted {tally.accepted}, duplicates {tally.duplicates}, "
              f"unassigned {tally.unassigned}, connection checks {tally.checks}, "
              f"errors {tally.rejected}")
    if tally.unassigned:
        out.print("Events of counters not assigned to a site are kept; assign them with "
                  "`footfall counter add --serial S --site CODE`.")
    for number, error in tally.errors:
        stderr().print(f"line {number}: {error}", markup=False, soft_wrap=True)
    if tally.rejected > len(tally.errors):
        stderr().print(f"… and {tally.rejected - len(tally.errors)} more rejected lines")
