"""Secrets in request lines are masked in the access log, the rest kept."""

from __future__ import annotations

import logging

from footfall.api.redact import RedactSecrets, install, redact


def test_query_secrets_are_masked() -> None:
    line = "/api/v1/export?level=site&access_token=ff_abc123&fromdate=20240101&Password=x%20y"
    assert redact(line) == "/api/v1/export?level=site&access_token=***&fromdate=20240101&Password=***"
    assert redact("/api/v1/counts?level=site&id=7") == "/api/v1/counts?level=site&id=7"


def test_uvicorn_access_records_are_masked_not_dropped() -> None:
    install()
    install()
    logger = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, RedactSecrets) for f in logger.filters) == 1
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/api/v1/export?access_token=ff_secret", "1.1", 200),
                               None)
    assert RedactSecrets().filter(record)
    assert "ff_secret" not in record.getMessage() and "access_token=***" in record.getMessage()
