"""``gcnmon parse``: one line per file, --json keys, exit status, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from gcnmon.cli import main
from gcnmon.notice.serialize import JSON_KEYS

DATA = Path(__file__).parent.parent / "data"
SWIFT = str(DATA / "gwcelery/swift_grb_gcn.xml")
SVOM = str(DATA / "gcn-notice-parser/eclairs_304.xml")
EP = str(DATA / "json/ep_wxt_alert.json")


def test_json_lines_have_the_documented_keys(capsys):
    assert main(["parse", "--json", SWIFT, SVOM, EP]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    rows = [json.loads(line) for line in lines]
    assert [list(row) for row in rows] == [["file", *JSON_KEYS]] * 3
    swift, svom, ep = rows
    assert swift["file"] == SWIFT
    assert swift["time"] == "2022-09-07T14:05:25.760000Z"
    assert (swift["ra"], swift["dec"], swift["error_radius"]) == (268.87, -20.3153, 0.05)
    assert (swift["packet_type"], swift["trigger_id"], swift["mission"]) == (61, "1123129", "Swift")
    assert svom["is_retraction"] is True
    assert svom["cites"] == [{"ivorn": "ivo://org.svom/fsc#sb26030408_eclairs-wakeup", "type": "retraction"}]
    assert (ep["mission"], ep["instrument"], ep["packet_type"]) == ("EP", "WXT", None)


def test_plain_lines(capsys):
    assert main(["parse", SWIFT, SVOM]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{SWIFT}: Swift/BAT BAT_GRB_Pos trigger 1123129 2022-09-07T14:05:25.760000Z "
        "RA 268.8700 Dec -20.3153 ±0.05°"
    )
    assert out[1].endswith("[RETRACTION]")


def test_broken_and_missing_files_exit_1_with_one_line_each(tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_bytes((DATA / "gwcelery/swift_grb_gcn.xml").read_bytes()[:700])
    missing = tmp_path / "missing.xml"
    assert main(["parse", "--json", SWIFT, str(broken), str(missing)]) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert len(rows) == 3 and "error" not in rows[0]
    assert rows[1]["file"] == str(broken) and rows[1]["error"].startswith("malformed XML")
    assert set(rows[2]) == {"file", "error"} and "cannot read file" in rows[2]["error"]
    assert "Traceback" not in captured.err


def test_oversized_file_is_refused(tmp_path, capsys):
    assert main(["parse", "--max-size", "100", SWIFT]) == 1
    assert "exceeds the 100-byte limit" in capsys.readouterr().out


def test_console_script(venv_bin, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"ra": ')
    done = subprocess.run([str(venv_bin / "gcnmon"), "parse", "--json", SVOM, str(bad)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["trigger_id"] == "sb26030408" and first["packet_type"] == 219
    assert second["error"].startswith("malformed JSON")
    assert "Traceback" not in done.stderr
