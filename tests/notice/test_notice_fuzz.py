"""Hostile and broken input: only NoticeError ever escapes the parser (Hypothesis, modest budgets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcnmon.notice import Notice, NoticeError, parse, parse_strict

DATA = Path(__file__).parent.parent / "data"
PACKETS = sorted(p.read_bytes() for p in DATA.rglob("*") if p.suffix in (".xml", ".json"))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def survives(data: bytes) -> Notice | None:
    """Parse without the safety net: a parser bug fails the test instead of becoming a NoticeError."""
    try:
        return parse_strict(data)
    except NoticeError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data):
    survives(data)


@FUZZ
@given(st.sampled_from(PACKETS), st.data())
def test_truncated_packets(packet, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(packet) - 1))
    survives(packet[:cut])


@FUZZ
@given(st.sampled_from(PACKETS),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.binary(max_size=8)), max_size=6))
def test_mutated_packets(packet, edits):
    mutated = bytearray(packet)
    for where, insert in edits:
        at = where % (len(mutated) + 1)
        mutated[at : at + len(insert) // 2] = insert
    survives(bytes(mutated))


_TEXT_SLOTS = (b"<C1>", b"<C2>", b"<Error2Radius>", b"<ISOTime>", b'value="')


@FUZZ
@given(st.sampled_from([p for p in PACKETS if b"<C1>" in p]), st.sampled_from(_TEXT_SLOTS),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<&\""),
               max_size=12))  # fmt: skip
def test_odd_values_in_real_packets(packet, slot, text):
    """NaN, inf, 1e999, empty and junk in coordinates, times and params."""
    survives(packet.replace(slot, slot + text.encode(), 1))


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_JSON_KEYS = ("$schema", "id", "ra", "dec", "ra_dec_error", "trigger_time", "alert_type", "alert_tense",
              "superevent_id", "event", "reference", "mission", "instrument", "record_number",
              "image_snr")  # fmt: skip


@FUZZ
@given(st.dictionaries(st.sampled_from(_JSON_KEYS), json_values, max_size=8))
def test_json_with_schema_keys_of_any_type(doc):
    survives(json.dumps(doc).encode())


@pytest.mark.parametrize(
    "packet",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
        b'<VOEvent ivorn="ivo://x/y#z" role="test">&lol3;</VOEvent>',
        # external entity
        b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<VOEvent ivorn="ivo://x/y#z" role="test"><What><Param name="a" value="&xxe;"/></What></VOEvent>',
        # external DTD over the network
        b'<!DOCTYPE VOEvent SYSTEM "http://127.0.0.1:9/evil.dtd"><VOEvent ivorn="ivo://x/y#z" role="test"/>',
        # parameter entities
        b'<!DOCTYPE v [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        b'<VOEvent ivorn="ivo://x#y" role="test"/>',
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"],
)
def test_entities_and_doctypes_are_refused(packet):
    with pytest.raises(NoticeError):
        parse(packet)


def test_size_cap():
    big = PACKETS[0] + b" " * (4 << 20)  # 4 MiB of padding: over the cap whatever the packet
    with pytest.raises(NoticeError, match="exceeds"):
        parse(big)
    with pytest.raises(NoticeError, match="exceeds"):
        parse(b'{"a": "' + b"x" * 2000 + b'"}', max_size=1000)


@pytest.mark.parametrize(
    "packet, reason",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body/></html>", "not a VOEvent"),
        (b'<VOEvent role="observation"/>', "no ivorn"),
        (b"[1, 2]", "not an object"),
        (b"{not json", "malformed JSON"),
        ("<VOEvent/>", "expected bytes"),
    ],
)
def test_one_line_reasons(packet, reason):
    with pytest.raises(NoticeError, match=reason):
        parse(packet)


def test_namespace_variants_of_one_packet_agree():
    """voe: prefix, default namespace and no namespace give the same notice."""
    raw = (DATA / "gcn-notice-parser/eclairs_300.xml").read_bytes()
    default_ns = raw.replace(b"<voe:VOEvent", b"<VOEvent").replace(b"</voe:VOEvent>", b"</VOEvent>")
    default_ns = default_ns.replace(b"xmlns:voe=", b"xmlns=")
    no_ns = default_ns.replace(b'xmlns="http://www.ivoa.net/xml/VOEvent/v2.0"', b"")
    no_decl = raw.split(b"?>", 1)[1]
    notices = [parse(p) for p in (raw, default_ns, no_ns, no_decl)]
    keys = [(n.ivorn, n.trigger_id, n.ra, n.dec, n.error_radius, n.time, n.flags, n.cites) for n in notices]
    assert keys.count(keys[0]) == 4
    assert notices[2].warnings == ("no VOEvent namespace on the root element",)


def test_underscore_dates_and_arcmin_units():
    """Space-weather style ``2018_05_22T05:30:07`` and a Position2D in arcmin, read with a warning."""
    raw = (DATA / "gcn-notice-parser/eclairs_300.xml").read_bytes()
    edited = raw.replace(b"2026-02-25T08:50:57.169000", b"2018_05_22T05:30:07")
    edited = edited.replace(b'<Position2D unit="deg">', b'<Position2D unit="arcmin">')
    n = parse(edited)
    assert n.time.isoformat() == "2018-05-22T05:30:07+00:00"
    assert n.ra == pytest.approx(204.6748 / 60) and n.error_radius == pytest.approx(0.0854 / 60)
    assert any("underscores" in w for w in n.warnings)


def test_safety_net_turns_a_bug_into_notice_error(monkeypatch, caplog):
    import gcnmon.notice

    def broken(data, *, max_size):
        raise ZeroDivisionError("simulated parser bug")

    monkeypatch.setattr(gcnmon.notice, "parse_voevent", broken)
    with pytest.raises(NoticeError, match="ZeroDivisionError"):
        parse(PACKETS[0] if not PACKETS[0].startswith(b"{") else PACKETS[-1])
    assert "parser failure" in caplog.text
