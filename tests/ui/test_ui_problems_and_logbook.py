"""What goes wrong reaches the observer, and every decision reaches the log book."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _logbook(app) -> str:
    app.logbook.close()  # flush; the log book reopens itself on the next line
    return app.logbook.path.read_text()


def test_ui_unreadable_packet_is_kept_shown_in_the_status_bar_and_log_book(make_app):
    from gcnmon.notice import NoticeError

    app = make_app(4)
    with pytest.raises(NoticeError):
        app.intake.receive(b"<voe:VOEvent broken", "vtp://relay:8099")
    message = app.window.statusBar().currentMessage()
    assert "unreadable packet from vtp://relay:8099 (kept as reject #1): malformed XML" in message
    assert "PROBLEM unreadable packet from vtp://relay:8099" in _logbook(app)
    (reject,) = app.archive.rejects(5)
    assert reject.raw == b"<voe:VOEvent broken"
    assert app.dialog.isHidden()  # nothing to alert about, and the app goes on


def test_ui_archive_failure_is_shown_and_not_acknowledged(make_app, make_notice, tmp_path):
    from twisted.internet import defer

    app = make_app(4)
    app.archive.close()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the archive folder should be")
    app.archive.path = blocked / "archive.sqlite"
    held = app.intake.receive(make_notice("bat").raw, "vtp://relay:8099")  # "<VOEvent/>": a reject
    assert isinstance(held, defer.Deferred) and not held.called  # acknowledged only once written
    held.addErrback(lambda _: None)
    assert ("ARCHIVE FAILED: unreadable packet from vtp://relay:8099 (not archived yet)"
            in app.window.statusBar().currentMessage())


def test_ui_every_decision_is_a_log_book_line(make_app, make_notice, feed, clock):
    app = make_app(4)
    feed(app, make_notice("bat", trigger="1165960"))
    clock.advance(30)
    feed(app, make_notice("gbm", trigger="790000010"))
    text = _logbook(app)
    assert "SHOW    Swift BAT" in text and "#1165960 [act]" in text
    assert "LIST    Fermi GBM" in text and "not shown" in text
