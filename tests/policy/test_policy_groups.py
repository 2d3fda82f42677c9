"""Groups, rules and switches from config; classification of real corpus packets with its reasons."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib

import pytest
from policy_packets import load

from gcnmon.config import ConfigError, load_config
from gcnmon.notice.model import Notice
from gcnmon.policy import classify, policy_from_config
from gcnmon.resources import resource


@pytest.fixture(scope="module")
def defaults() -> dict:
    """The shipped defaults alone (no user file of the machine running the tests)."""
    return tomllib.loads(resource("config", "gcnmon.toml").read_text(encoding="utf-8"))


def _policy(defaults, **policy_keys):
    data = copy.deepcopy(defaults)
    data["policy"].update(policy_keys)
    return policy_from_config(data)


@pytest.mark.parametrize(
    "name, group, reason",
    [
        # INTEGRAL notices ended on 2025-03-04: a replayed one is no longer act
        ("fink-mm/voevent_number=18790.xml", "inform", "inform: no group matches, policy.default_group"),
        ("fink-mm/voevent_number=392.xml", "act", "act: matches Swift BAT"),
        ("aware/xrt_alert_1165948.xml", "act", "act: matches Swift XRT"),
        ("mwa_trigger/group_02_SWIFT_03_UVOT_Pos.xml", "act", "act: matches Swift UVOT"),
        ("mwa_trigger/group_04_04_COUNTERPART.xml", "act", "act: matches GRB counterpart"),
        ("gcn-notice-parser/fermi_lat_pos_ini_0.xml", "act", "act: matches Fermi LAT"),
        ("gcn-notice-parser/eclairs_296.xml", "act", "act: matches SVOM ECLAIRs"),
        ("gcn-notice-parser/mxt_42.xml", "act", "act: matches SVOM MXT"),
        ("mwa_trigger/Fermi_538809001_00.xml", "inform", "inform: matches Fermi GBM"),
        ("gcn-notice-parser/fermi_gbm_fin_pos_1027.xml", "inform", "inform: matches Fermi GBM"),
        ("gcn-notice-parser/grm_284.xml", "inform", "inform: matches SVOM GRM"),
        ("voeventdb/Konus_Lightcurve_2015-07-10T00:28:01.68.xml", "inform", "inform: matches Konus"),
        ("mwa_trigger/IceCube_134191_017593623_0.xml", "inform", "inform: matches IceCube"),
        ("mwa_trigger/Antares_observation.xml", "inform", "inform: no group matches, policy.default_group"),
        # legacy LVK VOEvents (ended 2026-07-08) carry no event.significant: the default group
        ("mwa_trigger/LVC_real_preliminary.xml", "inform", "inform: no group matches, policy.default_group"),
        ("aware/maxi_known.xml", "ignore", "catalogued source (policy.catalogued = false)"),
        ("gcn-notice-parser/swift_bat_grb_pos_test_9264.xml", "ignore", "test packet (policy.test = false)"),
        ("gwcelery/fermi_subthresh_grb_gcn.xml", "ignore",
         "sub-threshold trigger (policy.subthreshold = false)"),
        # slewing: a refined position
        ("gcn-notice-parser/eclairs_300.xml", "act", "act: matches SVOM ECLAIRs"),
        ("mwa_trigger/SWIFT_Point_Dir_Change.xml", "ignore", "utility packet"),
        ("pygcn/kill_socket.xml", "ignore", "utility packet"),
        ("fink-mm/voevent_number=405.xml", "ignore", "ignore: matches light curve or data product"),
        ("mwa_trigger/group_03_SWIFT_FOM_Obs.xml", "ignore", "ignore: matches Swift FOM/slew/pointing"),
        ("mwa_trigger/Swift_CFTUC_sub_sub_threshold.xml", "ignore",
         "catalogued source (policy.catalogued = false)"),
        # unknown streams fall into [policy] default_group = "inform"
        ("voevent-parse/Gaia16aac.xml", "inform", "inform: no group matches, policy.default_group"),
        ("mwa_trigger/HESS_test_event.xml", "inform", "inform: no group matches, policy.default_group"),
    ],
)
def test_default_groups_reproduce_the_sao_monitor(defaults, name, group, reason):
    result = classify(load(name), policy_from_config(defaults))
    assert (result.group.name, result.reason) == (group, reason)


def test_default_group_parameters(defaults):
    policy = policy_from_config(defaults)
    assert [(g.name, g.priority, g.action, g.timeout, g.sound) for g in policy.groups] == [
        ("act", 30, "act", 3600.0, "act.wav"),
        ("inform", 20, "inform", 600.0, "inform.wav"),
        ("ignore", 0, "ignore", 60.0, ""),
    ]
    assert (policy.mode, policy.visibility, policy.min_significance) == ("log", "mark", 6.0)
    assert policy.inform_group.name == "inform" and policy.ignore_group.name == "ignore"


def test_switches_let_packets_through(defaults):
    policy = _policy(defaults, test=True, catalogued=True, slew=True, subthreshold=True)
    # BAT_GRB_POS_TEST (82) is let through, into the default group: no rule calls a test position act
    assert classify(load("gcn-notice-parser/swift_bat_grb_pos_test_9264.xml"), policy).reason == (
        "inform: no group matches, policy.default_group"
    )
    assert classify(load("aware/maxi_known.xml"), policy).reason == "inform: matches MAXI"
    assert classify(load("gcn-notice-parser/eclairs_300.xml"), policy).reason == "act: matches SVOM ECLAIRs"
    subthresh = classify(load("gwcelery/fermi_subthresh_grb_gcn.xml"), policy)
    assert subthresh.reason == "inform: no group matches, policy.default_group"
    # utility packets are never shown
    assert classify(load("pygcn/kill_socket.xml"), policy).reason == "utility packet"


def test_min_significance_applies_to_rules_that_check_it(defaults):
    bat = load("fink-mm/voevent_number=392.xml")  # 10.0 sigma
    weak_bat = Notice(**{**_fields(bat), "significance": 5.9})
    weak_gbm = load("gcn-notice-parser/fermi_gbm_alert_3785.xml")  # 4.7 sigma, GBM does not check
    policy = policy_from_config(defaults)
    assert classify(weak_bat, policy).reason == "significance 5.9 < 6 sigma (policy.min_significance)"
    assert classify(weak_gbm, policy).group.name == "inform"
    assert classify(weak_bat, _policy(defaults, min_significance=0)).group.name == "act"
    assert classify(weak_bat, _policy(defaults, min_significance=5.5)).group.name == "act"


def test_group_thresholds(defaults):
    data = copy.deepcopy(defaults)
    data["groups"][1]["max_error"] = 10.0
    data["groups"][1]["min_significance"] = 8.0
    policy = policy_from_config(data)
    wide = load("gcn-notice-parser/fermi_gbm_flt_pos_8127.xml")  # error 10.38 deg, 9.8 sigma
    faint = load("gcn-notice-parser/fermi_gbm_gnd_pos_1698.xml")  # 6.9 sigma
    assert classify(wide, policy).reason == "error 10.3833 deg > 10 deg (inform)"
    assert classify(faint, policy).reason == "significance 6.9 < 8 (inform)"


def test_not_grb_and_retraction_alone_are_ignored(defaults):
    policy = policy_from_config(defaults)
    assert classify(load("gcn-notice-parser/eclairs_304.xml"), policy).reason == (
        "retraction of an event not on screen"
    )
    bat = load("fink-mm/voevent_number=392.xml")
    not_grb = Notice(**{**_fields(bat), "flags": frozenset({"not_grb"})})
    assert classify(not_grb, policy).reason == "the instrument says it is not a GRB"


def test_rule_globs_and_flags():
    data = {
        "policy": {"default_group": "rest"},
        "groups": [
            {"name": "gw", "priority": 5, "action": "act", "timeout": 60,
             "match": [{"mission": ["lvk", "LIGO*"], "notice_type": "*Initial*"}]},
            {"name": "lost", "priority": 4, "action": "inform", "match": [{"flags": ["starlock_lost"]}]},
            {"name": "rest", "priority": 1, "action": "inform", "match": []},
        ],
    }  # fmt: skip
    policy = policy_from_config(data)
    assert classify(load("gwcelery/G298048-1-Initial.xml"), policy).reason == (
        "gw: matches mission=['lvk', 'LIGO*'] notice_type=*Initial*"
    )
    assert classify(load("mwa_trigger/LVC_real_preliminary.xml"), policy).group.name == "rest"
    assert classify(load("mwa_trigger/SWIFT_Lost_starlock.xml"), policy).group.name == "lost"
    assert policy.group("lost").timeout == 600.0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"groups": []}, "[[groups]]: at least one group is required"),
        ({"groups": [{"priority": 1, "action": "act"}]}, "[[groups]] #1: name is required"),
        ({"groups": [{"name": "a", "priority": 1, "action": "shout"}]},
         "[[groups]] 'a': action must be one of ignore, inform, act, not 'shout'"),
        ({"groups": [{"name": "a", "priority": "high", "action": "act"}]},
         "[[groups]] 'a': priority must be an integer, not 'high'"),
        ({"groups": [{"name": "a", "priority": 1, "action": "act", "colour": "red"}]},
         "[[groups]] 'a': unknown key(s) colour"),
        ({"groups": [{"name": "a", "priority": 1, "action": "act", "timeout": 0}]},
         "[[groups]] 'a': timeout must be >= 1, not 0"),
        ({"groups": [{"name": "a", "priority": 1, "action": "act", "match": [{"missoin": "x"}]}]},
         "[[groups]] 'a' match #1: unknown match key(s) missoin"),
        ({"groups": [{"name": "a", "priority": 1, "action": "act", "match": [{"label": "x"}]}]},
         "[[groups]] 'a' match #1: a match rule needs at least one of"),
        ({"groups": [{"name": "a", "priority": 1, "action": "act", "match": [{"packet_type": "61"}]}]},
         "[[groups]] 'a' match #1: packet_type must be an integer or a list of integers"),
        ({"groups": [{"name": "a", "priority": 1, "action": "act"}] * 2},
         "[[groups]]: duplicate group name(s) a"),
        ({"policy": {"default_group": "nope"}}, "[policy]: default_group 'nope' is not a group"),
        ({"policy": {"mode": "stack"}}, "[policy]: mode must be one of log, queue, not 'stack'"),
        ({"policy": {"visibility": "hide"}}, "[policy]: visibility must be one of mark, downgrade"),
        ({"policy": {"test": "yes"}}, "[policy]: test must be true or false, not 'yes'"),
        ({"policy": {"min_significance": -1}}, "[policy]: min_significance must be >= 0"),
        ({"policy": {"tset": True}}, "[policy]: unknown key(s) tset"),
    ],
)  # fmt: skip
def test_config_errors_name_the_key(defaults, change, message):
    data = copy.deepcopy(defaults)
    if "policy" in change:
        data["policy"].update(change["policy"])
    if "groups" in change:
        data["groups"] = change["groups"]
        data["policy"]["default_group"] = (change["groups"] or [{"name": "x"}])[0].get("name", "x")
    with pytest.raises(ConfigError) as info:
        policy_from_config(data)
    assert str(info.value).startswith(message)


def test_user_file_adds_a_group(tmp_path):
    user = tmp_path / "gcnmon.toml"
    user.write_text('[policy]\ntest = true\nmode = "queue"\n', encoding="utf-8")
    policy = policy_from_config(load_config(user, ["policy.min_significance=7"]))
    assert (policy.test, policy.mode, policy.min_significance) == (True, "queue", 7.0)


def _fields(notice: Notice) -> dict:
    return {name: getattr(notice, name) for name in Notice.__dataclass_fields__}


def test_policy_is_pure_logic_without_qt():
    code = ("import sys, gcnmon.policy; "
            "sys.exit('PySide6' in sys.modules or 'twisted.internet.reactor' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
