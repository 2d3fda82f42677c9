"""The subscriber protocol on StringTransport and task.Clock: ack after on_packet, nak, transport replies."""

from __future__ import annotations

import logging

from twisted.internet import defer
from vtp_helpers import BROKER, LOCAL, Wired, frame

from gcnmon.notice.model import NoticeError
from gcnmon.stream.vtp import messages

IVORN = "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1156572-727"


def test_voevent_is_handed_over_then_acked(wired, voevent):
    wired.feed(voevent)
    assert wired.on_packet.calls == [(voevent, "vtp://127.0.0.1:8099")]
    (reply,) = wired.replies()
    assert (reply.kind, reply.role, reply.origin) == ("transport", "ack", IVORN)
    assert reply.root.findtext("Response") == LOCAL
    assert wired.link.notices == 1 and wired.link.connected and wired.link.host == "127.0.0.1:8099"


def test_ack_waits_for_the_deferred(wired, voevent):
    pending = defer.Deferred()
    wired.on_packet.result = lambda: pending
    wired.feed(voevent)
    assert wired.replies() == []  # not archived yet: no ack
    pending.callback(None)
    assert [r.role for r in wired.replies()] == ["ack"]


def test_notice_error_means_kept_as_reject_so_acked_never_nakked(wired, voevent, caplog):
    wired.on_packet.result = NoticeError("no  position\n in packet")
    wired.feed(voevent)
    (reply,) = wired.replies()
    assert (reply.role, reply.origin) == ("ack", IVORN)
    assert f"unreadable packet {IVORN} kept as a reject: no position in packet" in caplog.text
    assert wired.link.notices == 0


def test_handler_crash_is_not_acknowledged_and_logged(wired, voevent, caplog):
    failing = defer.Deferred()
    wired.on_packet.result = lambda: failing
    wired.feed(voevent)
    failing.errback(OSError("disk full"))
    assert wired.replies() == []  # not kept: no ack; and no nak, which would get us dropped
    assert any(r.levelno == logging.ERROR
               and f"{IVORN} NOT acknowledged, it could not be kept: OSError: disk full"
               in r.getMessage() for r in caplog.records)
    assert not wired.tr.disconnecting


def test_author_side_naks_with_the_reason():
    """The relay's receive port reuses this protocol with ``NAK_REFUSED``: an author hears why."""
    from gcnmon.stream.vtp.protocol import SubscriberProtocol

    class Author(SubscriberProtocol):
        NAK_REFUSED = True

    w = Wired()
    w.factory.protocol = Author
    w.proto = w.factory.buildProtocol(w.tr.getPeer())
    w.proto.makeConnection(w.tr)
    w.on_packet.result = NoticeError("no position")
    w.feed(b"<voe:VOEvent xmlns:voe='http://www.ivoa.net/xml/VOEvent/v2.0' ivorn='ivo://a/b#1'/>")
    (reply,) = w.replies()
    assert (reply.role, reply.origin, reply.root.findtext("Meta/Result")) == (
        "nak", "ivo://a/b#1", "no position"
    )
    w.proto.setTimeout(None)


def test_iamalive_is_answered_as_comet_does(wired):
    wired.feed(messages.iamalive(BROKER))
    (reply,) = wired.replies()
    assert (reply.role, reply.origin, reply.root.findtext("Response")) == ("iamalive", BROKER, LOCAL)
    assert wired.link.last_packet == wired.clock.seconds() and wired.link.notices == 0


def test_authenticate_is_answered_with_empty_filters(wired):
    wired.feed(messages.authenticate(BROKER))
    (reply,) = wired.replies()
    assert (reply.role, reply.origin, reply.root.findtext("Response")) == ("authenticate", BROKER, LOCAL)
    assert reply.root.find("Meta") is not None and reply.root.findall("Meta/Param") == []


def test_two_frames_in_one_read_and_one_frame_in_pieces(wired, voevent):
    data = frame(messages.iamalive(BROKER)) + frame(voevent)
    for i in range(0, len(data), 7):
        wired.proto.dataReceived(data[i : i + 7])
    assert [r.role for r in wired.replies()] == ["iamalive", "ack"]
    assert len(wired.on_packet.calls) == 1


def test_unexpected_transport_role_is_logged_not_answered(wired, caplog):
    wired.feed(messages.ack("ivo://x/y", "ivo://x/z"))
    assert wired.replies() == [] and "role 'ack'" in caplog.text
