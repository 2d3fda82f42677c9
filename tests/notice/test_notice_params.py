"""Notice.params of a VOEvent: read lazily, yet the same immutable map an eager parse would give."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

import pytest

from gcnmon.notice import parse
from gcnmon.notice.params import all_params
from gcnmon.notice.voevent import EAGER_PARAMS
from gcnmon.notice.xmlsafe import parse_xml

DATA = Path(__file__).parent.parent / "data"
PACKETS = sorted(DATA.rglob("*.xml"))


def _what(raw: bytes):
    return next((child for child in parse_xml(raw) if str(child.tag).endswith("What")), None)


@pytest.mark.parametrize("path", PACKETS, ids=lambda p: p.name)
def test_lazy_params_match_an_eager_read(path):
    raw = path.read_bytes()
    eager = all_params(_what(raw))
    notice = parse(raw)
    # The names read eagerly answer without loading, and as the full map would.
    assert {name: notice.params.get(name) for name in EAGER_PARAMS} == {
        name: eager.get(name) for name in EAGER_PARAMS
    }
    assert dict(notice.params) == eager and len(notice.params) == len(eager)


def test_params_map_is_immutable_comparable_and_picklable():
    raw = (DATA / "gcn-notice-parser" / "swift_bat_grb_pos_test_9264.xml").read_bytes()
    first, second = parse(raw), parse(raw)
    assert isinstance(first.params, Mapping) and first.params["TrigID"] == "99999"
    assert first == second  # Notice equality compares params too
    assert first.params == dict(second.params) and dict(first.params) == second.params
    assert "Burst_Id" not in first.params and first.params.get("No_Such_Param") is None
    with pytest.raises(TypeError):
        first.params["TrigID"] = "1"  # type: ignore[index]
    with pytest.raises(TypeError):
        hash(first.params)
    assert pickle.loads(pickle.dumps(first.params)) == first.params
