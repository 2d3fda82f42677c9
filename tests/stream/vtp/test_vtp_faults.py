"""Hostile and broken input on the subscriber: each ends in a clear log line, no crash, and recovery."""

from __future__ import annotations

import struct

import pytest
from vtp_helpers import BROKER, Wired, frame

from gcnmon.archive import Archive
from gcnmon.intake import Intake
from gcnmon.stream.vtp import messages

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://evil/bomb#1" role="test"
 version="2.0"><Why>&lol3;</Why></voe:VOEvent>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://evil/xxe#1" role="test"
 version="2.0"><Why>&xxe;</Why></voe:VOEvent>"""


@pytest.fixture
def kept(tmp_path):
    """A subscriber whose ``on_packet`` is the app's real intake on a real archive."""
    archive = Archive(tmp_path / "archive.sqlite")
    w = Wired()
    w.factory.on_packet = Intake(archive).receive
    w.archive = archive
    yield w
    w.proto.setTimeout(None)
    archive.close()


@pytest.mark.parametrize(("payload", "ivorn"), [(BOMB, "ivo://evil/bomb#1"), (XXE, "ivo://evil/xxe#1")])
def test_entity_attacks_are_kept_as_rejects_acked_and_the_next_packet_acked(
    kept, voevent, caplog, payload, ivorn
):
    kept.feed(payload)
    (reply,) = kept.replies()
    # Acked, never nak'ed: a Comet broker drops a subscriber that naks. The packet is kept, unexpanded.
    assert (reply.role, reply.origin) == ("ack", ivorn)
    assert f"unreadable packet {ivorn} kept as a reject: DOCTYPE not allowed" in caplog.text
    (reject,) = kept.archive.rejects(10)
    assert reject.raw == payload and "DOCTYPE not allowed" in reject.reason
    assert kept.link.notices == 0 and not kept.tr.disconnecting
    kept.feed(voevent)
    assert [r.role for r in kept.replies()] == ["ack"] and kept.link.notices == 1


def test_garbage_frame_is_kept_without_reply_and_connection_survives(kept, voevent, caplog):
    kept.feed(b"\x00\xffnot xml at all")
    assert kept.replies() == []  # no ivorn to acknowledge, and never a nak towards a broker
    assert "unreadable packet (no ivorn) kept as a reject: malformed XML" in caplog.text
    assert [r.raw for r in kept.archive.rejects(10)] == [b"\x00\xffnot xml at all"]
    kept.feed(voevent)
    assert [r.role for r in kept.replies()] == ["ack"] and not kept.tr.disconnecting


def test_xml_that_is_no_voevent_is_kept_as_a_reject(kept, caplog):
    kept.feed(b"<html><body>hello</body></html>")
    assert kept.replies() == []
    (reject,) = kept.archive.rejects(10)
    assert reject.raw == b"<html><body>hello</body></html>" and "kept as a reject" in caplog.text


@pytest.mark.parametrize(
    ("prefix", "length"),
    [(b"<?xm", 0x3C3F786D), (struct.pack("!I", 1 << 31), 1 << 31), (struct.pack("<I", 5000), 0x88130000)],
    ids=["text-instead-of-prefix", "2GiB", "little-endian"],
)
def test_oversize_or_garbage_prefix_drops_the_connection(wired, caplog, prefix, length):
    wired.proto.dataReceived(prefix + b"l version='1.0'?>" * 10)
    assert wired.tr.disconnecting and wired.on_packet.calls == [] and wired.replies() == []
    assert f"length prefix of {length} bytes (cap 1048576)" in caplog.text


def test_frame_cap_is_configurable(caplog):
    w = Wired(max_frame=100)
    w.proto.dataReceived(struct.pack("!I", 101) + b"x" * 101)
    assert w.tr.disconnecting and "length prefix of 101 bytes (cap 100)" in caplog.text
    w.proto.setTimeout(None)


def test_server_closes_mid_frame(wired, voevent, caplog):
    data = frame(voevent)
    wired.proto.dataReceived(data[:500])
    wired.proto.connectionLost(None)
    assert wired.on_packet.calls == [] and not wired.link.connected
    assert "closed mid-frame (500 bytes of a frame discarded)" in caplog.text
    assert wired.proto.timeOut is None


def test_watchdog_drops_a_silent_server(wired, caplog):
    wired.clock.advance(149)
    wired.feed(messages.iamalive(BROKER))  # any traffic rearms the watchdog
    wired.clock.advance(149)
    assert not wired.tr.disconnecting
    wired.clock.advance(1)
    assert wired.tr.disconnecting and not wired.link.connected
    assert "silent for 150 s (not even iamalive); reconnecting" in caplog.text
    assert "silent for 150 s" in wired.link.last_error
