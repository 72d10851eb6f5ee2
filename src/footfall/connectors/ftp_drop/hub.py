"""Run the FTP drop inside the hub: the hosted server when FOOTFALL_DROP_PORT is set, and the
watched / remote folders registered with `footfall drop source add`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop.connector import FileDrop
from footfall.security.secrets import secret_box
from footfall.settings import Settings

log = logging.getLogger(__name__)


def file_drop(settings: Settings, engine: Engine, ingest: Any, **options: Any) -> FileDrop:
    """The drop as the settings describe it (hosted server off unless FOOTFALL_DROP_PORT is set)."""
    certfile = Path(settings.drop_cert_file) if settings.drop_cert_file else None
    return FileDrop(engine, ingest, settings.data_dir, secret_box(settings),
                    ftp_port=settings.drop_port or None, ftp_host=settings.drop_host,
                    certfile=certfile, **options)


@asynccontextmanager
async def drop_running(settings: Settings, engine: Engine, ingest: Any) -> AsyncIterator[FileDrop]:
    """Receive and look for files while the hub runs."""
    drop = file_drop(settings, engine, ingest)
    await drop.start()
    try:
        yield drop
    finally:
        await drop.stop()
