"""The relay whose archive cannot write: workstations get the notice at once, the author's ack waits."""

from __future__ import annotations

import pytest
from test_relay_loopback import Peer
from twisted.internet import task

from gcnmon.archive import Archive
from gcnmon.backlog import Backlog
from gcnmon.intake import Intake
from gcnmon.relay.access import AllowList
from gcnmon.relay.service import Relay
from gcnmon.stream.vtp import messages


@pytest.fixture
def blocked_relay(tmp_path, wait_for):
    blocker = tmp_path / "disk"
    blocker.write_text("a file where the archive folder should be")
    clock = task.Clock()
    archive = Archive(blocker / "relay.sqlite")
    intake = Intake(archive, backlog=Backlog("archive", scheduler=clock, clock=clock.seconds))
    relay = Relay(intake, allow=AllowList("127.0.0.1/32"), receive_allow=AllowList("127.0.0.1"))
    relay.port, relay.receive_port = relay.listen("127.0.0.1", 0), relay.listen_receive("127.0.0.1", 0)
    relay.unblock, relay.retry_clock, peers = blocker.unlink, clock, []
    relay.peer = lambda *a: peers.append(Peer(*a)) or peers[-1]
    yield relay
    for peer in peers:
        peer.sock.close()
    wait_for(relay.stop(), 5)
    archive.close()


def test_relay_rebroadcasts_at_once_and_acks_the_author_once_written(blocked_relay, voevents, wait_until):
    relay = blocked_relay
    subscriber, author = relay.peer(relay.port), relay.peer(relay.receive_port)
    wait_until(lambda: relay.broker.subscribers == 1, 5)
    author.send(voevents[0])
    wait_until(lambda: subscriber.poll() or len(subscriber.frames()) == 2, 5)
    assert subscriber.data.endswith(voevents[0])  # the workstation has it, byte for byte
    author.send(voevents[1])  # queued behind the first; also sent on at once
    wait_until(lambda: subscriber.poll() or len(subscriber.frames()) == 3, 5)
    author.poll()
    assert author.frames() == [] and len(relay.intake.backlog) == 2  # no ack: not written
    relay.unblock()
    relay.retry_clock.advance(relay.intake.backlog.retry)
    wait_until(lambda: author.poll() or len(author.frames()) == 2, 5)
    ivorns = [messages.classify(v, 1 << 20).ivorn for v in voevents[:2]]
    assert [(f.role, f.origin) for f in author.frames()] == [("ack", ivorns[0]), ("ack", ivorns[1])]
    assert [r.ivorn for r in relay.intake.archive.recent(10)[::-1]] == ivorns
    assert relay.relayed == 2 and relay.duplicates == 0
