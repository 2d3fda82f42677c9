"""The archive's SQLite schema: one row per IVORN, every sighting, variant, reject, observer action.

Version 2 (gcnmon after issue 11): JSON notices get unique identities (``notice.identity``) and
differing bytes under one identity are kept in ``variants``; ``migrate`` upgrades version 1 files.
"""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "SCHEMA", "NOTICE_COLUMNS"]

SCHEMA_VERSION = 2

#: Parsed fields kept in columns (for search and review); ``raw`` is the lossless original.
NOTICE_COLUMNS = (
    "ivorn",
    "role",
    "format",
    "author",
    "mission",
    "instrument",
    "notice_type",
    "packet_type",
    "trigger_id",
    "serial",
    "event_time",
    "ra",
    "dec",
    "error_radius",
    "significance",
    "is_test",
    "is_retraction",
    "flags",
    "description",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY,
    ivorn TEXT NOT NULL UNIQUE,
    role TEXT, format TEXT, author TEXT, mission TEXT, instrument TEXT, notice_type TEXT,
    packet_type INTEGER, trigger_id TEXT, serial INTEGER,
    event_time TEXT,            -- ISO 8601 UTC
    ra REAL, dec REAL, error_radius REAL, significance REAL,
    is_test INTEGER NOT NULL DEFAULT 0, is_retraction INTEGER NOT NULL DEFAULT 0,
    flags TEXT,                 -- space-separated gcnmon.notice.FLAGS
    description TEXT,
    source TEXT NOT NULL,       -- where it arrived first ("vtp:host:port", "kafka:topic")
    received REAL NOT NULL,     -- Unix seconds of the first arrival
    duplicates INTEGER NOT NULL DEFAULT 0,
    handled INTEGER NOT NULL DEFAULT 0,  -- 1 once handed on (printed, alerted): a crash in between
                                         -- leaves 0, and the re-delivered packet is handed on then
    raw BLOB NOT NULL           -- the packet exactly as received
);
CREATE INDEX IF NOT EXISTS notices_received ON notices (received);
CREATE INDEX IF NOT EXISTS notices_event ON notices (mission, trigger_id);

-- Every arrival, the first and the duplicates: which sources carried which notice, and when.
CREATE TABLE IF NOT EXISTS sightings (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    source TEXT NOT NULL,
    received REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sightings_notice ON sightings (notice_id);

-- A notice that came again under the same identity with other bytes (re-serialised JSON, a VOEvent
-- re-indented by a broker, a sender reusing an IVORN): kept, each distinct byte string once.
CREATE TABLE IF NOT EXISTS variants (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    received REAL NOT NULL,
    raw BLOB NOT NULL,
    UNIQUE (notice_id, sha256)
);

-- Packets that could not be read: kept byte for byte, so nothing that arrived is lost.
CREATE TABLE IF NOT EXISTS rejects (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    received REAL NOT NULL,
    reason TEXT NOT NULL,
    raw BLOB NOT NULL
);

-- Observer actions (sent, slewed, dismissed) and TCS replies, per notice.
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    ivorn TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT,
    time REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_ivorn ON actions (ivorn);
"""
