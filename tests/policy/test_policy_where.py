"""Rules on any param (``where``), checked at config load, and the default rules on GCN's JSON examples."""

from __future__ import annotations

import copy
import json

import pytest

from gcnmon.config import ConfigError, load_config
from gcnmon.notice import parse
from gcnmon.policy import classify, policy_from_config
from gcnmon.where import WhereError, parse_where


@pytest.fixture(scope="module")
def shipped():
    return load_config(None, [])


def reason(policy, notice) -> tuple[str, str]:
    result = classify(notice, policy)
    return result.group.name, result.reason


def test_comparisons_on_params():
    params = {"event.far": "9.11069936486e-14", "event.significant": "true", "event.group": "CBC",
              "p_astro": "0.34064", "ra_dec_error": "[0.22, 0.19, 153]"}  # fmt: skip

    def holds(table):
        return all(c.holds(params) for c in parse_where(table))

    assert holds({"event.far": "< 3.2e-8", "event.significant": True, "event.group": "cbc"})
    assert holds({"p_astro": ">= 0.3", "event.group": ["Burst", "CB?"]})
    assert not holds({"p_astro": "> 0.5"}) and not holds({"event.significant": False})
    assert not holds({"ra_dec_error": "< 1"})  # a list is not a number: no match, no error
    assert not holds({"missing.param": "> 0"})
    assert holds({"p_astro": 0.34064}) and holds({"p_astro": "!= 1"})


@pytest.mark.parametrize("table, message", [
    ({}, "non-empty table"),
    ({"event.far": "< abc"}, "'abc' is not a number"),
    ({"event.far": {"lt": 1}}, "must be true/false, a number, a comparison"),
    ({"event.far": []}, "can never match"),
    ({"event.far": float("nan")}, "not a finite number"),
])  # fmt: skip
def test_bad_where_is_refused(table, message):
    with pytest.raises(WhereError, match=message):
        parse_where(table)


def test_types_are_checked_when_the_config_is_loaded(tmp_path):
    path = tmp_path / "gcnmon.toml"
    path.write_text('[[groups]]\nname = "gw"\npriority = 10\naction = "inform"\n'
                    'match = [ { mission = "LVK", where = { "event.far" = "< 3.2e-8x" } } ]\n')  # fmt: skip
    wrong = r"groups\[\"gw\"\]\.match\[1\]\.where = .*'3.2e-8x' is not a number"
    with pytest.raises(ConfigError, match=wrong):
        load_config(path, [])


def test_lvk_rules(shipped, data_file):
    policy = policy_from_config(shipped)
    doc = json.loads(data_file("lvk-userguide/MS181101ab-ext-update.json").read_bytes())
    doc["superevent_id"] = "S181101ab"  # a real superevent: the mock one (MS...) is a test packet
    assert reason(policy, parse(json.dumps(doc).encode())) == ("inform", "inform: matches LVK HasNS")
    noise = copy.deepcopy(doc)
    noise["event"]["significant"] = False
    assert reason(policy, parse(json.dumps(noise).encode())) == (
        "ignore", "ignore: matches LVK alert not significant (event.significant = false)")
    bbh = copy.deepcopy(doc)
    bbh["event"]["properties"] = {"HasNS": 0.0, "HasRemnant": 0.0, "HasMassGap": 0.0}
    bbh["event"]["classification"] = {"BNS": 0.0, "NSBH": 0.0, "BBH": 0.99, "Terrestrial": 0.01}
    assert reason(policy, parse(json.dumps(bbh).encode())) == (
        "ignore", "ignore: matches LVK without a neutron star (HasNS, BNS, NSBH <= 0.01)")
    nsbh = copy.deepcopy(bbh)
    nsbh["event"]["classification"]["NSBH"] = 0.2
    assert reason(policy, parse(json.dumps(nsbh).encode())) == ("inform", "inform: matches LVK NSBH")


@pytest.mark.parametrize("name, expected", [
    ("gcn-schema/einstein_probe_wxt_alert.example.json", ("act", "act: matches Einstein Probe WXT")),
    ("gcn-schema/swift_bat_guano.loc_arc_min.example.json", ("act", "act: matches GUANO arc-minute")),
    ("gcn-schema/swift_bat_guano.loc_map.example.json", ("inform", "inform: matches GUANO")),
    ("gcn-schema/icecube_single_neutrino_alerts.gold_bronze_track_alerts.example.json",
     ("inform", "inform: matches IceCube")),
    ("json/icecube_lvk_nu_track_search.json", ("inform", "inform: matches IceCube")),
    ("gcn-schema/km3net_alert.example.json", ("inform", "inform: matches neutrino")),
    ("gcn-schema/superk_sn_alert.real.example.json", ("inform", "inform: matches neutrino")),
    ("gcn-schema/maxi_gsc.unknown.circle.example.json", ("inform", "inform: matches MAXI")),
    ("gcn-schema/chime_frb.detection.example.json", ("inform", "inform: matches FRB")),
    ("gcn-schema/dsa110_frb.detection.example.json", ("inform", "inform: matches FRB")),
    ("gcn-schema/chime_frb.retraction.example.json", ("ignore", "retraction of an event not on screen")),
    # GCN's SVOM examples are alert_tense "test": ignored unless [policy] test = true (below)
    ("json/svom_eclairs_slewing.json", ("ignore", "test packet (policy.test = false)")),
])  # fmt: skip
def test_default_rules_on_gcn_json_examples(shipped, data_file, name, expected):
    assert reason(policy_from_config(shipped), parse(data_file(name).read_bytes())) == expected


@pytest.mark.parametrize("name", ["json/svom_eclairs_slewing.json",
                                  "gcn-schema/svom_eclairs_trigger.wakeup.example.json",
                                  "gcn-schema/svom_eclairs_trigger.not-slewing.example.json"])
def test_svom_eclairs_notices_are_act_including_slewing(data_file, name):
    policy = policy_from_config(load_config(None, ["policy.test=true"]))
    assert reason(policy, parse(data_file(name).read_bytes())) == ("act", "act: matches SVOM ECLAIRs")
