"""Every message once: same bytes one notice, other bytes under one identity kept; schema 1 upgraded."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3

import pytest

from gcnmon.archive import Archive, ArchiveError
from gcnmon.archive.schema import SCHEMA_VERSION
from gcnmon.notice import parse

CHIME = [f"gcn-schema/chime_frb.{kind}.example.json" for kind in ("detection", "update", "retraction")]


def test_detection_update_and_retraction_are_three_notices(archive, data_file):
    results = [archive.store(parse(data_file(name).read_bytes()), "kafka:gcn.notices.chime.frb", 1.0)
               for name in CHIME]
    assert [r.new for r in results] == [True, True, True]
    assert len(archive.recent(10)) == 3


def test_same_bytes_twice_are_one_notice(archive, data_file):
    raw = data_file(CHIME[0]).read_bytes()
    first = archive.store(parse(raw), "kafka:a", 1.0)
    again = archive.store(parse(raw), "relay:b", 2.0)
    assert (again.new, again.row_id, again.duplicates, again.variant) == (False, first.row_id, 1, False)
    assert archive.variants(parse(raw).ivorn) == []


def test_other_bytes_under_one_identity_are_kept_and_logged(archive, data_file, caplog):
    raw = data_file(CHIME[0]).read_bytes()
    other = json.dumps(json.loads(raw)).encode()  # the same document on one line
    assert other != raw
    archive.store(parse(raw), "kafka:a", 1.0)
    with caplog.at_level(logging.WARNING, logger="gcnmon.archive"):
        result = archive.store(parse(other), "relay:b", 2.0)
        archive.store(parse(other), "relay:c", 3.0)  # the same variant again: kept once
    assert (result.new, result.variant) == (False, True)
    [variant] = archive.variants(parse(raw).ivorn)
    assert (variant.source, variant.received, variant.raw) == ("relay:b", 2.0, other)
    assert archive.get(parse(raw).ivorn).raw == raw
    assert ["different bytes" in r.getMessage() for r in caplog.records] == [True]


def test_schema_1_archive_is_upgraded(tmp_path, data_file, caplog):
    path = tmp_path / "archive.sqlite"
    shutil.copy(data_file("archive/archive-v1.sqlite"), path)
    detection = parse(data_file(CHIME[0]).read_bytes())
    with caplog.at_level(logging.WARNING, logger="gcnmon.archive"):
        archive = Archive(path)
    try:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        # Schema 1 kept 5 rows (CHIME, SVOM, EP, LVK JSON, LVK VOEvent): the CHIME update and retraction
        # and the SVOM catalog notice were counted as duplicates of the first of their series.
        assert len(archive.recent(50)) == 5
        record = archive.get(detection.ivorn)
        assert record.fields["trigger_id"] == "427325191" and record.raw == data_file(CHIME[0]).read_bytes()
        actions = [(a.action, a.detail) for a in archive.actions(detection.ivorn)]
        assert actions == [("acknowledge", "observer")]
        assert archive.get("ivo://gwnet/LVC#MS181101ab-4-Retraction") is not None  # VOEvents keep their IVORN
        assert archive.get("ivo://gcn.nasa.gov/chime.frb#427325191-2024-09-18T07:19:10.765268Z") is None
        assert [r.reason for r in archive.rejects()] == ["malformed JSON"]
        # What schema 1 counted as duplicates and dropped is now stored when it comes again.
        update, detection_again = (archive.store(parse(data_file(n).read_bytes()), "kafka:x", 9.0)
                                   for n in (CHIME[1], CHIME[0]))
        assert update.new and not detection_again.new
        catalog = parse(data_file("gcn-schema/svom_eclairs_trigger.catalog.example.json").read_bytes())
        assert archive.store(catalog, "kafka:x", 9.0).new
    finally:
        archive.close()
    assert any("upgraded from schema 1 to 2: 4 JSON notices" in r.getMessage() for r in caplog.records)
    # Opening it again changes nothing.
    Archive(path).close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM notices").fetchone()[0] == 7


def test_archive_from_a_newer_gcnmon_is_refused_untouched(tmp_path, data_file):
    path = tmp_path / "archive.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    archive = Archive(path)
    with pytest.raises(ArchiveError, match="schema version 99, newer"):
        archive.store(parse(data_file(CHIME[0]).read_bytes()), "x", 1.0)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99
