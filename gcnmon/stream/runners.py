"""The configured streams as start/stop runners: shared by ``gcnmon listen``, the GUI and the relay."""

from __future__ import annotations

import logging

from ..config import ConfigError
from .link import LinkState

__all__ = ["VtpRunner", "KafkaRunner", "split_server", "configured_sources"]

log = logging.getLogger(__name__)


class VtpRunner:
    """The VTP subscriber service with failover, configured from ``[vtp]``."""

    def __init__(self, servers, on_packet, section, link, reactor):
        from .vtp.subscriber import make_subscriber_service

        self.servers = servers
        self.link = link
        self.service = make_subscriber_service(
            servers,
            on_packet,
            link=link,
            local_ivorn=section.get("local_ivorn", "ivo://gcnmon/workstation"),
            watchdog=float(section.get("watchdog", 150)),
            max_frame=int(section.get("max_frame", 1 << 20)),
            backoff_initial=float(section.get("backoff_initial", 1.0)),
            backoff_max=float(section.get("backoff_max", 60.0)),
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
    servers = [split_server(s) for s in cfg.get("sources.vtp", [])]
    if servers:
        runners.append(VtpRunner(servers, on_packet, cfg.section("vtp"), LinkState("vtp"), reactor))
    if cfg.get("sources.kafka"):
        runners.append(KafkaRunner(cfg.section("kafka"), on_packet, LinkState("kafka"), reactor,
                                   station=cfg.get("station.name", "gcnmon")))
    return runners
