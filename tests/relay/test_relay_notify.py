"""The relay tells [notify] targets when its last subscriber leaves and when its upstream stays down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from loopback_servers import WebhookServer
from twisted.internet import protocol, reactor

from gcnmon.archive import Archive
from gcnmon.commands.relay import _escalation
from gcnmon.config import load_config
from gcnmon.intake import Intake
from gcnmon.relay.access import AllowList
from gcnmon.relay.service import Relay
from gcnmon.stream.link import LinkState


class _Upstream:
    def __init__(self):
        self.link = LinkState("kafka")


def test_last_subscriber_leaving_and_a_dead_upstream_are_told(tmp_path, monkeypatch, wait_until, wait_for):
    hook = WebhookServer()
    monkeypatch.setenv("GCNMON_NOTIFY_OPS", hook.url("hooks/ops-relay-token"))
    cfg = load_config(overrides={"notify.targets": [{"name": "ops", "events": ["relay"]}]})
    archive = Archive(tmp_path / "archive.sqlite")
    relay = Relay(Intake(archive), allow=AllowList("127.0.0.1/32"))
    port = relay.listen("127.0.0.1", 0)
    upstream = _Upstream()
    escalation, ticking = _escalation(cfg, relay, upstream, reactor)
    try:
        connected = []
        factory = protocol.ClientFactory.forProtocol(protocol.Protocol)
        factory.clientConnectionFailed = lambda *a: None
        reactor.connectTCP("127.0.0.1", port, factory)
        wait_until(lambda: relay.broker.subscribers == 1, 10)
        connected.extend(relay.broker.protocols)
        connected[0].transport.loseConnection()  # the last workstation goes away
        wait_until(lambda: len(hook.posts) == 1, 15)
        assert hook.posts[0][1]["title"] == "gcnmon BTA relay: relay has NO subscribers left"
        # the upstream, never connected, stale past [notify] stale_after: told once, with the station
        now = datetime.now(UTC)
        escalation.clock = lambda: now
        escalation.tick()
        escalation.clock = lambda: now + timedelta(minutes=10)
        escalation.tick()
        wait_until(lambda: len(hook.posts) == 2, 15)
        assert hook.posts[1][1]["title"] == "gcnmon BTA relay: kafka link STALE for 10 min (relay upstream)"
    finally:
        if ticking.running:
            ticking.stop()
        wait_for(relay.stop(), 5)
        archive.close()
        hook.close()
