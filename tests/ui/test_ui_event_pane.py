"""The event pane: one event's notices, decisions, observer actions, TCS replies and circulars, with links."""

from __future__ import annotations

from pathlib import Path

from gcnmon.story.intake import CircularIntake

DATA = Path(__file__).parents[1] / "data"


def _circular(app, trigger: str, number: int, when: float) -> bytes:
    body = (f'{{"circularId": {number}, "subject": "GRB 261122A: Swift-BAT refined analysis", '
            f'"eventId": "GRB 261122A", "createdOn": {int(when * 1000)}, '
            f'"body": "Swift-BAT triggered on GRB 261122A (trigger={trigger}).\\nWe report ..."}}')
    return body.encode()


def test_event_reads_as_one_story(make_app, feed, make_notice, clock, wait_until, qtbot):
    app = make_app(4)
    first = make_notice("bat", serial=1)
    feed(app, first)
    app.dialog.buttons["slew"].click()  # the TCS answers: the reply is part of the story
    wait_until(lambda: app.dialog.reply.isVisible(), 5)
    app.dialog.buttons["ignore"].click()
    clock.advance(300)
    feed(app, make_notice("bat", serial=2, error_radius=0.01, ivorn="ivo://test/bat#1165948_2"))
    app.dialog.buttons["ack"].click()
    clock.advance(3600)
    CircularIntake(app.archive, clock=lambda: clock().timestamp()).receive(
        _circular(app, "1165948", 41001, clock().timestamp()), "kafka:gcn.circulars")
    CircularIntake(app.archive).receive(_circular(app, "999999", 41002, clock().timestamp()),
                                        "kafka:gcn.circulars")  # another event's: not in this story
    app.window.selected.emit(first.ivorn)
    pane = app.window.detail.event_pane
    kinds = [e.kind for e in pane.entries()]
    assert kinds.count("notice") == 2 and kinds.count("circular") == 1
    assert "tcs" in kinds and "action" in kinds and "decision" in kinds
    whens = [e.when for e in pane.entries()]
    assert whens == sorted(whens)
    decisions = [e.text for e in pane.entries() if e.kind == "decision"]
    assert decisions[0].startswith("SHOW ") and any(d.startswith("UPDATE ") or d.startswith("SHOW ")
                                                    for d in decisions[1:])
    tcs = next(e for e in pane.entries() if e.kind == "tcs")
    assert tcs.text.startswith("slew accepted") and "Start Slewing to new object" in tcs.detail
    row = kinds.index("circular")
    assert pane.list.topLevelItem(row).text(2) == "GCN 41001: GRB 261122A: Swift-BAT refined analysis"
    pane.select(row)  # the click shows the body
    assert "trigger=1165948" in pane.detail.toPlainText()
    assert "Swift 1165948" in pane.title.text() and "2 notice(s) · 1 circular(s)" in pane.title.text()
    links = pane.links.text()
    assert "href='https://gcn.gsfc.nasa.gov/other/1165948.swift'" in links
    assert "href='https://gcn.nasa.gov/circulars?query=1165948'" in links
    assert pane.links.openExternalLinks()  # the desktop's browser opens them


def test_a_new_circular_about_the_shown_event_appears(make_app, feed, make_notice, clock):
    from gcnmon.app import _circular_arrived
    from gcnmon.story.circulars import parse_circular

    app = make_app(None)
    notice = make_notice("bat")
    feed(app, notice)
    app.window.selected.emit(notice.ivorn)
    pane = app.window.detail.event_pane
    assert [e.kind for e in pane.entries()].count("circular") == 0
    raw = _circular(app, "1165948", 41003, clock().timestamp() + 60)
    CircularIntake(app.archive).receive(raw, "kafka:gcn.circulars")
    _circular_arrived(app.window, app.archive, app.decisions, parse_circular(raw))  # as on_circular does
    assert [e.ref for e in pane.entries() if e.kind == "circular"] == ["41003"]
    assert "GCN Circular 41003" in app.window.statusBar().currentMessage()


def test_notice_without_event_clears_the_pane(make_app, feed, make_notice):
    app = make_app(None)
    notice = make_notice("gbm", trigger=None, ivorn="ivo://test/none#1")
    feed(app, notice)
    app.window.selected.emit(notice.ivorn)
    assert app.window.detail.event_pane.story is None
    assert app.window.detail.event_pane.list.topLevelItemCount() == 0
    assert app.window.detail.ivorn == notice.ivorn  # its fields are shown all the same
