"""The drop's "test connection": can the hub read the folder it was given?"""

from __future__ import annotations

import asyncio
from pathlib import Path

from footfall.connectors.ftp_drop.config import DropConfig
from footfall.connectors.ftp_drop.connector import remote_folder
from footfall.connectors.ftp_drop.parse import wanted
from footfall.connectors.spec import ProbeFailed
from footfall.transfer.remote import TransferError, list_names, probe


async def probe_drop(config: DropConfig) -> str:
    """List the watched or remote folder once and say how many counter files wait there."""
    if config.watch is not None:
        return await asyncio.to_thread(_probe_folder, config.watch.path, config)
    assert config.remote is not None
    password = config.remote.password.get_secret_value() if config.remote.password else None
    folder = remote_folder(config.remote, password)
    try:
        answer = await probe(folder)
        waiting = sum(wanted(config.file_format, n) for n in await list_names(folder))
    except TransferError as error:
        raise ProbeFailed(str(error)) from None
    return f"{answer}; {waiting} counter file(s) match {config.file_format.file_name!r}"


def _probe_folder(path: Path, config: DropConfig) -> str:
    if not path.is_dir():
        raise ProbeFailed(f"watched folder {path} does not exist")
    try:
        names = [p.name for p in path.iterdir() if p.is_file()]
        probe_file = path / ".footfall-probe"
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as error:
        raise ProbeFailed(f"watched folder {path}: {error.strerror or error}") from None
    waiting = sum(wanted(config.file_format, n) for n in names)
    return f"folder {path}: readable and writable, {waiting} counter file(s) waiting"
