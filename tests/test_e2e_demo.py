"""End to end, as an observer meets it: `gcnmon demo` offscreen, a notice, "Send and Slew", the record.

Real pieces only: the story's packets go over VTP on loopback to the monitor, the dialog's button is
clicked with qtbot, the Zeiss XML-RPC simulator (a real twisted.web server) records the command. Only
the story's pacing runs on a ``task.Clock`` that the test advances step by step.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _advance(pace, wait_until) -> None:
    """Release the next step once the feed waits for it (an earlier advance would be lost)."""
    wait_until(lambda: pace.getDelayedCalls(), 10)
    pace.advance(pace.getDelayedCalls()[0].getTime() - pace.seconds())


def test_demo_notice_slew_and_every_line_recorded(qtbot, tmp_path, wait_for, wait_until):
    from PySide6.QtCore import Qt
    from twisted.internet import task

    from gcnmon.archive import Archive
    from gcnmon.demo import STORY, load_story, start_demo
    from gcnmon.logbook import describe
    from gcnmon.notice import parse

    pace, said = task.Clock(), []
    session = start_demo("zeiss", interval=10, keep=tmp_path, muted=True, pace_clock=pace, show=False,
                         say=said.append)
    app, telescope = session.app, session.sim.telescope
    try:
        wait_until(lambda: app.dialog.isVisible(), 15)
        slew = app.dialog.buttons["slew"]
        assert slew.isVisible() and slew.isEnabled() and slew.text() == "Send and Slew"
        move = session.moves[0]
        assert move.altitude > 90 - telescope.site.zenith_limit  # up: the altitude check will pass
        qtbot.mouseClick(slew, Qt.LeftButton)
        wait_until(lambda: [c.kind for c in telescope.commands] == ["target", "slew"], 10)
        sent, slewed = telescope.commands
        assert sent.accepted and slewed.accepted and slewed.user == "astronomer"
        assert sent.target.name == "SVOM sb26021102"
        assert sent.target.ra == pytest.approx(move.new_ra, abs=1e-3)
        assert sent.target.dec == pytest.approx(move.new_dec, abs=1e-3)
        assert telescope.state() == "slewing"
        wait_until(lambda: app.dialog.reply.isVisible(), 5)
        assert "slew: accepted" in app.dialog.reply.text()
        # The demo polls the simulator once a second for the main window's TCS status.
        wait_until(lambda: "sim: slewing to SVOM sb26021102" in app.window.tcs_label.text(), 5)
        for count in range(2, len(STORY) + 1):
            _advance(pace, wait_until)
            wait_until(lambda count=count: len(app.archive.recent(50)) == count, 10)
        wait_until(lambda: app.dialog.retracted, 5)
        assert not slew.isEnabled()
    finally:
        wait_for(session.stop(), 10)

    notices = [parse(payload) for _, payload in load_story()]
    archive = Archive(tmp_path / "archive.sqlite")
    try:
        records = {r.ivorn: r for r in archive.recent(50)}
        assert set(records) == {n.ivorn for n in notices}
        assert all(r.source.startswith("vtp") for r in records.values())
        archived = [parse(records[n.ivorn].raw) for n in notices]  # as received: positions moved
        shown = archived[0]
        assert shown.ra == pytest.approx(move.new_ra, abs=1e-3)
        assert shown.dec == pytest.approx(move.new_dec, abs=1e-3)
        actions = archive.actions(notices[0].ivorn)
        # the arbiter's decision, then the TCS's reply
        assert [a.action for a in actions] == ["shown", "slew accepted"]
        assert "Slewing to SVOM sb26021102" in actions[1].detail
    finally:
        archive.close()

    book = session.logbook_path.read_text(encoding="utf-8")
    assert session.logbook_path.name == "gcn_client_zeiss.log"
    for notice in archived:
        assert describe(notice) in book, describe(notice)
    assert f"DEMO    {move.line}" in book
    assert "TCS     Zeiss-1000 (XML-RPC): connect accepted" in book
    assert "observer clicked slew" in book
    assert "Slewing to SVOM sb26021102" in book
    assert "DEMO    simulated telescope slewing to SVOM sb26021102" in book
    assert any("step 7/7" in line for line in said)
