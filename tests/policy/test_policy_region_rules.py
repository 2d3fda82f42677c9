"""Rules ``max_area90`` and ``min_prob_up``: a 5,000 deg2 map is inform for a 6-m telescope."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from policy_packets import FakeClock

from gcnmon.config import ConfigError
from gcnmon.notice import parse
from gcnmon.notice.region import HealpixMap
from gcnmon.policy import Arbiter, Visibility, policy_from_config
from gcnmon.policy.classify import classify
from gcnmon.sky import SITE_PRESETS

LVK = Path(__file__).parents[1] / "data" / "lvk-userguide"
GROUPS = [
    {"name": "gw-act", "priority": 30, "action": "act",
     "match": [{"label": "GW, small and up", "mission": "LVK", "max_area90": 100, "min_prob_up": 0.5}]},
    {"name": "gw-inform", "priority": 10, "action": "inform", "match": [{"mission": "LVK"}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def lvk():
    notice = parse((LVK / "MS181101ab-preliminary.json").read_bytes())
    return dataclasses.replace(notice, is_test=False, role="observation")  # as a real alert


def _wide(notice):
    """The same map blurred to order 3 (7 deg pixels): thousands of deg2."""
    m = notice.region
    coarse = 4 * 4**3 + (m.ipix >> (2 * (m.order - 3)))
    uniq, inverse = np.unique(coarse, return_inverse=True)
    prob = np.bincount(inverse, weights=m.prob) + 0.01  # and a floor over the whole sky
    density = prob / (4 * np.pi / (12 * 4.0**3))
    wide = HealpixMap(uniq, density, "event.skymap")
    return dataclasses.replace(notice, localisation=wide, ra=wide.ra, dec=wide.dec)


def _arbiter(when: str):
    # The user guide's 2018 sample map offered in 2026: no age limits, or it would only be listed.
    ages = {"max_trigger_age": 0, "max_message_age": 0}
    policy = policy_from_config({"policy": {"default_group": "gw-inform", **ages}, "groups": GROUPS})
    return Arbiter(policy, clock=FakeClock.at(when), visibility=Visibility(SITE_PRESETS["BTA"]))


def test_small_map_up_now_is_act(lvk):
    arbiter = _arbiter("2026-12-02T02:30:00")  # the map is ~79 % above the BTA's limit
    assert arbiter.reach(lvk) == pytest.approx(0.785, abs=0.01)
    cls = classify(lvk, arbiter.policy, reach=arbiter.reach)
    assert cls.group.name == "gw-act" and "GW, small and up" in cls.reason


def test_small_map_down_now_is_inform(lvk):
    arbiter = _arbiter("2026-12-01T19:00:00")
    assert arbiter.reach(lvk) < 0.01
    assert classify(lvk, arbiter.policy, reach=arbiter.reach).group.name == "gw-inform"


def test_large_map_is_inform_even_when_up(lvk):
    wide = _wide(lvk)
    assert wide.region.area90 > 1000
    arbiter = _arbiter("2026-12-02T02:30:00")
    assert classify(wide, arbiter.policy, reach=arbiter.reach).group.name == "gw-inform"
    assert arbiter.offer(wide).alert.group.name == "gw-inform"


def test_without_a_site_min_prob_up_never_matches(lvk):
    policy = policy_from_config({"policy": {"default_group": "gw-inform"}, "groups": GROUPS})
    assert classify(lvk, policy).group.name == "gw-inform"


@pytest.mark.parametrize("rule, message", [
    ({"mission": "LVK", "min_prob_up": 1.5}, "min_prob_up is a probability"),
    ({"mission": "LVK", "max_area90": "big"}, "max_area90 must be a number"),
])  # fmt: skip
def test_rule_errors(rule, message):
    groups = [{"name": "g", "priority": 1, "action": "act", "match": [rule]}]
    with pytest.raises(ConfigError, match=message):
        policy_from_config({"policy": {"default_group": "g"}, "groups": groups})


def test_a_refinement_whose_area_shrinks_is_the_better_position(lvk):
    """Preliminary (GW map, 31.0 deg2), then the update with the combined map (27.7 deg2), then a
    wider map: the dialog's position is the combined map's, and the wide one does not replace it."""
    from gcnmon.notice.region import better_position

    update = parse((LVK / "MS181101ab-ext-update.json").read_bytes(), max_size=4 << 20)
    update = dataclasses.replace(update, is_test=False, role="observation")
    wide = dataclasses.replace(_wide(update), ivorn=update.ivorn + "-wide")
    assert better_position(update, lvk)
    assert not better_position(wide, update) and not better_position(lvk, update)
    arbiter = _arbiter("2026-12-02T02:30:00")
    shown = arbiter.offer(lvk).alert
    arbiter.offer(update)
    assert shown.best is update and shown.best.region.area90 == pytest.approx(27.7, abs=0.05)
    arbiter.offer(wide)
    assert shown.notice is wide and shown.best is update  # the latest details, the best position
