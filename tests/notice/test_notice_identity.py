"""One identity per message, one key per event: GCN's JSON examples and Hypothesis properties."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gcnmon.notice import parse

DATA = Path(__file__).parent.parent / "data"
SCHEMA_EXAMPLES = sorted((DATA / "gcn-schema").glob("*.json"))
JSON_NOTICES = [*SCHEMA_EXAMPLES, *sorted((DATA / "json").glob("*.json")),
                DATA / "lvk-userguide/MS181101ab-retraction.json"]


def notice(name: str):
    return parse((DATA / name).read_bytes())


def test_every_json_example_has_its_own_identity():
    ivorns = [parse(path.read_bytes()).ivorn for path in JSON_NOTICES]
    assert len(JSON_NOTICES) == 24  # 17 gcn-schema examples, 6 older copies in json/, the LVK retraction
    assert len(set(ivorns)) == len(ivorns)
    assert not any("None" in ivorn for ivorn in ivorns)


def test_series_share_one_event_key():
    # Values read from the files: the "id" (first of the list) or "superevent_id" of each.
    series = {
        ("CHIME", "427325191"): ["chime_frb.detection", "chime_frb.update", "chime_frb.retraction"],
        ("SVOM", "sb24022203"): ["svom_eclairs_trigger.wakeup", "svom_eclairs_trigger.catalog"],
        ("MAXI", "9995289617"): ["maxi_gsc.unknown.circle", "maxi_gsc.unknown.ellipse",
                                 "maxi_gsc.unknown.retraction"],
        ("Swift", "694215995"): ["swift_bat_guano.loc_arc_min", "swift_bat_Guano.Retraction"],
    }
    for key, names in series.items():
        notices = [notice(f"gcn-schema/{name}.example.json") for name in names]
        assert {n.event_key for n in notices} == {key}, names
        assert len({n.ivorn for n in notices}) == len(names), names
    # The SVOM slewing notice (JSON, slew_status accepted) belongs to the same burst.
    assert notice("json/svom_eclairs_slewing.json").event_key == ("SVOM", "sb24022203")


def test_lvk_json_and_voevent_of_one_superevent_share_the_key():
    keys = {notice(name).event_key for name in ("lvk-userguide/MS181101ab-retraction.json",
                                               "lvk-userguide/MS181101ab-4-Retraction.xml",
                                               "json/igwn_preliminary.json")}
    assert keys == {("LVK", "MS181101ab")}


def test_natural_key_is_readable_in_the_identity():
    # superevent_id, alert_type, time_created as written in the LVK retraction.
    lvk = notice("lvk-userguide/MS181101ab-retraction.json").ivorn
    assert lvk.startswith("ivo://gcn.nasa.gov/igwn.gwalert#MS181101ab-RETRACTION-2018-11-01T23:36:23Z~")
    # id, alert_type, record_number, alert_datetime, instrument of the IceCube example.
    icecube = notice("gcn-schema/icecube_single_neutrino_alerts.gold_bronze_track_alerts.example.json").ivorn
    assert "#137840_57034692-initial-1-2023-04-16T05:42:00.0Z-IC86~" in icecube
    # CHIME gives only id and alert_type.
    assert "#427325191-update~" in notice("gcn-schema/chime_frb.update.example.json").ivorn


def test_maxi_circle_and_ellipse_share_every_natural_key_yet_differ():
    circle = notice("gcn-schema/maxi_gsc.unknown.circle.example.json")
    ellipse = notice("gcn-schema/maxi_gsc.unknown.ellipse.example.json")
    assert circle.ivorn.partition("~")[0] == ellipse.ivorn.partition("~")[0]
    assert circle.ivorn != ellipse.ivorn


def test_reserialised_document_keeps_its_identity():
    path = DATA / "gcn-schema/chime_frb.detection.example.json"
    doc = json.loads(path.read_bytes())
    other = json.dumps(dict(reversed(list(doc.items()))), indent=7).encode()
    assert other != path.read_bytes()
    assert parse(other).ivorn == parse(path.read_bytes()).ivorn


def test_document_without_id_gets_a_digest_identity():
    doc = {"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/fermi/lat/flare.schema.json",
           "trigger_time": "2026-11-30T01:02:03Z", "ra": 10.0, "dec": 20.0}
    n = parse(json.dumps(doc).encode())
    assert n.ivorn.startswith("ivo://gcn.nasa.gov/fermi.lat.flare#") and "None" not in n.ivorn
    assert n.event_key is None


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
_values = st.recursive(_scalars, lambda kids: st.lists(kids, max_size=3)
                       | st.dictionaries(st.text(max_size=5), kids, max_size=3), max_leaves=8)
# Documents that agree on the natural keys (the hard case) and differ anywhere else, or anywhere.
_natural = st.fixed_dictionaries({"id": st.just(["sb26113001"]), "alert_type": st.just("initial"),
                                  "instrument": st.just("ECLAIRs")})
_docs = st.one_of(
    st.builds(lambda base, extra: {**base, **extra}, _natural, st.dictionaries(st.text(max_size=5), _values,
                                                                              max_size=4)),
    st.builds(lambda extra: {"superevent_id": "S261130a", "alert_type": "PRELIMINARY", **extra},
              st.dictionaries(st.text(max_size=5), _values, max_size=4)),
    st.dictionaries(st.text(max_size=5), _values, max_size=5),
)


def _same(a, b) -> bool:
    """Equal as JSON documents: Python's == says 1 == 1.0 == True, JSON does not."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(_docs, _docs)
def test_two_different_documents_never_share_an_identity(a, b):
    first, second = parse(json.dumps(a).encode()), parse(json.dumps(b).encode())
    assert (first.ivorn == second.ivorn) == _same(a, b)


@settings(max_examples=100, deadline=None)
@given(_docs, st.integers(0, 4), st.randoms(use_true_random=False))
def test_the_same_document_written_otherwise_keeps_its_identity(doc, indent, rnd):
    items = list(doc.items())
    rnd.shuffle(items)
    rewritten = json.dumps(dict(items), indent=indent).encode()
    assert parse(rewritten).ivorn == parse(json.dumps(doc).encode()).ivorn
