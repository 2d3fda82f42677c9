"""``gcnmon listen``: headless VTP and GCN Kafka listener printing one log-book line per new notice."""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "listen"
HELP = ("headless listener: VTP and/or GCN Kafka in, archived, one log-book line (or --json object) per "
        "new notice on stdout")

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    from ._archive_cli import add_config_options

    parser.add_argument("--vtp", metavar="HOST:PORT", action="append", default=[],
                        help="VTP broker (Comet, a gcnmon relay); repeat for failover (default: [sources] vtp)")
    parser.add_argument("--kafka", action="store_true", help="read GCN Kafka (credentials from [kafka], "
                        "GCNMON_KAFKA_CLIENT_ID/_SECRET or the keyring)")
    parser.add_argument("--kafka-bootstrap", metavar="HOST:PORT",
                        help="a Kafka broker other than NASA's (mirror, tests): plaintext, no credentials; "
                        "implies --kafka")
    parser.add_argument("--kafka-topic", metavar="TOPIC", action="append", default=[],
                        help="read this topic instead of [kafka] topics (repeatable)")
    parser.add_argument("--json", action="store_true",
                        help="print the `gcnmon parse --json` object plus source and received (ISO UTC)")
    parser.add_argument("--test", action="store_true",
                        help="also print and log-book test notices (they are always archived)")
    add_config_options(parser)


def _apply_options(cfg, args: argparse.Namespace) -> None:
    if args.vtp:
        cfg.set("sources.vtp", list(args.vtp))
    if args.kafka or args.kafka_bootstrap:
        cfg.set("sources.kafka", True)
    if args.kafka_bootstrap:
        cfg.set("kafka.bootstrap", args.kafka_bootstrap)
    if args.kafka_topic:
        cfg.set("kafka.topics", list(args.kafka_topic))


class VtpRunner:
    """The VTP subscriber service with failover, configured from ``[vtp]``."""

    def __init__(self, servers, on_packet, section, link, reactor):
        from ..stream.vtp.subscriber import make_subscriber_service

        self.servers = servers
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
        from ..stream.kafka import KafkaSource

        self.source = KafkaSource(section, on_packet, link=link, reactor=reactor, station=station)

    def start(self) -> None:
        self.source.start()

    def stop(self):
        return self.source.stop()


def _printer(args: argparse.Namespace):
    from ..logbook import format_line
    from ._archive_cli import iso_utc, notice_json

    def show(arrival) -> None:
        notice = arrival.notice
        if notice.is_test and not args.test:
            return
        if args.json:
            line = notice_json(notice, source=arrival.source, received=iso_utc(arrival.received))
        else:
            line = format_line(notice, arrival.received)
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            log.warning("stdout closed; notices are still archived and log-booked")

    return show


def _split(server: str) -> tuple[str, int]:
    host, sep, port = server.rpartition(":")
    if not sep or not port.isdigit():
        raise SystemExit(f"gcnmon listen: {server!r} is not HOST:PORT")
    return host, int(port)


def _sources(cfg, intake, reactor) -> list:
    """Started-on-run objects with ``start()``/``stop()`` (a Deferred) for each configured stream."""
    from ..stream.link import LinkState

    sources = []
    servers = [_split(s) for s in cfg.get("sources.vtp", [])]
    if servers:
        sources.append(VtpRunner(servers, intake.receive, cfg.section("vtp"), LinkState("vtp"), reactor))
    if cfg.get("sources.kafka"):
        sources.append(KafkaRunner(cfg.section("kafka"), intake.receive, LinkState("kafka"), reactor,
                                   station=cfg.get("station.name", "gcnmon")))
    return sources


def run(args: argparse.Namespace) -> int:
    from twisted.internet import defer, reactor

    from ..archive import Archive, archive_path
    from ..intake import Intake
    from ..logbook import LogBook, logbook_path
    from ._archive_cli import load

    if args.verbose == 0:
        logging.getLogger("gcnmon").setLevel(logging.INFO)  # link up/down and rejects belong on stderr
    cfg = load(args)
    _apply_options(cfg, args)
    archive = Archive(archive_path(cfg.section("archive")))
    logbook = LogBook(logbook_path(cfg.section("logbook"), cfg.get("station.name", "gcnmon")))
    intake = Intake(archive, on_arrival=_printer(args), logbook=logbook, log_tests=args.test)
    sources = _sources(cfg, intake, reactor)
    if not sources:
        print("gcnmon listen: no source: give --vtp HOST:PORT or --kafka (or set [sources])", file=sys.stderr)
        return 2
    log.info("archive %s, log book %s", archive.path, logbook.path)
    for source in sources:
        reactor.callWhenRunning(source.start)
    reactor.addSystemEventTrigger(
        "before", "shutdown", lambda: defer.DeferredList([s.stop() for s in sources], consumeErrors=True))
    reactor.run()  # SIGINT/SIGTERM stop it; the trigger above closes the Kafka consumer first
    archive.close()
    logbook.close()
    log.info("stopped")
    return 0
