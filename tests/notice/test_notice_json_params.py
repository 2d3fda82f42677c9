"""What observers filter on reaches ``Notice.params``: nested JSON dotted, every base64 blob left out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gcnmon.notice import parse

EXT = "lvk-userguide/MS181101ab-ext-update.json"


def params(data_file, name):
    return parse(data_file(name).read_bytes()).params


def test_lvk_classification_properties_significance(data_file):
    p = params(data_file, "json/igwn_preliminary.json")  # values as written in the file
    assert (p["event.classification.BNS"], p["event.classification.NSBH"], p["event.classification.BBH"],
            p["event.classification.Terrestrial"]) == ("0.95", "0.01", "0.03", "0.01")
    properties = ("event.properties.HasNS", "event.properties.HasRemnant", "event.properties.HasMassGap")
    assert [p[name] for name in properties] == ["0.95", "0.91", "0.01"]
    assert p["event.significant"] == "true" and float(p["event.far"]) == 9.11069936486e-14
    assert p["event.instruments"] == '["H1", "L1", "V1"]' and p["urls.gracedb"].endswith("/MS181101ab/view/")
    assert not any("skymap" in name for name in p)


def test_two_megabyte_lvk_alert_keeps_both_sky_maps_out(data_file):
    raw = data_file(EXT).read_bytes()
    notice = parse(raw)
    assert len(raw) == 2_074_854 and notice.raw == raw
    p = notice.params
    assert "event.skymap" not in p and "external_coinc.combined_skymap" not in p
    assert max(len(v) for v in p.values()) < 200
    assert p["external_coinc.observatory"] == "Fermi" and p["external_coinc.search"] == "GRB"
    assert float(p["external_coinc.time_sky_position_coincidence_far"]) == 6.410749524018777e-16
    assert p["alert_type"] == "UPDATE" and notice.event_key == ("LVK", "MS181101ab")


@pytest.mark.parametrize("name, expected", [
    ("gcn-schema/icecube_single_neutrino_alerts.gold_bronze_track_alerts.example.json",
     {"p_astro": 0.34064, "far": 8.029e-8, "nu_energy": 127.29}),
    ("gcn-schema/swift_bat_guano.loc_arc_min.example.json", {"classification.GRB": 1, "far": 0.00001}),
    ("gcn-schema/einstein_probe_wxt_alert.example.json", {"net_count_rate": 1, "image_snr": 1}),
    ("gcn-schema/chime_frb.detection.example.json", {"dm": 279.422607421875, "snr": 12.698559761047363}),
    ("gcn-schema/km3net_alert.example.json", {"event_details.0.energy_measured": 120000, "far": 8.029e-8}),
    ("gcn-schema/maxi_gsc.unknown.circle.example.json", {"flux": 1.69e-9, "detection_timescale": 10}),
])  # fmt: skip
def test_numbers_observers_triage_on(data_file, name, expected):
    p = params(data_file, name)
    assert {key: float(p[key]) for key in expected} == expected


def test_booleans_and_lists_are_written_as_json(data_file):
    p = params(data_file, "gcn-schema/km3net_alert.example.json")
    assert p["potential_counterpart"] == "false" and p["event_details.0.prob_evt_topology"] == "track"
    assert params(data_file, "gcn-schema/chime_frb.detection.example.json")["spectral_band"] == "[400, 800]"


def test_a_base64_blob_anywhere_is_left_out(data_file):
    doc = json.loads(data_file(EXT).read_bytes())
    blob = doc["event"]["skymap"]
    doc["extra"] = {"products": [{"name": "moc", "data": blob[:4096]}], "hash": "ab" * 32}
    p = parse(json.dumps(doc).encode()).params
    assert "extra.products.0.data" not in p and p["extra.products.0.name"] == "moc"
    assert p["extra.hash"] == "ab" * 32  # a 64-character hex digest is an ordinary value


def test_parse_json_prints_params(data_file):
    out = subprocess.run([sys.executable, "-m", "gcnmon", "parse", "--json", str(data_file(EXT))],
                         capture_output=True, text=True, check=True).stdout
    row = json.loads(out)
    assert row["params"]["event.classification.BNS"] == "0.95" and row["event_key"] == ["LVK", "MS181101ab"]
    assert len(out) < 5000  # the two 1 MB sky maps are not printed
