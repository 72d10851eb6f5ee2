"""Date and time patterns of exports, in the seeds' notation (`yyyyMMdd`, `dd/MM/yyyy`, `hh:mm tt`).

A pattern is a table of tokens; letters outside the table are refused so that a typo never
silently prints the wrong field. The same pattern renders text cells and, translated, the
number format of real Excel date and time cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

DEFAULT_DATE = "yyyy-MM-dd"
DEFAULT_TIME = "HH:mmzzz"  # ISO 8601 with the local offset: the repeated fall-back hour stays distinct
DATE_EXAMPLES = ("yyyy-MM-dd", "yyyyMMdd", "dd/MM/yyyy", "MM/dd/yyyy", "dd-MM-yyyy", "dd.MM.yyyy")
TIME_EXAMPLES = ("HH:mmzzz", "HH:mm", "HH:mm:ss", "hh:mm tt", "HHmmss")
# Excel shows these without quoting; any other literal is escaped with a backslash.
_EXCEL_PLAIN = set(" -/:.,()")


@dataclass(frozen=True, slots=True)
class Token:
    """One pattern letter group: how it renders and its Excel number-format twin."""

    text: str
    render: Callable[[datetime], str]
    excel: str


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")  # +0100; naive datetimes (none expected) render empty
    return f"{text[:3]}:{text[3:]}" if text else ""


DATE_TOKENS: tuple[Token, ...] = (
    Token("yyyy", lambda d: f"{d.year:04d}", "yyyy"),
    Token("yy", lambda d: f"{d.year % 100:02d}", "yy"),
    Token("MMM", lambda d: d.strftime("%b"), "mmm"),
    Token("MM", lambda d: f"{d.month:02d}", "mm"),
    Token("M", lambda d: str(d.month), "m"),
    Token("dd", lambda d: f"{d.day:02d}", "dd"),
    Token("d", lambda d: str(d.day), "d"),
)
TIME_TOKENS: tuple[Token, ...] = (
    Token("HH", lambda t: f"{t.hour:02d}", "hh"),
    Token("H", lambda t: str(t.hour), "h"),
    Token("hh", lambda t: f"{(t.hour % 12) or 12:02d}", "hh"),
    Token("h", lambda t: str((t.hour % 12) or 12), "h"),
    Token("mm", lambda t: f"{t.minute:02d}", "mm"),
    Token("ss", lambda t: f"{t.second:02d}", "ss"),
    Token("tt", lambda t: "AM" if t.hour < 12 else "PM", "AM/PM"),
    Token("zzz", _offset, ""),  # Excel cells hold no offset
)


class PatternError(ValueError):
    """A date or time pattern uses letters that are not tokens."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A parsed pattern: literal strings and tokens in order."""

    source: str
    parts: tuple[str | Token, ...]

    def render(self, moment: datetime) -> str:
        """The moment as text in this pattern."""
        return "".join(p if isinstance(p, str) else p.render(moment) for p in self.parts)

    @property
    def excel(self) -> str:
        """The Excel number format showing a cell the same way (offsets dropped)."""
        out = []
        for p in self.parts:
            if isinstance(p, Token):
                out.append(p.excel)
            else:
                out.extend(c if c in _EXCEL_PLAIN else "\\" + c for c in p)
        return "".join(out).strip() or "General"


@lru_cache(maxsize=64)
def parse(source: str, kind: str) -> Pattern:
    """Parse a `date` or `time` pattern; PatternError names the offending letters."""
    tokens = DATE_TOKENS if kind == "date" else TIME_TOKENS
    ordered = sorted(tokens, key=lambda t: -len(t.text))  # longest match first: yyyy before yy
    regex = re.compile("|".join(re.escape(t.text) for t in ordered) + "|[A-Za-z]+|[^A-Za-z]+")
    lookup = {t.text: t for t in tokens}
    if not source:
        raise PatternError(f"empty {kind} format")
    parts: list[str | Token] = []
    for piece in regex.findall(source):
        if piece in lookup:
            parts.append(lookup[piece])
        elif piece[0].isalpha():
            valid = ", ".join(t.text for t in tokens)
            raise PatternError(f"{kind} format {source!r}: {piece!r} is not one of {valid}")
        else:
            parts.append(piece)
    return Pattern(source, tuple(parts))
