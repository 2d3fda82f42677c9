"""Issue 13's rules in the arbiter, under the fake clock: real beats test, act alerts never vanish, a
retraction reaches the observer who acted, a refinement after a send, "Offer again", the age limits,
and one decision per arriving notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from policy_packets import FakeClock
from test_policy_arbiter import ACT, IGNORE, INFORM, notice

from gcnmon.notice.model import Citation, Notice
from gcnmon.policy import Arbiter, Fact, Policy


@pytest.fixture
def clock():
    return FakeClock.at("2014-11-13T20:00:00")


def fresh(clock, *args, **kw) -> Notice:
    """A notice whose trigger was two minutes ago (the age limits let it ring)."""
    kw.setdefault("time", clock() - timedelta(minutes=2))
    return notice(*args, **kw)


def make(clock, events=None, **kw) -> Arbiter:
    policy = Policy((ACT, INFORM, IGNORE), INFORM, **kw.pop("policy", {}))
    arb = Arbiter(policy, clock=clock, **kw)
    if events is not None:
        arb.subscribe(events.append)
    return arb


def slewed(arb, alert, ra=10.0, dec=20.0, err=0.05):
    return arb.report(alert, Fact("slew", True, "slew accepted", "slew: accepted", (ra, dec, err)))


# -- a real notice outranks a test notice of any group --------------------------------------------

def test_real_inform_replaces_a_test_act_dialog(clock):
    arb = make(clock, policy={"test": True})
    test = arb.offer(fresh(clock, "Swift", "1", is_test=True)).alert
    real = arb.offer(fresh(clock, "Fermi", "2", "GBM_Alert"))
    assert real.kind == "Show" and arb.current is real.alert and real.alert.replaced is test
    assert "(real, priority 20 > test, priority 30)" in real.log_line


def test_a_test_act_notice_never_hides_a_real_one(clock):
    arb = make(clock, policy={"test": True})
    real = arb.offer(fresh(clock, "Fermi", "2", "GBM_Alert")).alert
    test = arb.offer(fresh(clock, "Swift", "1", is_test=True))
    assert test.kind == "Listed" and arb.current is real
    assert "(test, priority 30 <= real, priority 20)" in test.log_line


# -- an act alert listed behind another dialog is offered when it closes ---------------------------

def test_log_mode_offers_a_listed_act_alert_when_the_dialog_closes(clock):
    events = []
    arb = make(clock, events)
    bat = arb.offer(fresh(clock, "Swift", "100")).alert
    clock.advance(60)
    xrt = arb.offer(fresh(clock, "SVOM", "sb2", "eclairs-wakeup"))
    gbm = arb.offer(fresh(clock, "Fermi", "3", "GBM_Alert"))
    assert (xrt.queued, xrt.attention, gbm.queued, gbm.attention) == (True, True, False, False)
    clock.advance(60)
    closed, shown = arb.report(bat, Fact("ack"))[1:]
    assert closed.kind == "Close" and closed.reason == "observer: acknowledged"
    assert shown.kind == "Show" and shown.alert is xrt.alert and shown.why == "queue" and shown.ring
    assert shown.log_line.endswith("from the queue, 3540 s of its timeout left")
    assert arb.queue == []  # the inform one is not brought back in "log" mode


def test_a_listed_act_alert_whose_timeout_ran_out_is_not_offered(clock):
    arb = make(clock)
    arb.offer(fresh(clock, "Swift", "100"))
    arb.offer(fresh(clock, "SVOM", "sb2", "eclairs-wakeup"))  # its hour ends with the Swift dialog's
    clock.advance(60)
    arb.offer(fresh(clock, "Swift", "101", "XRT_Pos"))  # its hour ends a minute later
    clock.advance(3540)
    closed, shown = arb.tick()
    assert closed.alert.notice.trigger_id == "100" and shown.alert.notice.trigger_id == "101"
    assert shown.log_line.endswith("from the queue, 60 s of its timeout left") and arb.queue == []


# -- retractions ----------------------------------------------------------------------------------

def test_retraction_of_an_event_slewed_to_reopens_the_dialog_with_its_sound(clock):
    events = []
    arb = make(clock, events)
    alert = arb.offer(fresh(clock, "Swift", "5", serial=1)).alert
    slewed(arb, alert)
    arb.report(alert, Fact("close"))
    assert arb.current is None and alert.closed == "observer: closed after the TCS command"
    clock.advance(600)
    retraction = fresh(clock, "Swift", "5", serial=2, flags=frozenset({"not_grb"}))
    shown = arb.offer(retraction, received=clock().timestamp())
    assert shown.kind == "Show" and shown.why == "retracted" and shown.ring and shown.alert is alert
    assert shown.notice is retraction and shown.decision == "retraction"
    assert alert.retracted and not alert.actionable and alert.deadline is None
    assert shown.log_line.startswith("SHOW    Swift BAT_GRB_Pos #5 [act]: not a GRB: ")
    assert shown.log_line.endswith("; the observer had slewed to it")
    clock.advance(7200)
    assert arb.tick() == [] and arb.current is alert  # no countdown: it waits for the observer


def test_retraction_of_an_event_not_acted_on_is_only_listed(clock):
    arb = make(clock)
    alert = arb.offer(fresh(clock, "Swift", "5", serial=1)).alert
    arb.report(alert, Fact("ignore"))
    listed = arb.offer(fresh(clock, "Swift", "5", serial=2, is_retraction=True))
    assert listed.kind == "Listed" and arb.current is None and not listed.queued


def test_retraction_of_the_dialog_on_screen_after_a_send_rings(clock):
    arb = make(clock)
    alert = arb.offer(fresh(clock, "Swift", "5", serial=1)).alert
    arb.report(alert, Fact("send", True, "send accepted", "send: accepted", (10.0, 20.0, 0.05)))
    retract = arb.offer(fresh(clock, "Swift", "5", serial=2, is_retraction=True))
    assert retract.kind == "Retract" and retract.ring and alert.deadline is None
    assert retract.log_line.endswith("actions withdrawn; the observer had sent it")


def test_a_retraction_behind_a_higher_dialog_waits_for_it(clock):
    arb = make(clock)
    alert = arb.offer(fresh(clock, "Swift", "5")).alert
    slewed(arb, alert)
    arb.report(alert, Fact("close"))
    other = arb.offer(fresh(clock, "SVOM", "sb7", "eclairs-wakeup")).alert
    listed = arb.offer(fresh(clock, "Swift", "5", serial=2, is_retraction=True))
    assert listed.kind == "Listed" and listed.queued and arb.current is other
    clock.advance(86400)  # a retraction of what the telescope did never expires while it waits
    shown = arb.report(other, Fact("ack"))[-1]
    assert shown.kind == "Show" and shown.alert is alert and alert.retracted


def test_anything_new_replaces_a_retracted_dialog(clock):
    arb = make(clock)
    arb.offer(fresh(clock, "Swift", "5"))
    arb.offer(fresh(clock, "Swift", "5", serial=2, is_retraction=True))
    inform = arb.offer(fresh(clock, "Fermi", "6", "GBM_Alert"))
    assert inform.kind == "Show" and "(real, priority 20 > retracted)" in inform.log_line


# -- "Offer again" belongs to the arbiter ------------------------------------------------------------

def test_offer_again_of_a_retracted_event_shows_it_retracted(clock):
    arb = make(clock)
    first = fresh(clock, "Swift", "5")
    alert = arb.offer(first).alert
    arb.offer(fresh(clock, "Swift", "5", serial=2, is_retraction=True))
    arb.report(alert, Fact("ack"))
    clock.advance(300)
    again = arb.offer_again(first)
    assert again.kind == "Show" and again.alert is alert and again.why == "again" and not again.ring
    assert alert.retracted and not alert.actionable and alert.deadline is None
    assert again.log_line.startswith("REOPEN  Swift BAT_GRB_Pos #5 [act]: offered again by the observer")
    assert again.notice is None  # not an arrival: nothing new to list


def test_offer_again_after_a_restart_reads_the_retraction_from_the_archive(clock):
    arb = make(clock)
    first = fresh(clock, "Swift", "5")
    retraction = fresh(clock, "Swift", "5", serial=2, is_retraction=True)
    again = arb.offer_again(first, related=[first, retraction])
    assert again.kind == "Show" and again.alert.retracted and not again.alert.actionable


def test_offer_again_gives_a_fresh_timeout_and_queues_the_act_dialog_it_covers(clock):
    arb = make(clock)
    old = fresh(clock, "Swift", "5")
    arb.report(arb.offer(old).alert, Fact("ignore"))
    clock.advance(100)
    shown = arb.offer(fresh(clock, "Swift", "6")).alert
    again = arb.offer_again(old)
    assert again.alert.deadline == clock() + timedelta(hours=1) and again.alert.actionable
    assert arb.queue == [shown]  # the act alert it covered comes back when it closes
    assert arb.report(again.alert, Fact("ignore"))[-1].alert is shown


# -- a refinement of an event already sent ---------------------------------------------------------

def test_better_position_after_a_slew_reopens_with_what_changed(clock):
    arb = make(clock)
    alert = arb.offer(fresh(clock, "Swift", "8", serial=1)).alert
    slewed(arb, alert)
    arb.report(alert, Fact("close"))
    clock.advance(300)
    xrt = fresh(clock, "Swift", "8", "XRT_Pos", serial=2, ra=10.01, dec=20.0, error_radius=0.001)
    shown = arb.offer(xrt)
    assert shown.kind == "Show" and shown.why == "refined" and shown.alert is alert and shown.ring
    assert alert.actionable and alert.acted == "slew" and alert.acted_position == (10.0, 20.0, 0.05)
    assert alert.best is xrt and {"ra", "error_radius"} <= alert.changed and "dec" not in alert.changed
    assert shown.log_line.endswith("; the telescope is on the previous position (slew)")
    assert alert.deadline == clock() + timedelta(hours=1)


def test_refinement_of_the_dialog_on_screen_keeps_what_was_sent(clock):
    arb = make(clock)
    alert = arb.offer(fresh(clock, "Swift", "8", serial=1)).alert
    slewed(arb, alert)
    update = arb.offer(fresh(clock, "Swift", "8", "XRT_Pos", serial=2, ra=10.01, error_radius=0.001))
    assert update.kind == "Update" and alert.acted_position == (10.0, 20.0, 0.05) and alert.actionable


def test_a_failed_slew_is_not_an_action_taken(clock):
    arb = make(clock)
    alert = arb.offer(fresh(clock, "Swift", "8")).alert
    failed = Fact("slew", False, "slew failed", "slew: failed (unreachable)", (10.0, 20.0, 0.05))
    acted = arb.report(alert, failed)
    assert acted[0].kind == "Acted" and acted[0].fact.record == "slew failed"
    assert alert.acted is None and arb.current is alert


# -- only fields whose values changed --------------------------------------------------------------

def test_visibility_is_not_changed_by_time_passing(clock):
    from gcnmon.policy import Visibility
    from gcnmon.sky import SITE_PRESETS

    arb = make(clock, visibility=Visibility(SITE_PRESETS["BTA"]))
    first = fresh(clock, "Swift", "8", serial=1, significance=8.0)
    arb.offer(first)
    clock.advance(1200)  # twenty minutes: the altitude has moved, the verdict line with it
    update = arb.offer(notice("Swift", "8", serial=2, significance=9.0, time=first.time))
    assert update.changed == {"serial", "significance"}


# -- the age limits --------------------------------------------------------------------------------

def test_a_trigger_older_than_max_trigger_age_is_listed_never_shown(clock):
    events = []
    arb = make(clock, events)
    old = notice("Swift", "9", time=clock() - timedelta(days=2512))
    listed = arb.offer(old)
    assert listed.kind == "Listed" and arb.current is None and not listed.queued
    assert listed.reason == "old trigger, not offered: 2512 d since the trigger > max_trigger_age 24.0 h"
    assert arb.offer(notice("Swift", "10", time=clock() - timedelta(hours=23.9))).kind == "Show"


def test_a_kafka_backlog_message_is_listed_never_rung(clock):
    arb = make(clock)
    # arrived (or was created) seven hours ago, handed on only now (a backlog read after a restart)
    late = fresh(clock, "Swift", "11")
    listed = arb.offer(late, received=(clock() - timedelta(hours=7)).timestamp())
    assert listed.kind == "Listed" and listed.reason.startswith("old notice, not offered: message 7.0 h old")


def test_the_age_limits_can_be_switched_off(clock):
    arb = make(clock, policy={"max_trigger_age": None})
    assert arb.offer(notice("Swift", "9", time=clock() - timedelta(days=2512))).kind == "Show"


def test_the_age_limits_come_from_policy_config():
    from gcnmon.config import ConfigError
    from gcnmon.policy import policy_from_config

    groups = [{"name": "act", "priority": 1, "action": "act"}]
    policy = policy_from_config({"policy": {"default_group": "act"}, "groups": groups})
    assert (policy.max_message_age, policy.max_trigger_age) == (6 * 3600, 24 * 3600)
    policy = policy_from_config({"policy": {"default_group": "act", "max_trigger_age": 0,
                                            "max_message_age": 600}, "groups": groups})
    assert (policy.max_message_age, policy.max_trigger_age) == (600, None)
    with pytest.raises(ConfigError, match="max_trigger_age must be >= 0"):
        policy_from_config({"policy": {"default_group": "act", "max_trigger_age": -1}, "groups": groups})


# -- one decision per arriving notice, carrying it -------------------------------------------------

def test_every_arrival_gets_exactly_one_decision_that_carries_it(clock):
    events = []
    arb = make(clock, events)
    notices = [fresh(clock, "Swift", "1"), fresh(clock, "Fermi", "2", "GBM_Alert"),
               fresh(clock, "Swift", "1", serial=2, ra=10.001, error_radius=0.01),
               fresh(clock, "Swift", "3", is_test=True),
               Notice(ivorn="ivo://x#r", role="observation", raw=b"", mission="Swift", is_retraction=True,
                      cites=(Citation("ivo://test/Swift#BAT_GRB_Pos_1_0", "retraction"),))]
    t = clock().timestamp()
    for i, n in enumerate(notices):
        arb.offer(n, received=t + i)
    arrivals = [(e.kind, e.notice.ivorn, e.received - t) for e in events if e.notice is not None]
    assert arrivals == [("Show", notices[0].ivorn, 0), ("Listed", notices[1].ivorn, 1),
                        ("Update", notices[2].ivorn, 2), ("Ignored", notices[3].ivorn, 3),
                        ("Retract", notices[4].ivorn, 4)]
    assert [e.decision for e in events if e.notice] == ["shown", "listed", "update", "ignored", "retraction"]
