"""GCN Circulars in the archive: their own table (and the terms each names), beside the notices.

Self-contained (``CREATE TABLE IF NOT EXISTS`` on first use) so it needs nothing of the notices'
schema version; ``circulars_for(terms)`` finds an event's circulars, ``search`` finds any, matched or not.
"""

from __future__ import annotations

import sqlite3
import time

from ..story.circulars import Circular, normal_term, terms_in
from .records import ArchiveError

__all__ = ["CircularStore", "CIRCULAR_SCHEMA"]

CIRCULAR_SCHEMA = """
CREATE TABLE IF NOT EXISTS circulars (
    id INTEGER PRIMARY KEY,
    circular_id INTEGER NOT NULL UNIQUE,  -- GCN's number (https://gcn.nasa.gov/circulars/N)
    event_id TEXT, subject TEXT NOT NULL, submitter TEXT, format TEXT,
    created REAL,                 -- Unix seconds GCN published it
    source TEXT NOT NULL, received REAL NOT NULL,
    body TEXT NOT NULL,
    raw BLOB NOT NULL             -- the message exactly as received
);
-- The identifiers each circular names (trigger numbers, burst ids, event names), normalised: an
-- event's circulars are those naming one of its terms.
CREATE TABLE IF NOT EXISTS circular_terms (
    term TEXT NOT NULL,
    circular_id INTEGER NOT NULL,
    PRIMARY KEY (term, circular_id)
) WITHOUT ROWID;
"""

_COLUMNS = "circular_id, subject, body, event_id, submitter, created, format, raw"


class CircularStore:
    """The circulars of one ``Archive`` (same SQLite file, same thread)."""

    def __init__(self, archive):
        self.archive = archive
        self._ready = False

    def _db(self) -> sqlite3.Connection:
        db = self.archive._connect()
        if not self._ready:
            try:
                db.executescript(CIRCULAR_SCHEMA)
            except sqlite3.Error as exc:
                raise ArchiveError(f"archive {self.archive.path}: circulars table: {exc}") from None
            self._ready = True
        return db

    def store(self, circular: Circular, source: str, received: float | None = None) -> bool:
        """Archive ``circular`` unless its number is there already; True if it was new."""
        self._db()
        received = time.time() if received is None else received

        def steps(db) -> bool:
            cur = db.execute(
                "INSERT INTO circulars (circular_id, event_id, subject, submitter, format, created, source, "
                "received, body, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (circular_id) DO NOTHING",
                (circular.circular_id, circular.event_id, circular.subject, circular.submitter,
                 circular.format, circular.created, source, received, circular.body, circular.raw))
            if cur.rowcount != 1:
                return False
            db.executemany("INSERT OR IGNORE INTO circular_terms (term, circular_id) VALUES (?, ?)",
                           [(term, circular.circular_id) for term in sorted(terms_in(circular))])
            return True

        return self.archive._write(steps)

    def _select(self, where: str = "", params: tuple = (), limit: int = 200) -> list[Circular]:
        db = self._db()
        try:
            rows = db.execute(f"SELECT {_COLUMNS} FROM circulars {where} ORDER BY circular_id LIMIT ?",
                              (*params, limit)).fetchall()
        except sqlite3.Error as exc:
            raise ArchiveError(f"archive {self.archive.path}: read failed: {exc}") from None
        return [Circular(n, s, b, e, who, c, f or "text/plain", bytes(raw))
                for n, s, b, e, who, c, f, raw in rows]

    def circulars_for(self, terms) -> list[Circular]:
        """Circulars naming any of ``terms`` (an event's ``event_terms``), oldest first."""
        keys = sorted({normal_term(t) for t in terms if t})
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        inner = f"SELECT circular_id FROM circular_terms WHERE term IN ({marks})"
        return self._select(f"WHERE circular_id IN ({inner})", tuple(keys))

    def get(self, circular_id: int) -> Circular | None:
        found = self._select("WHERE circular_id = ?", (circular_id,), 1)
        return found[0] if found else None

    def search(self, text: str | None = None, unmatched: bool = False, limit: int = 200) -> list[Circular]:
        """Circulars whose subject or body holds ``text``; ``unmatched``: only those naming no archived
        notice's trigger (kept all the same: the event may simply not be in this archive)."""
        where, params = [], []
        if text:
            where.append("(subject LIKE ? OR body LIKE ? OR event_id LIKE ?)")
            params += [f"%{text}%"] * 3
        if unmatched:
            where.append("circular_id NOT IN (SELECT t.circular_id FROM circular_terms t JOIN notices n "
                         "ON t.term = lower(n.trigger_id))")
        return self._select(("WHERE " + " AND ".join(where)) if where else "", tuple(params), limit)

    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM circulars").fetchone()[0]
