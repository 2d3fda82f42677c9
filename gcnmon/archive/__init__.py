"""The lossless notice archive (SQLite, WAL): notices by identity, variants, rejects, observer actions."""

from .records import Action, ArchiveError, Record, Reject, StoreResult, Variant
from .store import Archive, archive_path

__all__ = ["Archive", "ArchiveError", "StoreResult", "Record", "Reject", "Action", "Variant", "archive_path"]
