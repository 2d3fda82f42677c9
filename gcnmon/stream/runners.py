"""The configured streams as start/stop runners: shared by ``gcnmon listen``, the GUI and the relay."""

from __future__ import annotations

import logging

from ..config import ConfigError
from .link import LinkState

__all__ = ["VtpRunner", "KafkaRunner", "split_server", "configured_sources"]

log = logging.getLogger(__name__)


class VtpRunner:
    """The VTP subscriber service with failover, configured from ``[vtp]`` (validated: every key is there)."""

    def __init__(self, servers, on_packet, section, link, reactor):
        from .vtp.subscriber import make_subscriber_service

        self.servers = servers
        self.link = link
        self.service = make_subscriber_service(
            servers,
            on_packet,
            link=link,
            local_ivorn=section["local_ivorn"],
            watchdog=section["watchdog"],
            max_frame=section["max_frame"],
            backoff_initial=section["backoff_initial"],
            backoff_max=section["backoff_max"],
            reactor=reactor,
        )

    def start(self) -> None:
        log.info("VTP: subscribing to %s", ", ".join(f"{h}:{p}" for h, p in self.servers))
        self.service.startService()

    def stop(self):
        from twisted.internet import defer

        return defer.maybeDeferred(self.service.stopService)


class KafkaRunner:
    """The GCN Kafka source on its consumer thread."""

    def __init__(self, section, on_packet, link, reactor, station: str):
        from .kafka import KafkaSource

        self.link = link
        self.source = KafkaSource(section, on_packet, link=link, reactor=reactor, station=station)

    def start(self) -> None:
        self.source.start()

    def stop(self):
        return self.source.stop()


def split_server(server: str) -> tuple[str, int]:
    """``"host:port"`` -> ``("host", port)``; ``ConfigError`` if it is not that."""
    host, sep, port = str(server).rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(f"{server!r} is not HOST:PORT")
    return host, int(port)


def configured_sources(cfg, on_packet, reactor) -> list:
    """A runner (with ``.link``) for the ``[sources]`` VTP servers and for GCN Kafka, as configured."""
    runners = []
    servers = [split_server(s) for s in cfg.get("sources.vtp")]
    if servers:
        runners.append(VtpRunner(servers, on_packet, cfg.section("vtp"), LinkState("vtp"), reactor))
    if cfg.get("sources.kafka"):
        runners.append(KafkaRunner(cfg.section("kafka"), on_packet, LinkState("kafka"), reactor,
                                   station=cfg.get("station.name")))
    return runners
