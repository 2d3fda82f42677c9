"""Bring an archive file to ``SCHEMA_VERSION``: create a new one, or upgrade one an older gcnmon wrote.

Version 1 named JSON notices by their first ``id`` and ``alert_datetime`` (or ``trigger_time``),
so the detection, update and retraction of one CHIME burst shared one IVORN and only the first was
kept. The upgrade re-reads every JSON notice's raw bytes with today's parser and renames it (and
its observer actions) to its unique identity; the lost repeats were never stored, only counted.
"""

from __future__ import annotations

import logging
import sqlite3

from .records import ArchiveError
from .schema import NOTICE_COLUMNS, SCHEMA, SCHEMA_VERSION

__all__ = ["migrate", "notice_columns"]

log = logging.getLogger(__name__)


def notice_columns(notice) -> tuple:
    """The values of ``NOTICE_COLUMNS`` for ``notice``, in that order."""
    values = {name: getattr(notice, name, None) for name in NOTICE_COLUMNS}
    values["event_time"] = notice.time.isoformat() if notice.time else None
    values["flags"] = " ".join(sorted(notice.flags)) or None
    values["is_test"], values["is_retraction"] = int(notice.is_test), int(notice.is_retraction)
    return tuple(values[name] for name in NOTICE_COLUMNS)


def migrate(db: sqlite3.Connection, path) -> None:
    """Create or upgrade the schema of ``db`` (autocommit connection) in one transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ArchiveError(f"archive {path} has schema version {version}, newer than this gcnmon's "
                           f"{SCHEMA_VERSION}: upgrade gcnmon (the file is left untouched)")
    if version == SCHEMA_VERSION:
        return
    had_notices = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'notices'").fetchone() is not None
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(SCHEMA):
            db.execute(statement)
        renamed = _reidentify_json(db) if had_notices else 0
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    if had_notices:
        log.warning("archive %s upgraded from schema %d to %d: %d JSON notices renamed to unique identities",
                    path, version, SCHEMA_VERSION, renamed)


def _statements(script: str) -> list[str]:
    """``script`` cut into statements (executescript would commit the open transaction)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


def _reidentify_json(db: sqlite3.Connection) -> int:
    from ..notice import NoticeError, parse  # the parser (lxml) only when there is something to upgrade

    renamed = 0
    rows = db.execute("SELECT id, ivorn, raw FROM notices WHERE format = 'json'").fetchall()
    for row_id, old, raw in rows:
        try:
            notice = parse(bytes(raw))
        except NoticeError as exc:
            log.warning("archive upgrade: JSON notice %s no longer parses (%s); left as it was", old, exc)
            continue
        if notice.ivorn == old:
            continue
        assignments = ", ".join(f"{name} = ?" for name in NOTICE_COLUMNS)
        try:
            db.execute(f"UPDATE notices SET {assignments} WHERE id = ?", (*notice_columns(notice), row_id))
        except sqlite3.IntegrityError:  # cannot happen (one document had one old name); never lose a row
            log.warning("archive upgrade: %s would become %s, which exists; left as it was",
                        old, notice.ivorn)
            continue
        db.execute("UPDATE actions SET ivorn = ? WHERE ivorn = ?", (notice.ivorn, old))
        renamed += 1
    return renamed
