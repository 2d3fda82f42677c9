"""The alert before the archive: what the intake does while the archive cannot take packets.

The archive is made unusable the way a missing disk does it: a plain file where its folder should be
(every open fails with a real OS error, whoever runs the tests); removing the file is the recovery.
The backlog's retry and summary timers run on a fake clock.
"""

from __future__ import annotations

import logging

import pytest
from twisted.internet import task

from gcnmon.archive import Archive
from gcnmon.backlog import Backlog
from gcnmon.intake import ArchiveFull, Intake
from gcnmon.logbook import LogBook, format_line
from gcnmon.notice import NoticeError, parse

FILES = ["aware/bat_alert_grb230228a.xml", "aware/xrt_alert_1165948.xml", "aware/gbm_alert.xml",
         "aware/maxi_known.xml"]


class Blocked:
    """An archive whose folder is a file until ``unblock()``."""

    def __init__(self, tmp_path, **backlog):
        self.blocker = tmp_path / "disk"
        self.blocker.write_text("a file where the archive folder should be")
        self.clock = task.Clock()
        self.archive = Archive(self.blocker / "archive.sqlite")
        self.book = LogBook(tmp_path / "gcn_client_T.log")
        self.arrivals, self.problems = [], []
        self.backlog = Backlog("archive", scheduler=self.clock, clock=self.clock.seconds, **backlog)
        self.intake = Intake(self.archive, on_arrival=self.arrivals.append, logbook=self.book,
                             clock=iter(range(1000, 2000)).__next__, on_problem=self.problems.append,
                             backlog=self.backlog)

    def unblock(self):
        self.blocker.unlink()

    def close(self):
        self.intake.close()
        self.archive.close()
        self.book.close()


@pytest.fixture
def blocked(tmp_path):
    b = Blocked(tmp_path)
    yield b
    b.close()


def _fired(d):
    out = []
    d.addBoth(out.append)
    return out


def test_notice_is_shown_and_log_booked_at_once_and_written_on_recovery(blocked, data_file):
    raw = data_file(FILES[0]).read_bytes()
    d = blocked.intake.receive(raw, "vtp://a:1")
    result = _fired(d)
    [arrival] = blocked.arrivals
    assert arrival.archived is False and arrival.notice.raw == raw and arrival.source == "vtp://a:1"
    assert blocked.book.path.read_text().splitlines() == [format_line(arrival.notice, 1000)]
    assert blocked.problems[0].startswith("ARCHIVE FAILED: ")  # what the escalation (notify) reacts to
    assert "NOT ARCHIVED yet" in blocked.problems[0]
    assert result == []  # not written: the source must not ack or commit yet
    blocked.clock.advance(5)
    assert result == []  # still blocked: retried, still waiting
    blocked.unblock()
    blocked.clock.advance(5)
    assert result == [arrival.notice]
    record = blocked.archive.get(arrival.notice.ivorn)
    assert record.raw == raw and record.received == 1000 and record.source == "vtp://a:1"
    assert "writable again after 10 s: 1 held packet(s) written" in blocked.problems[-1]
    # it was handed on already: a re-delivery now is a duplicate, not a second alert
    assert blocked.intake.receive(raw, "vtp://b:2") is None and len(blocked.arrivals) == 1


def test_held_packets_are_written_in_arrival_order_and_duplicates_shown_once(blocked, data_file):
    raws = [data_file(name).read_bytes() for name in FILES]
    results = [_fired(blocked.intake.receive(raw, "vtp://a:1")) for raw in raws]
    dup = _fired(blocked.intake.receive(raws[1], "kafka:t"))  # same IVORN by another path, while held
    assert [a.notice.raw for a in blocked.arrivals] == raws  # each shown once
    blocked.unblock()
    # the next packet flushes the hold first, then goes in behind it
    later = data_file("aware/icecube_cascade.xml").read_bytes()
    assert blocked.intake.receive(later, "vtp://a:1") is not None
    assert [r[0].raw for r in results] == raws and dup == [None]
    rows = blocked.archive.recent(10)[::-1]
    assert [r.raw for r in rows] == [*raws, later]  # row order is arrival order
    assert [r.received for r in rows] == [1000, 1001, 1002, 1003, 1005]
    assert blocked.archive.get(parse(raws[1]).ivorn).duplicates == 1
    assert blocked.archive.sightings(parse(raws[1]).ivorn) == [("vtp://a:1", 1001), ("kafka:t", 1004)]


def test_a_full_hold_shows_the_notice_once_and_refuses_to_keep_it(tmp_path, data_file, caplog):
    b = Blocked(tmp_path, max_packets=2)
    raws = [data_file(name).read_bytes() for name in FILES[:3]]
    try:
        b.intake.receive(raws[0], "kafka:t")
        b.intake.receive(raws[1], "kafka:t")
        with pytest.raises(ArchiveFull, match="NOT KEPT.*memory hold is full \\(2 packets"):
            b.intake.receive(raws[2], "kafka:t")
        with pytest.raises(ArchiveFull):  # Kafka seeks back and offers it again: not a second alert
            b.intake.receive(raws[2], "kafka:t")
        assert [a.notice.raw for a in b.arrivals] == raws
        assert sum("NOT KEPT" in p for p in b.problems) == 1  # offered twice, said once
        b.unblock()
        assert b.intake.receive(raws[2], "kafka:t") is None  # room again: archived, already shown
        assert len(b.archive.recent(10)) == 3
    finally:
        b.close()


def test_a_copy_of_a_held_packet_waits_with_it_even_when_the_hold_is_full(tmp_path, data_file):
    b = Blocked(tmp_path, max_packets=1)
    raw = data_file(FILES[0]).read_bytes()
    try:
        first = _fired(b.intake.receive(raw, "kafka:t"))
        again = _fired(b.intake.receive(raw, "kafka:t"))  # a rebalance re-delivers the uncommitted one
        assert first == again == [] and len(b.arrivals) == 1 and len(b.backlog) == 1
        assert not any("NOT KEPT" in p for p in b.problems)
        b.unblock()
        b.clock.advance(b.backlog.retry)
        assert first == [b.arrivals[0].notice] and again == [None]  # both committed once it is written
        assert len(b.archive.recent(10)) == 1
    finally:
        b.close()


def test_an_unreadable_packet_is_held_then_kept_as_a_reject(blocked):
    result = _fired(blocked.intake.receive(b"<VOEvent garbage", "vtp://a:1"))
    assert result == [] and blocked.arrivals == []
    blocked.unblock()
    blocked.clock.advance(5)
    [failure] = result
    assert failure.check(NoticeError)  # acknowledged like any unreadable packet we hold
    [reject] = blocked.archive.rejects()
    assert reject.raw == b"<VOEvent garbage" and reject.source == "vtp://a:1"


def test_one_line_per_failure_and_a_summary_a_minute_no_traceback(blocked, data_file, caplog):
    caplog.set_level(logging.INFO, logger="gcnmon")
    raws = [data_file(name).read_bytes() for name in FILES]
    for raw in raws:
        blocked.intake.receive(raw, "vtp://a:1")
    blocked.clock.advance(59)
    held_lines = [r for r in caplog.records if "held in memory until it can" in r.getMessage()]
    assert len(held_lines) == 4 and not any(r.exc_info for r in caplog.records)
    assert not any("still not writable" in r.getMessage() for r in caplog.records)  # 11 retries, no line
    blocked.clock.advance(1)
    [summary] = [r.getMessage() for r in caplog.records if "still not writable" in r.getMessage()]
    assert "4 packet(s) held in memory" in summary and "oldest held 60 s" in summary
    blocked.clock.advance(60)
    assert sum("still not writable" in r.getMessage() for r in caplog.records) == 2
    blocked.unblock()
    blocked.clock.advance(5)
    blocked.clock.advance(120)
    assert sum("still not writable" in r.getMessage() for r in caplog.records) == 2  # recovered: quiet
    assert "writable again after 125 s: 4 held packet(s) written" in caplog.text


def test_what_is_still_held_at_exit_is_named(blocked, data_file, caplog):
    raw = data_file(FILES[0]).read_bytes()
    blocked.intake.receive(raw, "vtp://a:1")
    lost = blocked.intake.close()
    assert lost == [f"{parse(raw).ivorn} from vtp://a:1"]
    assert "1 packet(s) held in memory were never archived" in caplog.text


def test_the_hold_is_bounded_as_configured(tmp_path):
    from gcnmon.backlog import backlog_from_config
    from gcnmon.config import ConfigError, load_config

    cfg = load_config(None,
                      {"archive.hold_packets": 3, "archive.hold_mb": 1.5, "archive.retry": 2})
    backlog = backlog_from_config(cfg.section("archive"))
    assert (backlog.max_packets, backlog.max_bytes, backlog.retry) == (3, 3 << 19, 2.0)
    defaults = backlog_from_config(load_config(None, {}).section("archive"))
    assert (defaults.max_packets, defaults.max_bytes, defaults.retry) == (20000, 256 << 20, 5.0)
    with pytest.raises(ConfigError, match="archive.hold_packets"):
        load_config(None, {"archive.hold_packets": 0})
