"""``gcnmon history --event KEY`` tells the circulars of the event too (and not another event's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gcnmon.archive import Archive
from gcnmon.intake import Intake
from gcnmon.story.intake import CircularIntake

DATA = Path(__file__).parents[1] / "data"


def test_history_event_includes_the_circulars(tmp_path):
    path = tmp_path / "archive.sqlite"
    archive = Archive(path)
    received = 1677563570.0  # 2023-02-28 05:52:50 UTC, two minutes after the trigger; the circular: 05:57:30
    packet = (DATA / "aware/bat_alert_grb230228a.xml").read_bytes()
    Intake(archive, clock=lambda: received).receive(packet, "vtp:test")
    circulars = CircularIntake(archive)
    for name in ("circulars/swift_grb230228a.json", "circulars/svom_sb26021102.json"):
        circulars.receive((DATA / name).read_bytes())
    archive.close()
    run = [sys.executable, "-m", "gcnmon", "history", "--archive", str(path), "--event", "Swift:1156572"]
    text = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    kinds = [line.split()[1] for line in lines if not line.startswith("see also")]
    assert kinds == ["notice", "circular"]  # in time order; the SVOM circular is another event's
    assert "circular GCN 99901: GRB 230228A: Swift detection of a burst" in lines[1]
    assert lines[-1].startswith("see also: https://gcn.gsfc.nasa.gov/other/1156572.swift")
    as_json = subprocess.run([*run, "--json"], capture_output=True, text=True, timeout=60)
    [circular] = [json.loads(line) for line in as_json.stdout.splitlines() if '"circular"' in line]
    assert circular["ref"] == "99901" and "trigger=1156572" in circular["detail"]
