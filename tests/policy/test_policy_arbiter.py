"""The one-dialog arbiter under a fake clock: show, preempt, list, queue, refine, retract, time out."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from policy_packets import FakeClock, load

from gcnmon.notice.model import Citation, Notice
from gcnmon.policy import Arbiter, Group, Policy, Rule

ACT = Group("act", 30, "act", 3600.0,
            rules=(Rule("Swift", mission=("swift",)), Rule("SVOM", mission=("svom",))))
INFORM = Group("inform", 20, "inform", 600.0, rules=(Rule("Fermi", mission=("fermi",)),))
IGNORE = Group("ignore", 0, "ignore", 60.0, rules=(Rule("lc", flags=frozenset({"lightcurve"})),))


def notice(mission="Swift", trigger="1", ntype="BAT_GRB_Pos", **kw) -> Notice:
    kw.setdefault("ra", 10.0)
    kw.setdefault("dec", 20.0)
    kw.setdefault("error_radius", 0.05)
    return Notice(
        ivorn=f"ivo://test/{mission}#{ntype}_{trigger}_{kw.get('serial', 0)}",
        role="observation",
        raw=b"",
        mission=mission,
        notice_type=ntype,
        trigger_id=trigger,
        **kw,
    )


@pytest.fixture
def clock():
    return FakeClock.at("2014-11-13T20:00:00")


def arbiter(clock, events, **kw) -> Arbiter:
    policy = Policy((ACT, INFORM, IGNORE), INFORM, **kw.pop("policy", {}))
    return Arbiter(policy, clock=clock, on_event=events.append, **kw)


def kinds(events):
    return [(e.kind, getattr(e, "alert", None) and e.alert.notice.trigger_id) for e in events]


def test_show_then_timeout_then_nothing(clock):
    events = []
    arb = arbiter(clock, events)
    shown = arb.offer(notice())
    assert shown.kind == "Show" and arb.current is shown.alert
    assert shown.alert.deadline - shown.alert.opened == timedelta(hours=1)
    assert shown.log_line == "SHOW    Swift BAT_GRB_Pos #1 [act]: act: matches Swift"
    clock.advance(3599)
    assert arb.tick() == [] and arb.current.remaining(clock()) == 1.0
    clock.advance(1)
    (closed,) = arb.tick()
    assert closed.log_line == "CLOSE   Swift BAT_GRB_Pos #1 [act]: timeout after 3600 s on screen"
    assert arb.current is None and arb.tick() == [] and arb.close("acknowledged") == []


def test_higher_priority_preempts_lower_is_listed(clock):
    events = []
    arb = arbiter(clock, events)
    gbm = arb.offer(notice("Fermi", "437559466", "GBM_Alert")).alert
    clock.advance(10)
    bat = arb.offer(notice("Swift", "618556"))
    assert bat.kind == "Show" and bat.alert.replaced is gbm
    assert bat.log_line == (
        "SHOW    Swift BAT_GRB_Pos #618556 [act]: act: matches Swift (priority 30 > 20), "
        "replaces Fermi GBM_Alert #437559466 [inform]"
    )
    listed = arb.offer(notice("Fermi", "2", "GBM_Alert"))
    same = arb.offer(notice("SVOM", "sb1", "eclairs-wakeup"))
    assert [listed.kind, same.kind] == ["Listed", "Listed"] and not listed.queued
    # an act event behind another dialog waits for it, even in "log" mode
    assert same.queued and same.attention and not listed.attention
    assert same.log_line == (
        "LIST    SVOM eclairs-wakeup #sb1 [act]: not shown, Swift BAT_GRB_Pos #618556 [act] is on screen "
        "(priority 30 <= 30); queued"
    )
    assert list(arb.history) == [gbm, bat.alert] and arb.queue == [same.alert]
    # the replaced inform one is closed for good in "log" mode; the act one comes up
    assert kinds(arb.close("acknowledged")) == [("Close", "618556"), ("Show", "sb1")]


def test_queue_mode_offers_waiting_alerts_in_priority_order_unless_expired(clock):
    events = []
    arb = arbiter(clock, events, mode="queue")
    arb.offer(notice("Swift", "1"))
    clock.advance(60)
    gbm = arb.offer(notice("Fermi", "2", "GBM_Alert"))
    clock.advance(60)
    svom = arb.offer(notice("SVOM", "sb3", "eclairs-wakeup"))
    assert gbm.queued and svom.queued and gbm.log_line.endswith("; queued")
    assert [a.notice.trigger_id for a in arb.queue] == ["sb3", "2"]  # act before inform
    clock.advance(100)
    closed, shown = arb.close("acted: sent to TCS")
    assert closed.reason == "acted: sent to TCS" and shown.alert.notice.trigger_id == "sb3"
    assert shown.log_line.endswith("from the queue, 3500 s of its timeout left")
    assert shown.alert.deadline == shown.alert.received + timedelta(hours=1)
    # the GBM alert's 600 s ran out while SVOM was on screen: dropped, not shown
    clock.advance(500)
    assert kinds(arb.close("ignored")) == [("Close", "sb3")] and arb.queue == []


def test_queue_mode_requeues_a_preempted_alert(clock):
    arb = arbiter(clock, [], mode="queue")
    gbm = arb.offer(notice("Fermi", "2", "GBM_Alert")).alert
    arb.offer(notice("Swift", "1"))
    assert arb.queue == [gbm]
    _, back = arb.close("acknowledged")
    assert back.alert is gbm and back.alert.opened == gbm.received


def test_refinement_updates_in_place_and_extends_timeout(clock):
    arb = arbiter(clock, [])
    alert = arb.offer(notice("Swift", "7", serial=1, significance=8.0)).alert
    clock.advance(1800)
    xrt = notice("Swift", "7", "XRT_Pos", ra=10.01, dec=20.02, error_radius=0.001, serial=2, instrument="XRT")
    update = arb.offer(xrt)
    assert update.kind == "Update" and update.alert is alert and alert.notice is xrt
    assert update.changed == {
        "ra", "dec", "error_radius", "instrument", "notice_type", "serial", "significance"
    }
    assert update.log_line == (
        "UPDATE  Swift XRT XRT_Pos #7 [act]: same Swift trigger 7; "
        "changed dec, error_radius, instrument, notice_type, ra, serial, significance"
    )
    assert alert.deadline == clock() + timedelta(hours=1) and len(alert.history) == 2
    # a worse position for the same event keeps the better one on screen
    worse = notice("Swift", "7", "BAT_GRB_Pos", ra=11.0, error_radius=0.05, serial=3)
    assert arb.offer(worse).changed == {"instrument", "notice_type", "serial"}
    assert (alert.best.ra, alert.best.error_radius) == (10.01, 0.001)


def test_refinement_without_extension(clock):
    arb = arbiter(clock, [], policy={"refine_extends": False})
    alert = arb.offer(notice(serial=1)).alert
    clock.advance(1800)
    arb.offer(notice(serial=2, ra=10.5))
    assert alert.deadline == alert.received + timedelta(hours=1)


def test_refinement_from_a_higher_group_upgrades_the_alert(clock):
    grm_rule, eclairs_rule = Rule("GRM", instrument=("grm",)), Rule("ECLAIRs", instrument=("eclairs",))
    act = Group("act", 30, "act", 3600.0, rules=(eclairs_rule,))
    inform = Group("inform", 20, "inform", 600.0, rules=(grm_rule,))
    arb = Arbiter(Policy((act, inform), inform), clock=clock)
    alert = arb.offer(
        notice("SVOM", "sb9", "grm-trigger", instrument="GRM", ra=None, dec=None, error_radius=None)
    ).alert
    assert (alert.group.name, alert.actionable) == ("inform", False)
    clock.advance(120)
    update = arb.offer(notice("SVOM", "sb9", "eclairs-wakeup", instrument="ECLAIRs"))
    assert update.kind == "Update" and alert.group is act and alert.actionable
    assert alert.deadline == clock() + timedelta(hours=1)
    assert update.changed == {"ra", "dec", "error_radius", "instrument", "notice_type"}
    # and a later GRM notice of the same burst does not demote it
    arb.offer(notice("SVOM", "sb9", "grm-trigger", instrument="GRM", serial=2, ra=None, dec=None,
                     error_radius=None))
    assert alert.group is act and alert.best.instrument == "ECLAIRs"


def test_citation_links_series_and_retraction_withdraws(clock):
    arb = arbiter(clock, [])
    wake = notice("SVOM", "sb26020402", "grm-trigger")
    alert = arb.offer(wake).alert
    retraction = Notice(
        ivorn="ivo://org.svom/fsc#x_retraction", role="observation", raw=b"", mission="SVOM",
        notice_type="retraction", is_retraction=True, cites=(Citation(wake.ivorn, "retraction"),),
    )  # fmt: skip
    event = arb.offer(retraction)
    assert event.kind == "Retract" and alert.retracted and not alert.actionable
    assert event.log_line == (
        "RETRACT SVOM grm-trigger #sb26020402 [act]: retraction: SVOM retraction "
        f"(cites {wake.ivorn} (retraction)); actions withdrawn"
    )
    # still on screen, marked, its countdown stopped, until the observer closes it (or anything replaces it)
    assert arb.current is alert and alert.deadline is None and alert.remaining(clock()) is None
    clock.advance(7200)
    assert arb.tick() == [] and arb.current is alert


def test_real_svom_retraction_of_shown_burst(clock):
    arb = arbiter(clock, [])
    alert = arb.offer(load("gcn-notice-parser/grm_285.xml")).alert
    event = arb.offer(load("gcn-notice-parser/grm_286.xml"))
    assert event.kind == "Retract" and event.alert is alert
    assert event.reason == "retraction: SVOM ECLAIRs retraction #sb26020402 (same SVOM trigger sb26020402)"


def test_ignored_refinement_leaves_dialog(clock):
    arb = arbiter(clock, [])
    alert = arb.offer(notice("Swift", "3")).alert
    slew = notice("Swift", "3", "Point_Dir", flags=frozenset({"slew"}), ra=None, dec=None)
    event = arb.offer(slew)
    assert event.kind == "Ignored" and alert.history == [alert.notice]
    assert event.reason == (
        "slew/pointing notice (policy.slew = false) (same Swift trigger 3, dialog unchanged)"
    )


def test_queued_event_refined_and_withdrawn(clock):
    arb = arbiter(clock, [], mode="queue")
    arb.offer(notice("Swift", "1"))
    arb.offer(notice("Fermi", "8", "GBM_Alert", serial=1))
    refined = arb.offer(notice("Fermi", "8", "GBM_Flt_Pos", serial=2))
    assert refined.kind == "Listed"
    assert refined.reason == "refines queued Fermi GBM_Alert #8 (same Fermi trigger 8)"
    assert arb.queue[0].notice.notice_type == "GBM_Flt_Pos"
    gone = arb.offer(notice("Fermi", "8", "GBM_Flt_Pos", serial=3, flags=frozenset({"not_grb"})))
    assert gone.kind == "Ignored" and arb.queue == []
    assert gone.reason == (
        "not a GRB of queued Fermi GBM_Flt_Pos #8 (same Fermi trigger 8); removed from the queue"
    )


def test_offer_runs_pending_timeouts_first(clock):
    events = []
    arb = arbiter(clock, events)
    arb.offer(notice("Fermi", "1", "GBM_Alert"))
    clock.advance(601)
    arb.offer(notice("Fermi", "2", "GBM_Alert"))
    assert [e.kind for e in events] == ["Show", "Close", "Show"]


def test_every_event_is_one_log_line_and_a_broken_slot_is_survived(clock, caplog):
    def broken(event):
        raise RuntimeError("slot bug")

    arb = Arbiter(Policy((ACT, INFORM, IGNORE), INFORM), clock=clock, on_event=broken)
    with caplog.at_level(logging.INFO, logger="gcnmon.policy.arbiter"):
        event = arb.offer(notice())
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert info == [event.log_line]
    assert any("on_event failed for Show" in r.getMessage() for r in caplog.records)
    assert arb.current is event.alert


def test_bad_mode_is_refused(clock):
    with pytest.raises(ValueError):
        arbiter(clock, [], mode="stack")


def test_a_failing_verdict_costs_only_the_verdict(clock, caplog):
    class Broken:
        def for_notice(self, notice, when):
            raise ValueError("latitude out of range")

    arb = arbiter(clock, [], visibility=Broken())
    with caplog.at_level(logging.WARNING, logger="gcnmon.policy.arbiter"):
        shown = arb.offer(notice())
    assert shown.kind == "Show" and shown.alert.verdict is None
    assert "no visibility verdict for Swift BAT_GRB_Pos #1: latitude out of range" in caplog.text
