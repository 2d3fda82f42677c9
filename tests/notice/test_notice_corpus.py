"""Every real packet in tests/data parses, and agrees with what MANIFEST.tsv says about it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from gcnmon.notice import FLAGS, Notice, PacketType, parse

DATA = Path(__file__).parent.parent / "data"

with open(DATA / "MANIFEST.tsv", newline="") as _handle:
    # Packets only: the manifest also says where other test files come from (an archive of schema 1).
    ALL_ROWS = [row for row in csv.DictReader(_handle, delimiter="\t")
                if row["file"].endswith((".xml", ".json"))]
# GCN Circulars are not notices: tests/story reads them (gcnmon.story.circulars)
ROWS = [row for row in ALL_ROWS if row["notice_type"] != "gcn.circulars"]

# MANIFEST's mission column (written by whoever copied the packet) -> (mission, instrument or None).
_MANIFEST_MISSIONS = {
    "Fermi-GBM": ("Fermi", "GBM"),
    "Fermi-LAT": ("Fermi", "LAT"),
    "IceCube (via AMON)": ("IceCube", None),
    "GCN system": ("GCN", None),
    "GCN-COUNTERPART": ("GCN", None),
    "ASAS-SN (4PiSky)": ("ASAS-SN", None),
}


def _parse_row(row) -> Notice:
    return parse((DATA / row["file"]).read_bytes(), max_size=4 << 20)  # LVK with two maps: 2.07 MB


def test_manifest_lists_every_file_in_tests_data():
    listed = {row["file"] for row in ALL_ROWS}
    on_disk = {str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.suffix in (".xml", ".json")}
    assert listed == on_disk
    assert len(ROWS) >= 121


@pytest.mark.parametrize("row", ROWS, ids=[row["file"] for row in ROWS])
def test_every_packet_parses_and_matches_manifest(row):
    notice = _parse_row(row)
    assert notice.ivorn
    assert notice.raw == (DATA / row["file"]).read_bytes()
    mission, instrument = _MANIFEST_MISSIONS.get(row["mission"], (row["mission"], None))
    assert notice.mission == mission
    if instrument:
        assert notice.instrument == instrument
    declared = re.search(r"Packet_Type (\d+)", row["notice_type"])
    assert notice.packet_type == (int(declared.group(1)) if declared else None)
    if declared:
        assert PacketType(notice.packet_type)  # every packet type in the corpus is catalogued
    if row["voevent_version"] in ("1.1", "2.0"):
        assert notice.format == f"voevent-{row['voevent_version']}"
        assert notice.role == row["role"]
    assert notice.is_test == (row["role"] == "test") or notice.params.get("Test_Notice") == "true"
    assert notice.flags <= FLAGS
    assert all("\n" not in w for w in notice.warnings)


@pytest.mark.parametrize("row", [r for r in ROWS if r["notes"].startswith(("odd", "downstream-edited"))],
                         ids=lambda row: row["file"])  # fmt: skip
def test_odd_packets_say_what_is_odd(row):
    assert _parse_row(row).warnings


def test_notice_types_named_as_gcn_names_them():
    by_file = {row["file"]: _parse_row(row) for row in ROWS}
    for row in ROWS:
        name = row["notice_type"].split(" (")[0].strip()
        if name and row["voevent_version"] != "json" and not row["file"].startswith("voevent-parse/ASASSN"):
            assert by_file[row["file"]].notice_type == name, row["file"]
