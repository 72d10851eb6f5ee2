"""Keep secrets out of the request log: tokens and passwords in query strings are masked.

BI tools pass `access_token=` in export URLs and uvicorn logs every request line; the token
must not end up in a log file.
"""

from __future__ import annotations

import logging
import re

_SECRET_QUERY = re.compile(r"(?i)\b(access_token|token|password)=[^&\s\"]*")
MASK = "***"


def redact(text: str) -> str:
    """`text` with the values of secret query parameters masked."""
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}={MASK}", text)


class RedactSecrets(logging.Filter):
    """A log filter that masks secret query parameters in a record's message arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask, never drop."""
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Attach the filter to uvicorn's access log once (idempotent)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
