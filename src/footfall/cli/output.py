"""Where the CLI writes: results on stdout, progress and errors on stderr, one-line failures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.exc import ArgumentError, OperationalError

from footfall.domain.fields import FieldError
from footfall.estate.errors import EstateError
from footfall.query.counts import QueryError
from footfall.query.scope import ScopeNotFound
from footfall.settings import SettingsError

# Tables written to a file or pipe are not squeezed to rich's 80-column default.
PIPE_WIDTH = 160


def stdout() -> Console:
    """A console for results (built per call so it sees the current stream and width)."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def stderr() -> Console:
    """A console for progress, notes and errors, kept apart from results."""
    return Console(stderr=True, highlight=False)


def fail(message: str) -> NoReturn:
    """Print one clear line on stderr and exit with status 1 (no traceback)."""
    stderr().print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix (settings, names, zones, dates, database URL) into `fail`."""
    try:
        yield
    except SettingsError as error:
        fail(f"bad setting: {error}")
    except EstateError as error:
        fail(error.message)
    except (QueryError, ScopeNotFound, FieldError) as error:
        fail(str(error))
    except (OperationalError, ArgumentError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        fail(f"cannot use the database: {reason}")


def progress_bar() -> Progress:
    """A progress bar on stderr: description, bar, done/total, elapsed and remaining time."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=stderr())


def moment(value: datetime | None) -> str:
    """A stored instant as `YYYY-MM-DD HH:MM UTC`, or a dash when there is none."""
    if value is None:
        return "-"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
