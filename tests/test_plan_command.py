"""``gcnmon plan`` in a subprocess-free call of the CLI: the same numbers as the map's own plan."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from gcnmon.cli import main
from gcnmon.coverage import coverage
from gcnmon.notice.region import healpix_from_bytes
from gcnmon.sky import SITE_PRESETS

LVK = Path(__file__).parent / "data" / "lvk-userguide"


def test_plan_json_for_a_notice_and_a_fits_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)
    files = [str(LVK / "MS181101ab-preliminary.json"), str(LVK / "bayestar.multiorder.fits")]
    rc = main(["plan", *files, "--site", "BTA", "--at", "2026-12-02T02:30:00Z", "--fov", "3", "--json"])
    assert rc == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in rows] == files
    region = healpix_from_bytes((LVK / "bayestar.multiorder.fits").read_bytes())
    expected = coverage(region, SITE_PRESETS["BTA"], datetime(2026, 12, 2, 2, 30, tzinfo=UTC), 3.0).as_dict()
    for row in rows:
        assert round(row["area90"], 1) == 31.0
        assert {k: row[k] for k in expected} == expected
        assert len(row["fields"]) == 5 and row["fields"][0]["prob"] > 0.2


def test_plan_text_and_errors(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)
    bad = tmp_path / "bad.fits"
    bad.write_bytes(b"SIMPLE  =" + b" " * 100)
    rc = main(["plan", str(LVK / "bayestar.multiorder.fits"), str(bad), "--site", "BTA",
               "--at", "2026-12-02T02:30"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "90% area 31.0 deg²" in out and "field 1" in out
    assert f"{bad}: error: sky map" in out and "Traceback" not in out
    assert main(["plan", str(bad), "--at", "yesterday"]) == 2
