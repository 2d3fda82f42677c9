"""JSON notices in their VOEvent 2.0 envelope: lossless round trip, Comet's validators, damaged envelopes."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import comet
import pytest
from comet.utility.xml import xml_document
from comet.validator import CheckIVOID, CheckSchema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from gcnmon.notice import NoticeError, parse, parse_strict, wrap_json
from gcnmon.notice.envelope import DIGEST_PARAM, PAYLOAD_PARAM, TOPIC_PARAM
from gcnmon.notice.voevent import parse_voevent

JSON_FILES = sorted((Path(__file__).parents[1] / "data" / "json").glob("*.json"))
COMET_SCHEMA = os.path.join(comet.__path__[0], "schema", "VOEvent-v2.0.xsd")


@pytest.fixture(params=JSON_FILES, ids=[p.stem for p in JSON_FILES])
def original(request) -> bytes:
    return request.param.read_bytes()


def test_round_trip_gives_the_same_notice_field_by_field(original):
    direct = parse(original)
    unwrapped = parse(wrap_json(direct))
    for field in dataclasses.fields(direct):
        assert getattr(unwrapped, field.name) == getattr(direct, field.name), field.name
    assert dict(unwrapped.params) == dict(direct.params)
    assert unwrapped.raw == original and unwrapped.format == "json"
    # the schema example's skymap is cut short ("..."): that, and only that, is warned about
    assert all(w.startswith("sky map not used") for w in unwrapped.warnings)


def test_envelope_passes_comets_schema_and_ivoid_validators(original, wait_for):
    envelope = wrap_json(parse(original))
    event = xml_document(envelope)  # what Comet's receiver hands its validators
    wait_for(CheckSchema(COMET_SCHEMA)(event), 10)  # raises (fails the Deferred) if invalid
    CheckIVOID()(event)
    root = event.element
    assert root.get("ivorn") == parse(original).ivorn and root.get("role") == parse(original).role
    params = {p.get("name"): p.get("value") for p in root.iterfind("What/Param")}
    assert {TOPIC_PARAM, PAYLOAD_PARAM, DIGEST_PARAM} <= set(params)


_COMPACT = etree.XMLParser(remove_blank_text=True)


@pytest.mark.parametrize("reserialise", [
    lambda env: xml_document(etree.fromstring(env)).raw_bytes,  # Comet's own re-serialisation
    lambda env: etree.tostring(etree.fromstring(env), method="c14n"),  # canonical XML: quotes, no declaration
    lambda env: etree.tostring(etree.fromstring(env, _COMPACT), encoding="ascii"),  # no layout, ASCII
], ids=["comet", "c14n", "compact-ascii"])  # fmt: skip
def test_json_survives_a_broker_writing_the_xml_again(original, reserialise):
    again = reserialise(wrap_json(parse(original)))
    notice = parse(again)
    assert notice.raw == original and notice == parse(original)


def test_envelope_is_deterministic_so_chained_relays_agree(original):
    envelope = wrap_json(parse(original))
    assert wrap_json(parse(envelope)) == envelope


def test_plain_voevent_readers_see_time_position_and_citations(data_file):
    notice = parse(data_file("json/icecube_lvk_nu_track_search.json").read_bytes())
    plain = parse_voevent(wrap_json(notice))  # what the envelope says to a tool that ignores the payload
    assert (plain.ivorn, plain.role, plain.format) == (notice.ivorn, "observation", "voevent-2.0")
    assert (plain.time, plain.ra, plain.dec) == (notice.time, 17.49, 16.18)
    assert plain.cites == notice.cites and plain.author == "ivo://gcn.nasa.gov"
    gw = parse_voevent(wrap_json(parse(data_file("json/igwn_preliminary.json").read_bytes())))
    assert gw.role == "test" and not gw.has_position
    assert gw.time.isoformat() == "2018-11-01T22:22:46.654000+00:00"


@pytest.mark.parametrize("damage, reason", [
    (lambda env, value: env.replace(value, value[:-8] + b"!!!!!!!!"), "is not base64"),
    (lambda env, value: env.replace(value, value[4:]), "does not match its SHA-256"),
], ids=["base64", "digest"])  # fmt: skip
def test_damaged_envelope_is_read_as_the_plain_voevent_with_a_warning(data_file, damage, reason, caplog):
    notice = parse(data_file("json/ep_wxt_alert.json").read_bytes())
    envelope = wrap_json(notice)
    value = etree.fromstring(envelope).find(f"What/Param[@name='{PAYLOAD_PARAM}']").get("value").encode()
    damaged = damage(envelope, value)
    read = parse(damaged)
    assert read.format == "voevent-2.0" and read.raw == damaged and (read.ra, read.dec) == (120.0, 40.0)
    assert read.warnings[-1].startswith("JSON envelope not unwrapped: ") and reason in read.warnings[-1]
    assert "JSON envelope not unwrapped, read as a plain VOEvent" in caplog.text


def test_size_cap_is_the_jsons_own_and_its_envelope_may_be_larger(data_file):
    original = data_file("json/igwn_preliminary.json").read_bytes()
    big = original.replace(b'"skymap": "', b'"skymap": "' + b"A" * 4000, 1)  # skymaps make LVK notices large
    envelope = wrap_json(parse(big))
    assert len(envelope) > len(big)
    assert parse(envelope, max_size=len(big)).raw == big  # what is accepted bare is accepted wrapped
    read = parse(envelope, max_size=len(big) - 1)
    assert read.format == "voevent-2.0" and "exceeds the" in read.warnings[-1]
    mentions = b"<VOEvent ivorn='ivo://a/b#c'><Why>gcnmon_json%s</Why></VOEvent>" % (b" " * 999)
    with pytest.raises(NoticeError, match="exceeds the 1000-byte limit"):  # not an envelope: VOEvent cap
        parse(mentions, max_size=1000)


def test_a_voevent_that_only_mentions_the_name_is_an_ordinary_voevent(data_file):
    raw = data_file("aware/gbm_alert.xml").read_bytes()
    mentioned = raw.replace(b"</What>", b"<Description>no gcnmon_json here</Description></What>", 1)
    assert b"gcnmon_json" in mentioned

    def comparable(notice):
        return dataclasses.replace(notice, raw=b"", params={})

    assert comparable(parse(mentioned)) == comparable(parse(raw))


def test_only_json_notices_are_wrapped(data_file):
    with pytest.raises(ValueError, match="only JSON notices need an envelope"):
        wrap_json(parse(data_file("aware/gbm_alert.xml").read_bytes()))


_KEYS = ("$schema", "id", "trigger_time", "alert_datetime", "ra", "dec", "ra_dec_error", "alert_type",
         "alert_tense", "additional_info", "mission", "instrument", "superevent_id", "time_created")
_VALUES = st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.none(),
                    st.lists(st.text(max_size=4)))
_EDITS = st.lists(st.tuples(st.integers(0, 1 << 14), st.binary(max_size=8)), max_size=6)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8))
def test_any_json_notice_comes_back_unchanged(doc):
    try:
        notice = parse_strict(json.dumps(doc).encode())
        envelope = wrap_json(notice)
    except (NoticeError, ValueError) as exc:  # ValueError: an IVORN XML cannot hold (a NUL in the id)
        assert "\n" not in str(exc)
        return
    assert parse_strict(envelope) == notice


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(JSON_FILES), _EDITS)
def test_mutated_envelopes_never_break_the_parser(path, edits):
    mutated = bytearray(wrap_json(parse(path.read_bytes())))
    for where, insert in edits:
        at = where % (len(mutated) + 1)
        mutated[at : at + len(insert) // 2] = insert
    try:
        parse_strict(bytes(mutated))
    except NoticeError as exc:
        assert str(exc) and "\n" not in str(exc)
