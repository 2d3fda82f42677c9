"""The window and the log book never show a password typed into a URL (a TCS error may quote its URL)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui

SECRET = "Zq7hunter2pw"


def test_ui_problem_line_tcs_reply_and_log_book_are_scrubbed(make_app):
    app = make_app(4)
    app.controller.problem(f"TCS http://astro:{SECRET}@tcs.example refused the connection")
    app.dialog.show_reply(f"cannot reach http://astro:{SECRET}@tcs.example", "failed")
    app.window.set_tcs(f"Zeiss-1000 at http://astro:{SECRET}@tcs.example: connecting…", False)
    shown = [app.window.statusBar().currentMessage(), app.dialog.reply.text(), app.window.tcs_label.text()]
    assert all(SECRET not in text and "astro:***@tcs.example" in text for text in shown), shown
    app.logbook.close()
    book = app.logbook.path.read_text()
    assert SECRET not in book and "PROBLEM TCS http://astro:***@tcs.example refused" in book
