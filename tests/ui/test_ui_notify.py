"""The whole monitor escalates through apprise into a real SMTP server: an act alert nobody answers, a
stale source link and its recovery (fake clock; the mail server is aiosmtpd on 127.0.0.1 port 0)."""

from __future__ import annotations

import pytest
from loopback_servers import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.close()


def _notify(smtp, **extra):
    return {"notify.targets": [{"name": "duty", "url_env": "GCNMON_TEST_DUTY_URL"}], **extra}


def test_unanswered_act_alert_mails_the_duty_astronomer(make_app, feed, make_notice, clock, smtp, monkeypatch,
                                                        wait_until):
    monkeypatch.setenv("GCNMON_TEST_DUTY_URL", smtp.url("duty@example.org"))
    app = make_app(overrides=_notify(smtp))
    feed(app, make_notice("bat"))
    assert app.dialog.isVisible()
    clock.advance(299)
    app.escalation.tick()
    clock.advance(1)
    app.escalation.tick()
    wait_until(lambda: smtp.messages, 15)
    [mail] = smtp.messages
    assert "act alert UNANSWERED for 5 min" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "trigger: ID=1165948/1" in body and "2026-11-22 20:05:00 UTC" in body
    assert "verdict: OBSERVABLE now" in body  # the zenith of the BTA at night
    assert app.dialog.isVisible()  # the dialog is still there for whoever comes back


def test_an_answer_means_no_mail(make_app, feed, make_notice, clock, smtp, monkeypatch, qtbot):
    monkeypatch.setenv("GCNMON_TEST_DUTY_URL", smtp.url())
    app = make_app(overrides=_notify(smtp))
    feed(app, make_notice("bat"))
    clock.advance(120)
    app.dialog.buttons["ack"].click()
    clock.advance(600)
    app.escalation.tick()
    assert app.escalation.pending == {} and smtp.messages == []


def test_stale_link_and_its_recovery_are_mailed(make_app, clock, smtp, monkeypatch, wait_until):
    monkeypatch.setenv("GCNMON_TEST_DUTY_URL", smtp.url())
    app = make_app(overrides=_notify(smtp, **{"sources.vtp": ["127.0.0.1:9"]}), sources=True)
    [link] = app.links  # never started: not connected, i.e. stale from the first tick
    app.escalation.tick()
    clock.advance(600)
    app.escalation.tick()
    wait_until(lambda: smtp.messages, 15)
    assert smtp.messages[0]["Subject"] == "gcnmon BTA: vtp link STALE for 10 min"
    link.up("127.0.0.1:9")
    link.alive()
    clock.advance(5)
    app.escalation.tick()
    wait_until(lambda: len(smtp.messages) == 2, 15)
    assert smtp.messages[1]["Subject"] == "gcnmon BTA: vtp link recovered after 10 min"
