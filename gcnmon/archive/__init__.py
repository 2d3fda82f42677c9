"""The lossless notice archive (SQLite, WAL): notices by IVORN, rejects, observer actions."""

from .records import Action, ArchiveError, Record, Reject, StoreResult
from .store import Archive, archive_path

__all__ = ["Archive", "ArchiveError", "StoreResult", "Record", "Reject", "Action", "archive_path"]
