"""Delivery through apprise into real loopback servers: SMTP (aiosmtpd) and HTTP webhooks."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from twisted.internet import task

from gcnmon.notify import Message, Notifier, Target, notify_settings
from gcnmon.notify.targets import KINDS

WHEN = datetime(2026, 11, 22, 20, 5, tzinfo=UTC)


def message(kind="unanswered", title="gcnmon BTA: act alert UNANSWERED for 5 min: Swift(BAT) GRB Position"):
    return Message(kind, title, "act alert UNANSWERED for 5 min at BTA, 2026-11-22 20:05:00 UTC\n"
                   "verdict: OBSERVABLE now", WHEN)


def target(url, name="duty", kinds=KINDS, rate=12) -> Target:
    return Target(name, url, frozenset(kinds), rate)


def test_email_reaches_a_real_smtp_server(smtp, wait_until):
    notifier = Notifier([target(smtp.url("duty@example.org"))])
    notifier.send(message())
    wait_until(lambda: notifier.delivered, 15)
    [mail] = smtp.messages
    assert mail["Subject"] == "gcnmon BTA: act alert UNANSWERED for 5 min: Swift(BAT) GRB Position"
    assert smtp.envelopes == [("gcnmon@example.org", ["duty@example.org"])]
    text = mail.get_body(("plain",)).get_content()
    assert "2026-11-22 20:05:00 UTC" in text and "OBSERVABLE now" in text


def test_webhook_reaches_a_real_http_server(webhook, wait_until):
    hook = webhook()
    notifier = Notifier([target(hook.url("hooks/s3cr3t-token-777"))])
    notifier.send(message())
    wait_until(lambda: notifier.delivered, 15)
    [(path, body)] = hook.posts
    assert path == "/hooks/s3cr3t-token-777"
    assert body["title"].startswith("gcnmon BTA: act alert UNANSWERED")
    assert "OBSERVABLE now" in body["message"]


def test_targets_get_only_the_kinds_they_asked_for(webhook, wait_until):
    links_only, everything = webhook(), webhook()
    notifier = Notifier([target(links_only.url(), "ops", kinds={"link"}), target(everything.url(), "duty")])
    notifier.send(message())
    wait_until(lambda: notifier.delivered, 15)
    assert links_only.posts == [] and len(everything.posts) == 1


def test_a_failing_target_is_retried_with_backoff_and_logged(webhook, wait_until, caplog):
    hook = webhook(fail=2)
    clock = task.Clock()
    notifier = Notifier([target(hook.url("hooks/TOKEN-abcdef-123"), "ops")], retries=3, backoff=30,
                        clock=clock)
    caplog.set_level(logging.INFO)
    notifier.send(message())
    wait_until(lambda: hook.attempts == 1, 15)
    wait_until(lambda: clock.getDelayedCalls(), 5)
    assert [c.getTime() for c in clock.getDelayedCalls()] == [30.0]
    clock.advance(30)
    wait_until(lambda: hook.attempts == 2 and clock.getDelayedCalls(), 15)
    assert [c.getTime() for c in clock.getDelayedCalls()] == [90.0]  # 30 s more, doubled: 60 s later
    clock.advance(60)
    wait_until(lambda: notifier.delivered, 15)
    assert len(hook.posts) == 1
    retries = [r.getMessage() for r in caplog.records if "delivery failed" in r.getMessage()]
    assert retries == ["notify: target ops: delivery failed (attempt 1 of 4); again in 30 s",
                       "notify: target ops: delivery failed (attempt 2 of 4); again in 60 s"]
    assert not any("TOKEN-abcdef-123" in r.getMessage() for r in caplog.records)  # the URL is a secret


def test_gives_up_after_the_retries_and_says_so(wait_until, caplog):
    clock = task.Clock()
    notifier = Notifier([target("json://127.0.0.1:1/nobody-listens", "dead")], retries=1, backoff=5,
                        clock=clock)
    notifier.send(message())
    wait_until(lambda: clock.getDelayedCalls(), 15)
    clock.advance(5)
    wait_until(lambda: notifier.failed, 15)
    assert notifier.failed == [("dead", message().title)]
    assert any("NOT delivered after 2 attempts" in r.getMessage() for r in caplog.records)


def test_rate_limit_per_target(webhook, wait_until):
    hook = webhook()
    now = [1000.0]
    notifier = Notifier([target(hook.url(), "duty", rate=2)], now=lambda: now[0])
    for i in range(4):
        notifier.send(message(title=f"m{i}"))
    wait_until(lambda: len(notifier.delivered) == 2, 15)
    assert notifier.suppressed["duty"] == 2
    now[0] += 3600  # an hour later the window is open again, and the next message says what was held
    notifier.send(message(title="m4"))
    wait_until(lambda: len(notifier.delivered) == 3, 15)
    assert sorted(b["title"] for _, b in hook.posts) == ["m0", "m1", "m4"]
    [last] = [b for _, b in hook.posts if b["title"] == "m4"]
    assert "2 earlier message(s) to this target held back" in last["message"]


def test_urls_come_from_the_environment_and_never_show(monkeypatch):
    monkeypatch.setenv("GCNMON_NOTIFY_NIGHT_PHONE", "tgram://123456:ABCDEFsecret/987")
    settings = notify_settings({"targets": [{"name": "night phone", "events": ["unanswered", "link"]},
                                            {"name": "nobody"}]})
    [phone] = settings.targets
    assert phone.url == "tgram://123456:ABCDEFsecret/987"
    assert phone.kinds == {"unanswered", "link", "test"}
    assert "ABCDEF" not in repr(phone) and repr(phone).startswith("Target('night phone', tgram://***")
    assert settings.missing == ("nobody",)
    assert (settings.unanswered_after, settings.stale_after) == (300.0, 600.0)


def test_bad_notify_config_is_one_clear_error():
    from gcnmon.config import ConfigError

    with pytest.raises(ConfigError, match="unknown events pager"):
        notify_settings({"targets": [{"name": "x", "url": "json://h", "events": ["pager"]}]})
    with pytest.raises(ConfigError, match="unanswered_after must be a number"):
        notify_settings({"unanswered_after": "soon"})


def test_notify_test_command_mails_every_target(smtp, webhook, tmp_path, venv_bin):
    hook = webhook()
    config = tmp_path / "gcnmon.toml"
    config.write_text('[[notify.targets]]\nname = "duty"\n\n[[notify.targets]]\nname = "ops"\n'
                      'events = ["link", "relay"]\n')
    env = {**os.environ, "GCNMON_NOTIFY_DUTY": smtp.url("duty@example.org"),
           "GCNMON_NOTIFY_OPS": hook.url("hooks/ops-token-424242")}
    done = subprocess.run([sys.executable, "-m", "gcnmon", "notify", "--test", "--config", str(config)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["duty: test message sent", "ops: test message sent"]
    assert smtp.messages[0]["Subject"] == "gcnmon BTA: test message"
    assert hook.posts[0][1]["title"] == "gcnmon BTA: test message"
    listing = subprocess.run([sys.executable, "-m", "gcnmon", "notify", "--config", str(config)], env=env,
                             capture_output=True, text=True, timeout=60)
    assert "ops: json://*** gets link, relay" in listing.stdout
    assert "ops-token" not in listing.stdout + listing.stderr and str(smtp.port) not in listing.stdout


def test_notify_test_command_says_which_target_failed(tmp_path):
    config = tmp_path / "gcnmon.toml"
    config.write_text('[[notify.targets]]\nname = "dead"\nurl = "json://127.0.0.1:1/x-token-999999"\n')
    done = subprocess.run([sys.executable, "-m", "gcnmon", "notify", "--test", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout.strip() == "dead: NOT delivered (see the log above)"
    assert "x-token-999999" not in done.stdout + done.stderr
