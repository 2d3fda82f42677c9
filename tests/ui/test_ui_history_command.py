"""The morning after: ``gcnmon history`` (and ``--json``, ``--event``) tells what the monitor decided about
each notice, what the observer did and what the TCS answered, from the archive the whole app wrote
during the night (issue 13, item 9's last point). The TCS is the real BTA simulator on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui


def history(archive_path, *args) -> str:
    env = {**os.environ, "GCNMON_CONFIG": os.devnull}
    done = subprocess.run([sys.executable, "-m", "gcnmon", "history", "--archive", str(archive_path), *args],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.fixture
def night(make_app, make_notice, feed, clock, wait_until):
    """A night: a BAT burst slewed to and closed, a GBM listed behind it, a weak BAT ignored."""
    app = make_app(4)
    bat = make_notice("bat", trigger="1165948")
    feed(app, bat)
    app.dialog.buttons["slew"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 5)
    clock.advance(20)
    gbm = make_notice("gbm", trigger="790000001")
    feed(app, gbm)
    weak = make_notice("bat", trigger="1165949", significance=3.0)
    feed(app, weak)
    clock.advance(40)
    app.dialog.buttons["ignore"].click()  # "Close" after the slew
    return app, bat, gbm, weak


def test_history_shows_decisions_actions_and_tcs_replies_one_line_each(night):
    app, bat, gbm, weak = night
    lines = history(app.archive.path).splitlines()
    starts = [i for i, line in enumerate(lines) if not line.startswith("    ")]
    assert len(starts) == 3  # three notices, each followed by its record
    block = {lines[i].split("trigger: ID=")[1].split("/")[0]: lines[i + 1 : j]
             for i, j in zip(starts, [*starts[1:], len(lines)], strict=True)}
    burst = block["1165948"]
    expected = [["decision", "shown:"], ["tcs", "slew"], ["action", "close:"]]
    assert [line.split()[1:3] for line in burst] == expected
    assert "SHOW    Swift BAT BAT_GRB_Pos #1165948 [act]: act: matches Swift BAT" in burst[0]
    assert "slew accepted: slew: accepted | TCS: " in burst[1]
    assert "Start Slewing to new object - Ok" in burst[1]  # the simulator's own words
    assert "[inform]: not shown, Swift BAT BAT_GRB_Pos #1165948 [act] is on screen" in block["790000001"][0]
    assert block["790000001"][0].split()[1:3] == ["decision", "listed:"]
    assert block["1165949"][0].split()[1:3] == ["decision", "ignored:"]
    assert "significance 3 < 6 sigma" in block["1165949"][0]


def test_history_json_carries_the_record(night):
    app, bat, gbm, weak = night
    objs = {o["ivorn"]: o for o in map(json.loads, history(app.archive.path, "--json").splitlines())}
    record = objs[bat.ivorn]["record"]
    assert [(r["kind"], r["action"]) for r in record] == [("decision", "shown"), ("tcs", "slew accepted"),
                                                          ("action", "close")]
    assert "Start Slewing to new object - Ok" in record[1]["detail"]
    assert record[0]["time"] <= record[1]["time"] <= record[2]["time"]
    assert [r["action"] for r in objs[weak.ivorn]["record"]] == ["ignored"]


def test_history_event_tells_one_story_in_time_order(night, make_notice, feed, clock):
    app, bat, gbm, weak = night
    clock.advance(600)
    feed(app, make_notice("bat", trigger="1165948", serial=2, is_retraction=True))  # reopens: slewed to
    text = history(app.archive.path, "--event", "Swift:1165948")
    lines = [line for line in text.splitlines() if not line.startswith("see also:")]
    kinds = [line.split()[1] for line in lines]
    assert kinds == ["notice", "decision", "tcs", "action", "notice", "decision"]
    assert [line.split()[0] for line in lines] == sorted(line.split()[0] for line in lines)
    assert "1165949" not in text and "790000001" not in text  # other events are not in its story
    assert "retraction" in lines[-1] and "the observer had slewed to it" in lines[-1]
    out = history(app.archive.path, "--event", "Swift:1165948", "--json")
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["kind"] for o in objs] == kinds


def test_history_event_with_a_bad_key_is_one_line(night):
    app = night[0]
    env = {**os.environ, "GCNMON_CONFIG": os.devnull}
    done = subprocess.run([sys.executable, "-m", "gcnmon", "history", "--archive", str(app.archive.path),
                           "--event", "1165948"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "MISSION:TRIGGER" in done.stderr

