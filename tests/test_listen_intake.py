"""The intake pipeline: parse, archive, dedupe, log book, hand on; rejects and archive failures."""

from __future__ import annotations

import pytest

from gcnmon.archive import Archive
from gcnmon.intake import Intake
from gcnmon.logbook import LogBook, format_line
from gcnmon.notice import NoticeError, parse

BAT = "aware/bat_alert_grb230228a.xml"
LVK_TEST = "gcn-notice-parser/swift_bat_grb_pos_test_9264.xml"


@pytest.fixture
def setup(tmp_path):
    archive = Archive(tmp_path / "a.sqlite")
    book = LogBook(tmp_path / "gcn_client_T.log")
    seen, arrivals = [], []
    intake = Intake(archive, on_notice=seen.append, on_arrival=arrivals.append, logbook=book,
                    clock=iter(range(1000, 2000)).__next__)
    yield intake, seen, arrivals
    archive.close()
    book.close()


def test_new_then_duplicate_from_another_source(setup, data_file):
    intake, seen, arrivals = setup
    raw = data_file(BAT).read_bytes()
    notice = intake.receive(raw, "vtp://a:1")
    assert notice is not None and seen == [notice]
    assert (arrivals[0].source, arrivals[0].received) == ("vtp://a:1", 1000)
    assert intake.receive(raw, "kafka:gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK") is None
    assert len(seen) == 1 and intake.archive.get(notice.ivorn).duplicates == 1
    assert intake.logbook.path.read_text().splitlines() == [format_line(notice, 1000)]


def test_malformed_is_kept_logged_and_raised(setup, caplog):
    intake, seen, _ = setup
    with pytest.raises(NoticeError):
        intake.receive(b"<VOEvent garbage", "vtp://a:1")
    [reject] = intake.archive.rejects()
    assert reject.raw == b"<VOEvent garbage" and reject.source == "vtp://a:1"
    assert "rejected packet from vtp://a:1 (kept as reject #1)" in caplog.text
    assert seen == []


def test_test_notices_archived_not_log_booked(setup, data_file):
    intake, seen, _ = setup
    notice = intake.receive(data_file(LVK_TEST).read_bytes(), "vtp://a:1")
    assert notice.is_test and seen == [notice]
    assert intake.archive.get(notice.ivorn) is not None
    assert not intake.logbook.path.exists() or intake.logbook.path.read_text() == ""


def test_consumer_bug_does_not_undo_the_archive(tmp_path, data_file, caplog):
    def broken(_notice):
        raise RuntimeError("widget exploded")

    intake = Intake(Archive(tmp_path / "a.sqlite"), on_notice=broken)
    assert intake.receive(data_file(BAT).read_bytes(), "vtp://a:1") is not None
    assert "widget exploded" in caplog.text


def test_archived_but_never_handed_on_is_handed_on_when_redelivered(tmp_path, data_file):
    """A crash between archiving and alerting: the re-delivered packet alerts then, and only then."""
    raw = data_file(BAT).read_bytes()
    archive = Archive(tmp_path / "a.sqlite")
    archive.store(parse(raw), "kafka:t", 1.0)  # what the dead process got done
    seen = []
    intake = Intake(archive, on_notice=seen.append)
    assert intake.receive(raw, "kafka:t") is not None and len(seen) == 1
    assert intake.receive(raw, "kafka:t") is None and len(seen) == 1
    archive.close()
