"""The SQLite (WAL) archive: every notice once by IVORN, raw bytes intact, repeats counted, variants kept."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..notice.model import Notice
from .migrate import migrate, notice_columns
from .records import Action, ArchiveError, Record, Reject, StoreResult, Variant
from .schema import NOTICE_COLUMNS

__all__ = ["Archive", "archive_path"]

log = logging.getLogger(__name__)

_RECORD_SQL = f"SELECT id, source, received, duplicates, raw, {', '.join(NOTICE_COLUMNS)} FROM notices"
_SEARCHED = ("ivorn", "mission", "instrument", "notice_type", "trigger_id", "description", "source")


def archive_path(section: Mapping[str, Any] | None = None) -> Path:
    """``[archive] path`` if set, else ``archive.sqlite`` in ``gcnmon.config.data_dir()``."""
    from ..config import data_dir

    configured = (section or {}).get("path") or ""
    return Path(configured).expanduser() if configured else data_dir() / "archive.sqlite"


def _since_epoch(since: float | datetime | None) -> float | None:
    return since.timestamp() if isinstance(since, datetime) else since


class Archive:
    """Notices, rejects and observer actions in one SQLite file.

    Opening is retried on every write: an archive that cannot be written (full or read-only disk,
    missing folder) raises ``ArchiveError`` from ``store``; the intake then shows the notice anyway,
    holds the packet in memory and writes it here once a write succeeds again (``gcnmon.backlog``).
    Nobody re-sends a packet for us (VTP brokers never do), so the caller must keep it. Use it from
    one thread (the reactor's).
    """

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else archive_path()
        self._db: sqlite3.Connection | None = None
        try:
            self._connect()
        except ArchiveError as exc:
            log.error("%s; notices are shown but held in memory (not acknowledged) until it is writable", exc)

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                # FULL: a notice counts as archived (and is acknowledged) only once it is on disk.
                db.execute("PRAGMA synchronous=FULL")
                migrate(db, self.path)  # creates the tables, or upgrades a file an older gcnmon wrote
            except BaseException:
                db.close()
                raise
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"archive {self.path} is not writable: {exc}") from None
        self._db = db
        return db

    def _write(self, sql_steps):
        """Run ``sql_steps(db)`` in one transaction; any SQLite/OS failure becomes ``ArchiveError``."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = sql_steps(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result
        except (OSError, sqlite3.Error) as exc:
            if db.in_transaction:  # a failed COMMIT (disk full) can leave it open; the next BEGIN would fail
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise ArchiveError(f"archive {self.path}: write failed: {exc}") from None

    def store(self, notice: Notice, source: str, received: float | None = None) -> StoreResult:
        """Archive ``notice`` unless its IVORN is already there; either way record the sighting.

        A repeat whose bytes differ from the stored ones is kept as a variant (once per distinct byte
        string) and logged as a warning: nothing that arrived is dropped silently.
        """
        received = time.time() if received is None else received

        def steps(db: sqlite3.Connection) -> StoreResult:
            cur = db.execute(
                f"INSERT INTO notices ({', '.join(NOTICE_COLUMNS)}, source, received, raw) "
                f"VALUES ({', '.join('?' * (len(NOTICE_COLUMNS) + 3))}) ON CONFLICT (ivorn) DO NOTHING",
                (*notice_columns(notice), source, received, bytes(notice.raw)),
            )
            new = cur.rowcount == 1
            if not new:
                db.execute("UPDATE notices SET duplicates = duplicates + 1 WHERE ivorn = ?", (notice.ivorn,))
            row_id, dups, handled, stored = db.execute(
                "SELECT id, duplicates, handled, raw FROM notices WHERE ivorn = ?", (notice.ivorn,)
            ).fetchone()
            db.execute("INSERT INTO sightings (notice_id, source, received) VALUES (?, ?, ?)",
                       (row_id, source, received))
            variant = not new and bytes(stored) != bytes(notice.raw) and self._keep_variant(
                db, row_id, notice, source, received)
            return StoreResult(new, row_id, dups, pending=not new and not handled, variant=variant)

        return self._write(steps)

    def _keep_variant(self, db: sqlite3.Connection, row_id: int, notice: Notice, source: str,
                      received: float) -> bool:
        raw = bytes(notice.raw)
        digest = hashlib.sha256(raw).hexdigest()
        cur = db.execute("INSERT INTO variants (notice_id, sha256, source, received, raw) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (notice_id, sha256) DO NOTHING",
                         (row_id, digest, source, received, raw))
        if cur.rowcount == 1:
            log.warning("%s came again from %s with different bytes (%d, SHA-256 %s...): kept as a variant",
                        notice.ivorn, source, len(raw), digest[:12])
        return True

    def variants(self, ivorn: str) -> list[Variant]:
        """Every other byte string that arrived as ``ivorn``, first one first."""
        rows = self._query(
            "SELECT v.source, v.received, v.raw FROM variants v JOIN notices n ON n.id = v.notice_id "
            "WHERE n.ivorn = ? ORDER BY v.id", (ivorn,))
        return [Variant(source, received, bytes(raw)) for source, received, raw in rows]

    def mark_handled(self, row_id: int) -> None:
        """Record that notice ``row_id`` was handed on (printed, alerted), so it never is again."""
        self._write(lambda db: db.execute("UPDATE notices SET handled = 1 WHERE id = ?", (row_id,)))

    def store_reject(self, raw: bytes, source: str, received: float | None, reason: str) -> int:
        """Keep a packet that could not be read, byte for byte; returns its row id."""
        received = time.time() if received is None else received
        return self._write(
            lambda db: db.execute(
                "INSERT INTO rejects (source, received, reason, raw) VALUES (?, ?, ?, ?)",
                (source, received, reason, bytes(raw)),
            ).lastrowid
        )

    def record_action(self, ivorn: str, action: str, detail: str | None = None,
                      when: float | None = None) -> int:
        """Log an observer action or a TCS reply about ``ivorn``; returns its row id."""
        when = time.time() if when is None else when
        return self._write(
            lambda db: db.execute(
                "INSERT INTO actions (ivorn, action, detail, time) VALUES (?, ?, ?, ?)",
                (ivorn, action, detail, when),
            ).lastrowid
        )

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._connect().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise ArchiveError(f"archive {self.path}: read failed: {exc}") from None

    @staticmethod
    def _record(row: tuple) -> Record:
        row_id, source, received, dups, raw, *values = row
        fields = dict(zip(NOTICE_COLUMNS, values, strict=True))
        return Record(row_id, fields["ivorn"], source, received, dups, bytes(raw), fields)

    def recent(self, limit: int = 50, since: float | datetime | None = None,
               search: str | None = None) -> list[Record]:
        """Newest first: at most ``limit`` notices received at or after ``since``, matching ``search``."""
        where, params = [], []
        if since is not None:
            where.append("received >= ?")
            params.append(_since_epoch(since))
        if search:
            where.append("(" + " OR ".join(f"{c} LIKE ?" for c in _SEARCHED) + ")")
            params += [f"%{search}%"] * len(_SEARCHED)
        sql = _RECORD_SQL + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._query(sql + " ORDER BY received DESC, id DESC LIMIT ?", (*params, limit))
        return [self._record(row) for row in rows]

    def get(self, ivorn: str) -> Record | None:
        rows = self._query(_RECORD_SQL + " WHERE ivorn = ?", (ivorn,))
        return self._record(rows[0]) if rows else None

    def sightings(self, ivorn: str) -> list[tuple[str, float]]:
        """Every arrival of ``ivorn`` as (source, received), first one first."""
        return self._query(
            "SELECT s.source, s.received FROM sightings s JOIN notices n ON n.id = s.notice_id "
            "WHERE n.ivorn = ? ORDER BY s.id", (ivorn,))

    def actions(self, ivorn: str) -> list[Action]:
        rows = self._query("SELECT ivorn, action, detail, time FROM actions WHERE ivorn = ? ORDER BY id",
                           (ivorn,))
        return [Action(*row) for row in rows]

    def rejects(self, limit: int = 50) -> list[Reject]:
        rows = self._query("SELECT id, source, received, reason, raw FROM rejects ORDER BY id DESC LIMIT ?",
                           (limit,))
        return [Reject(i, s, r, why, bytes(raw)) for i, s, r, why, raw in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
