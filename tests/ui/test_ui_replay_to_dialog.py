"""End to end: a real VTP replay server on loopback -> subscriber -> intake -> arbiter -> visible dialog."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_ui_notice_from_a_local_replay_reaches_the_dialog(make_app, data_file, wait_for, wait_until, backend,
                                                          clock):
    from datetime import timedelta

    from gcnmon.commands.replay import Replayer, read_payloads
    from gcnmon.notice import parse

    # a fresh alert: two minutes after its trigger (an old trigger is only listed: [policy] max_trigger_age)
    clock.now = parse(data_file("aware/bat_alert_grb230228a.xml").read_bytes()).time + timedelta(minutes=2)

    replayer = Replayer(read_payloads([data_file("aware/bat_alert_grb230228a.xml")]), port=0, interval=0,
                        ack_timeout=10)
    port = replayer.listen()
    try:
        app = make_app(4, overrides={"sources.vtp": [f"127.0.0.1:{port}"]}, sources=True)
        assert [link.name for link in app.links] == ["vtp"]
        for source in app.sources:
            source.start()
        acks = wait_for(replayer.run(), 15)
        assert acks == 1  # acknowledged only after it was archived
        wait_until(lambda: app.dialog.isVisible(), 5)
    finally:
        wait_for(replayer.stop(), 5)
    values = {k: v.text() for k, v in app.dialog.values.items()}
    assert values["trigger"] == "1156572"
    assert values["ra"] == "01h13m36.8s"
    assert values["dec"] == "+44°29'19\""
    assert "Swift BAT" in app.dialog.band.text()
    assert backend.played == ["act.wav"]
    badge = app.window.links.badges[0]
    assert f"127.0.0.1:{port}" in badge.text()
    row = app.window.history_model.rows[0]
    assert (row.mission, row.trigger, row.group, row.action) == ("Swift", "1156572", "act", "shown")
    assert app.archive.get(row.ivorn).source.startswith("vtp")
