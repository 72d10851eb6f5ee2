"""Where automated imports pick files up: a local folder, or a remote FTP/FTPS/SFTP directory.

Both answer the same four calls. A picked-up file is archived by renaming it out of the
pattern's reach (`name.imported-ID`, `name.failed-ID`), so it is never imported twice and
stays on the server for inspection; a local folder can move it to an archive folder instead.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from footfall.security.secrets import SecretBox
from footfall.transfer import remote
from footfall.transfer.remote import RemoteFolder


class Source(Protocol):
    """A directory files are picked up from."""

    async def names(self) -> list[str]:
        """Plain file names in the directory, sorted."""
        ...

    async def fetch(self, name: str, dest: Path) -> None:
        """Copy `name` into the local file `dest`."""
        ...

    async def archive(self, name: str, new_name: str) -> None:
        """Move a picked-up file out of the way under `new_name`."""
        ...

    async def probe(self) -> str:
        """Reach the directory once: what a "test" run reports."""
        ...


@dataclass(frozen=True)
class LocalSource:
    """A folder on the hub's machine."""

    directory: Path
    archive_directory: Path | None = None

    async def names(self) -> list[str]:
        """Plain file names in the folder, sorted."""
        return await asyncio.to_thread(
            lambda: sorted(p.name for p in self.directory.iterdir() if p.is_file()))

    async def fetch(self, name: str, dest: Path) -> None:
        """Copy `name` into `dest`."""
        await asyncio.to_thread(shutil.copyfile, self.directory / name, dest)

    async def archive(self, name: str, new_name: str) -> None:
        """Rename in place, or move into the archive folder (made when missing)."""
        target = self.archive_directory or self.directory
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread((self.directory / name).rename, target / new_name)

    async def probe(self) -> str:
        """Check the folder can be listed."""
        names = await self.names()
        return f"folder {self.directory}: {len(names)} file(s)"


@dataclass(frozen=True)
class RemoteSource:
    """A directory on an FTP, FTPS or SFTP server."""

    folder: RemoteFolder

    async def names(self) -> list[str]:
        """Plain file names in the directory, sorted."""
        return await remote.list_names(self.folder)

    async def fetch(self, name: str, dest: Path) -> None:
        """Download `name` into `dest`."""
        await remote.fetch(self.folder, name, dest)

    async def archive(self, name: str, new_name: str) -> None:
        """Rename in place on the server."""
        await remote.rename(self.folder, name, new_name)

    async def probe(self) -> str:
        """Sign in and list the directory."""
        return await remote.probe(self.folder)


def source_of(row: dict[str, Any], box: SecretBox) -> Source:
    """The source a stored schedule row describes (its password unsealed only here)."""
    if row["protocol"] == "folder":
        archive = Path(row["archive_directory"]) if row.get("archive_directory") else None
        return LocalSource(Path(row["directory"]), archive)
    password = box.unseal(row["password_sealed"]) if row.get("password_sealed") else ""
    return RemoteSource(RemoteFolder(
        protocol=row["protocol"], host=row["host"], port=row["port"],
        username=row["username"] or "anonymous", password=password, directory=row["directory"],
        passive=row["passive"], known_hosts=row["known_hosts"]))
