"""Code snippets of a device-API request in curl, Python, JavaScript, C# and PowerShell, pure.

A table: each language is a row with its string quoting and a template. The URL comes from
the query builder, so a secret is never in it: the password and the access token are the
`[password]` / `[access_token]` placeholders the integrator replaces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

TIMEOUT_S = 10


def shell_quoted(text: str) -> str:
    """A POSIX shell single-quoted word ('…', with ' written as '\\'')."""
    return "'" + text.replace("'", "'\\''") + "'"


def c_quoted(text: str) -> str:
    """A double-quoted string literal as Python, JavaScript and C# all read it (\\", \\\\, \\uXXXX)."""
    return json.dumps(text)


def powershell_quoted(text: str) -> str:
    """A PowerShell single-quoted (verbatim) string, with ' written as ''."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Language:
    """One snippet language: its key, its label, how it quotes a string and its template."""

    key: str
    label: str
    quote: Callable[[str], str]
    template: str  # `{url}`: the quoted URL; `{timeout}`: seconds


LANGUAGES: tuple[Language, ...] = (
    # --globoff: the seeds' [placeholders] are not curl URL ranges.
    Language("curl", "curl", shell_quoted,
             "curl --globoff --silent --show-error --include --max-time {timeout} {url}\n"),
    Language("python", "Python", c_quoted,
             "from urllib.request import urlopen\n\n"
             "url = {url}\n"
             "with urlopen(url, timeout={timeout}) as response:\n"
             "    print(response.status)\n"
             "    print(response.read().decode(\"utf-8\"))\n"),
    Language("javascript", "JavaScript", c_quoted,
             "const url = {url};\n"
             "const response = await fetch(url, {{ signal: AbortSignal.timeout({timeout}000) }});\n"
             "console.log(response.status);\n"
             "console.log(await response.text());\n"),
    Language("csharp", "C#", c_quoted,
             "using var client = new HttpClient {{ Timeout = TimeSpan.FromSeconds({timeout}) }};\n"
             "var response = await client.GetAsync({url});\n"
             "Console.WriteLine((int)response.StatusCode);\n"
             "Console.WriteLine(await response.Content.ReadAsStringAsync());\n"),
    Language("powershell", "PowerShell", powershell_quoted,
             "$response = Invoke-WebRequest -Uri {url} -UseBasicParsing -TimeoutSec {timeout}\n"
             "$response.StatusCode\n"
             "$response.Content\n"),
)
BY_KEY = {language.key: language for language in LANGUAGES}


def snippet(language: str, url: str) -> str:
    """The snippet requesting `url` in one language (KeyError for an unknown one)."""
    row = BY_KEY[language]
    return row.template.format(url=row.quote(url), timeout=TIMEOUT_S)


def snippets(url: str) -> dict[str, str]:
    """The snippet of every language, by key."""
    return {row.key: snippet(row.key, url) for row in LANGUAGES}
