"""Escalation timings under a fake clock, driven by the real arbiter's events and real link states."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from gcnmon.config import load_config
from gcnmon.notice.model import Notice
from gcnmon.notify import Escalation
from gcnmon.policy import Arbiter, policy_from_config
from gcnmon.stream.link import LinkState

NIGHT = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = NIGHT

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def notice(kind="bat", trigger="1165948", serial=1, **changes) -> Notice:
    base = {
        "bat": dict(mission="Swift", instrument="BAT", notice_type="BAT_GRB_Pos", packet_type=61,
                    error_radius=0.05, significance=12.0),
        "gbm": dict(mission="Fermi", instrument="GBM", notice_type="GBM_Flt_Pos", packet_type=111,
                    error_radius=8.0),
    }[kind]
    made = Notice(ivorn=f"ivo://test/{kind}#{trigger}_{serial}", role="observation", raw=b"<VOEvent/>",
                  trigger_id=trigger, serial=serial, time=NIGHT - timedelta(seconds=90), ra=210.5,
                  dec=43.6, **base)
    return dataclasses.replace(made, **changes)


@pytest.fixture
def world():
    clock = Clock()
    sent = []
    escalation = Escalation(sent.append, clock=clock, station="BTA", unanswered_after=300, stale_after=600)
    arbiter = Arbiter(policy_from_config(load_config()), clock=clock, on_event=escalation.on_event)
    return clock, arbiter, escalation, sent


def test_an_act_alert_unanswered_for_five_minutes_escalates_once(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice())
    clock.advance(299)
    escalation.tick()
    assert sent == []
    clock.advance(1)
    escalation.tick()
    [message] = sent
    assert message.kind == "unanswered"
    assert "UNANSWERED for 5 min" in message.title and "Swift" in message.title
    assert "1165948" in message.body and "2026-11-22 20:05:00 UTC" in message.body
    assert "RA=14:02:00.00 Dec=+43:36:00.0" in message.body  # where: the position, sexagesimal
    assert "https://gcn.gsfc.nasa.gov/other/1165948.swift" in message.body  # the event's link
    clock.advance(600)
    escalation.tick()
    assert len(sent) == 1  # once per alert


def test_a_click_before_the_deadline_cancels_it(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice())
    clock.advance(200)
    escalation.answered("ack")
    arbiter.close("observer: acknowledged")
    clock.advance(400)
    escalation.tick()
    assert sent == []


def test_a_dialog_that_timed_out_unanswered_still_escalates(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice())
    arbiter.close("timeout after 120 s on screen")  # as a short group timeout would
    clock.advance(300)
    escalation.tick()
    assert [m.kind for m in sent] == ["unanswered"]


def test_inform_alerts_never_escalate(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice("gbm", trigger="700000000"))
    clock.advance(3600)
    escalation.tick()
    assert sent == []


def test_retraction_of_an_event_the_telescope_was_sent_to(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice())
    escalation.answered("slew")
    clock.advance(60)
    arbiter.offer(notice(serial=2, is_retraction=True, ivorn="ivo://test/bat#1165948_retract"))
    [message] = sent
    assert message.kind == "retraction" and "RETRACTED" in message.title
    assert "1165948" in message.body


def test_retraction_after_the_dialog_closed_still_reaches_them(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice())
    escalation.answered("send")
    arbiter.close("observer: acknowledged")
    clock.advance(1800)
    arbiter.offer(notice(serial=3, flags=frozenset({"not_grb"}), ivorn="ivo://test/bat#1165948_notgrb"))
    assert [m.kind for m in sent] == ["retraction"]


def test_retraction_of_an_event_nobody_acted_on_is_not_sent(world):
    clock, arbiter, escalation, sent = world
    arbiter.offer(notice())
    escalation.answered("ack")
    arbiter.close("observer: acknowledged")
    arbiter.offer(notice(serial=2, is_retraction=True, ivorn="ivo://test/bat#1165948_retract"))
    assert sent == []


def test_stale_link_after_ten_minutes_and_its_recovery(world):
    clock, _, escalation, sent = world
    link = LinkState("vtp", clock=clock.seconds)
    link.up("relay.example.org:8099")
    link.alive()
    escalation.watch(link, limit=150)
    clock.advance(150)
    escalation.tick()  # silent 150 s: stale from now
    clock.advance(1)
    escalation.tick()
    clock.advance(599)
    escalation.tick()
    assert sent == []
    clock.advance(1)
    escalation.tick()
    [stale] = sent
    assert stale.kind == "link" and "vtp link STALE for 10 min" in stale.title
    assert "relay.example.org:8099" in stale.body and "2026-11-22 20:00:00 UTC" in stale.body  # last packet
    clock.advance(300)
    escalation.tick()
    assert len(sent) == 1
    link.alive()
    escalation.tick()
    assert sent[1].kind == "link" and "recovered after 15 min" in sent[1].title


def test_a_short_outage_tells_nobody(world):
    clock, _, escalation, sent = world
    link = LinkState("kafka", clock=clock.seconds)
    escalation.watch(link, limit=150)
    escalation.tick()  # not connected yet: stale
    clock.advance(300)
    link.up("kafka.gcn.nasa.gov")
    link.alive()
    escalation.tick()
    clock.advance(3600 - 300)
    link.alive()
    escalation.tick()
    assert sent == []


def test_archive_failure_told_at_once_then_not_again_for_a_while(world):
    clock, _, escalation, sent = world
    escalation.archive_failed("ARCHIVE FAILED, packet from kafka not acknowledged: disk full")
    clock.advance(60)
    escalation.archive_failed("ARCHIVE FAILED, packet from kafka not acknowledged: disk full")
    assert [m.kind for m in sent] == ["archive"] and "disk full" in sent[0].body
    clock.advance(600)
    escalation.archive_failed("ARCHIVE FAILED again")
    assert len(sent) == 2


def test_relay_subscribers_falling_to_zero(world):
    _, _, escalation, sent = world
    escalation.subscribers(0)  # a relay that never had any: nothing fell
    escalation.subscribers(1)
    escalation.subscribers(2)
    escalation.subscribers(1)
    assert sent == []
    escalation.subscribers(0)
    [message] = sent
    assert message.kind == "relay" and "NO subscribers" in message.title


def test_a_failing_send_never_reaches_the_arbiter(world):
    clock, arbiter, escalation, _ = world

    def broken(message):
        raise RuntimeError("boom")

    escalation.send = broken
    arbiter.offer(notice())
    clock.advance(300)
    escalation.tick()  # logged, not raised
    assert arbiter.current is not None
