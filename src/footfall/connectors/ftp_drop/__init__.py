"""FTP drop (drop): counters' daily minute files, hosted over FTP/FTPS, from a watched folder, or
fetched from a remote FTP/SFTP folder; each file ingested whole or not at all."""

from footfall.connectors.ftp_drop.config import DropConfig, FileFormat, RemoteSource, WatchedFolder
from footfall.connectors.ftp_drop.connector import FileDrop
from footfall.connectors.ftp_drop.probe import probe_drop
from footfall.connectors.spec import ConnectorSpec

SPEC = ConnectorSpec(
    key="ftp_drop",
    kind="drop",
    title="FTP directly from counter (daily files)",
    source="ftp",
    config=DropConfig,
    probe=probe_drop,
)

__all__ = ["SPEC", "DropConfig", "FileDrop", "FileFormat", "RemoteSource", "WatchedFolder"]
