"""The archive: once per IVORN, raw bytes intact, rejects and actions kept, unwritable handled."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from gcnmon.archive import Archive, ArchiveError
from gcnmon.notice import parse

BAT = "aware/bat_alert_grb230228a.xml"
XRT = "aware/xrt_alert_1165948.xml"


@pytest.fixture
def bat(data_file):
    return parse(data_file(BAT).read_bytes())


def test_store_keeps_raw_bytes_and_fields(archive, bat):
    result = archive.store(bat, "vtp://a:8099", 1000.0)
    assert result.new and result.duplicates == 0
    rec = archive.get(bat.ivorn)
    assert rec.raw == bat.raw and rec.source == "vtp://a:8099" and rec.received == 1000.0
    assert rec.fields["mission"] == "Swift" and rec.fields["trigger_id"] == bat.trigger_id
    assert rec.fields["ra"] == pytest.approx(bat.ra)
    assert rec.notice() == bat


def test_same_ivorn_from_two_sources_stored_once(archive, bat):
    first = archive.store(bat, "vtp://a:8099", 1000.0)
    second = archive.store(bat, "kafka:gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", 1000.5)
    assert (second.new, second.row_id, second.duplicates) == (False, first.row_id, 1)
    assert len(archive.recent(10)) == 1
    assert archive.get(bat.ivorn).source == "vtp://a:8099"
    assert [s for s, _ in archive.sightings(bat.ivorn)] == [
        "vtp://a:8099", "kafka:gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"]


def test_wal_mode(archive, bat):
    archive.store(bat, "x", 1.0)
    db = sqlite3.connect(archive.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_recent_since_search_and_order(archive, bat, data_file):
    xrt = parse(data_file(XRT).read_bytes())
    archive.store(bat, "vtp://a:1", 100.0)
    archive.store(xrt, "kafka:t", 200.0)
    assert [r.ivorn for r in archive.recent(10)] == [xrt.ivorn, bat.ivorn]
    assert [r.ivorn for r in archive.recent(10, since=150.0)] == [xrt.ivorn]
    assert [r.ivorn for r in archive.recent(1)] == [xrt.ivorn]
    assert [r.ivorn for r in archive.recent(10, search="XRT")] == [xrt.ivorn]
    assert [r.ivorn for r in archive.recent(10, search="vtp://a")] == [bat.ivorn]
    assert archive.recent(10, search="no such thing") == []


def test_rejects_kept_byte_for_byte(archive):
    raw = b"\x00\xffnot xml at all<"
    row = archive.store_reject(raw, "vtp://a:1", 5.0, "malformed XML: junk")
    [reject] = archive.rejects()
    assert (reject.row_id, reject.raw, reject.reason, reject.source) == (row, raw, "malformed XML: junk",
                                                                        "vtp://a:1")


def test_actions(archive, bat):
    archive.store(bat, "x", 1.0)
    archive.record_action(bat.ivorn, "slew", "TCS replied OK", 10.0)
    archive.record_action(bat.ivorn, "dismissed", None, 20.0)
    assert [(a.action, a.detail, a.time) for a in archive.actions(bat.ivorn)] == [
        ("slew", "TCS replied OK", 10.0), ("dismissed", None, 20.0)]


def test_record_falls_back_to_columns_when_raw_no_longer_parses(archive, bat):
    archive.store(dataclasses.replace(bat, raw=b"<garbled"), "x", 1.0)
    notice = archive.get(bat.ivorn).notice()
    assert (notice.ivorn, notice.trigger_id, notice.time) == (bat.ivorn, bat.trigger_id, bat.time)
    assert notice.ra == pytest.approx(bat.ra) and notice.flags == bat.flags


def test_unwritable_archive_raises_then_recovers(tmp_path, bat, caplog):
    # Root ignores file modes, so "unwritable" is a path whose parent is a regular file.
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    arc = Archive(blocker / "archive.sqlite")
    assert "not writable" in caplog.text and "held in memory (not acknowledged)" in caplog.text
    with pytest.raises(ArchiveError, match="not writable"):
        arc.store(bat, "x", 1.0)
    blocker.unlink()
    assert arc.store(bat, "x", 2.0).new
    arc.close()
