"""A JSON series reaches the observer whole: each message its own notice, one dialog per event.

Before issue 11 the CHIME update and retraction (and the MAXI ellipse) had the first notice's
identity and were dropped as duplicates: the refined position and the retraction never arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gcnmon.archive import Archive
from gcnmon.config import load_config
from gcnmon.intake import Intake
from gcnmon.policy import Arbiter, policy_from_config


@pytest.mark.parametrize("names, at, expected", [
    (["chime_frb.detection", "chime_frb.update", "chime_frb.retraction"], "2024-09-18T07:25:00",
     ["SHOW    CHIME chime.frb #427325191 [inform]: inform: matches FRB",
      "UPDATE  CHIME chime.frb #427325191 [inform]: same CHIME trigger 427325191; changed significance",
      "RETRACT CHIME chime.frb #427325191 [inform]: retraction: CHIME chime.frb #427325191 "
      "(same CHIME trigger 427325191); actions withdrawn"]),
    (["maxi_gsc.unknown.circle", "maxi_gsc.unknown.ellipse", "maxi_gsc.unknown.retraction"],
     "2023-02-20T09:55:00",
     ["SHOW    MAXI GSC maxi.gsc.unknown #9995289617 [inform]: inform: matches MAXI",
      "UPDATE  MAXI GSC maxi.gsc.unknown #9995289617 [inform]: same MAXI trigger 9995289617; changed "
      "error_radius",
      "RETRACT MAXI GSC maxi.gsc.unknown #9995289617 [inform]: retraction: MAXI GSC maxi.gsc.unknown "
      "#9995289617 (same MAXI trigger 9995289617); actions withdrawn"]),
])  # fmt: skip
def test_detection_update_retraction_through_the_archive(tmp_path, data_file, names, at, expected):
    now = datetime.fromisoformat(at).replace(tzinfo=UTC)  # minutes after the notices were written
    arbiter = Arbiter(policy_from_config(load_config(None, [])), clock=lambda: now)
    events: list = []
    archive = Archive(tmp_path / "archive.sqlite")
    intake = Intake(archive, on_notice=lambda notice: events.append(arbiter.offer(notice)))
    for name in names:
        raw = data_file(f"gcn-schema/{name}.example.json").read_bytes()
        assert intake.receive(raw, "kafka:t") is not None  # new, handed on
    assert [e.log_line for e in events] == expected
    assert len(archive.recent(10)) == 3
    archive.close()
