"""``gcnmon relay``: hold one upstream (GCN Kafka or VTP brokers) and serve the workstations over VTP."""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["NAME", "HELP", "configure", "run", "relay_settings", "upstream_servers"]

NAME = "relay"
HELP = ("gateway relay: one upstream (GCN Kafka or VTP), every new notice archived and rebroadcast over "
        "VTP to the workstations on the allow-list")

log = logging.getLogger(__name__)

#: The VTP broadcast port every broker uses by convention (Comet's default); `Proxy=HOST` means it too.
DEFAULT_PORT = 8099


def configure(parser: argparse.ArgumentParser) -> None:
    from ._archive_cli import add_config_options

    parser.add_argument("--upstream", metavar="kafka|vtp://HOST:PORT[,HOST:PORT...]",
                        help="GCN Kafka, or VTP brokers tried in order with failover; 'none': only the "
                        "receive port feeds the relay (default: [relay] upstream)")
    parser.add_argument("--listen", metavar="ADDR:PORT", help=f"where workstations subscribe "
                        f"(default: [relay] listen, port {DEFAULT_PORT})")
    parser.add_argument("--allow", metavar="CIDR[,CIDR...]", help="networks allowed to subscribe, e.g. "
                        "10.0.0.0/8,127.0.0.1/32 (default: [relay] allow)")
    parser.add_argument("--max-subscribers", type=int, metavar="N", help="refuse subscribers beyond N")
    parser.add_argument("--receive", metavar="ADDR:PORT", help="also take VOEvents from local authors "
                        "(instruments, comet-sendvo) here and rebroadcast them")
    parser.add_argument("--receive-allow", metavar="CIDR[,CIDR...]", help="authors allowed on --receive "
                        "(default: [relay] receive_allow)")
    parser.add_argument("--kafka-bootstrap", metavar="HOST:PORT", help="a Kafka broker other than NASA's "
                        "(mirror, tests): plaintext, no credentials")
    add_config_options(parser)


def _apply_options(cfg, args: argparse.Namespace) -> None:
    for option, key in (("upstream", "upstream"), ("listen", "listen"), ("allow", "allow"),
                        ("max_subscribers", "max_subscribers"), ("receive", "receive"),
                        ("receive_allow", "receive_allow")):
        if getattr(args, option) is not None:
            cfg.set(f"relay.{key}", getattr(args, option))
    if args.kafka_bootstrap:
        cfg.set("kafka.bootstrap", args.kafka_bootstrap)


def upstream_servers(upstream: str) -> list[tuple[str, int]] | str:
    """``"kafka"``/``"none"`` as is; ``"vtp://a:1,b:2"`` -> ``[("a", 1), ("b", 2)]``; else ``ValueError``."""
    from ..relay.access import split_address, split_list

    text = upstream.strip()
    if text.lower() in ("kafka", "none"):
        return text.lower()
    if not text.lower().startswith("vtp://"):
        raise ValueError(f"upstream {upstream!r}: expected kafka, none or vtp://HOST:PORT[,HOST:PORT...]")
    items = split_list(text[len("vtp://"):])
    return [split_address(item.removeprefix("vtp://"), DEFAULT_PORT) for item in items]


def relay_settings(cfg) -> dict:
    """The ``[relay]`` section checked and typed; ``ValueError`` with a one-line reason if it is wrong."""
    from ..relay.access import AllowList, split_address

    section = cfg.section("relay")  # validated by the schema: every key is there, of its type and range
    receive = section["receive"]
    return {
        "upstream": upstream_servers(section["upstream"]),
        "listen": split_address(section["listen"], DEFAULT_PORT),
        "allow": AllowList(section["allow"]),
        "receive": split_address(receive, 8098) if receive else None,
        "receive_allow": AllowList(section["receive_allow"]),
        "max_subscribers": section["max_subscribers"] or None,
        "queue_limit": section["queue_limit"],
        "max_frame": section["max_frame"],
        "local_ivorn": section["local_ivorn"],
        "receive_timeout": section["receive_timeout"],
        "stats_interval": section["stats_interval"],
    }


def _upstream(cfg, settings: dict, on_packet, reactor):
    """The upstream runner (``start()``/``stop()``), or None for ``none``."""
    from ..stream.link import LinkState
    from ..stream.runners import KafkaRunner, VtpRunner

    upstream = settings["upstream"]
    if upstream == "none":
        return None
    if upstream == "kafka":
        return KafkaRunner(cfg.section("kafka"), on_packet, LinkState("kafka"), reactor,
                           station=cfg.get("station.name") + "-relay")
    section = {**cfg.section("vtp"), "local_ivorn": settings["local_ivorn"]}
    return VtpRunner(upstream, on_packet, section, LinkState("vtp"), reactor)


def _build(settings: dict, intake, reactor):
    from ..relay.service import Relay

    return Relay(intake, allow=settings["allow"],
                 receive_allow=settings["receive_allow"] if settings["receive"] else None,
                 max_subscribers=settings["max_subscribers"], queue_limit=settings["queue_limit"],
                 max_frame=settings["max_frame"], local_ivorn=settings["local_ivorn"],
                 receive_timeout=settings["receive_timeout"], reactor=reactor)


def _listen(relay, settings: dict) -> None:
    """Open the ports and say where (tests and scripts read these lines; port 0 picks a free one)."""
    host, port = settings["listen"]
    port = relay.listen(host, port)
    if not settings["allow"]:
        log.warning("relay: the allow-list is empty: every subscriber will be refused")
    print(f"gcnmon relay: listening on vtp://{host}:{port} for {settings['allow']}", flush=True)
    if settings["receive"]:
        host, port = settings["receive"]
        port = relay.listen_receive(host, port)
        print(f"gcnmon relay: receiving on vtp://{host}:{port} from {settings['receive_allow']}", flush=True)


def _escalation(cfg, relay, upstream, reactor):
    """``[notify]`` for the relay: the upstream stale (down) too long, the subscribers gone to 0.

    Returns ``(escalation, the LoopingCall that ticks it)``, or ``(None, None)`` without targets."""
    from datetime import UTC, datetime

    from twisted.internet.task import LoopingCall

    from ..notify import build_escalation

    station = cfg.get("station.name") + " relay"
    escalation, _ = build_escalation(cfg, clock=lambda: datetime.now(UTC), station=station, reactor=reactor)
    if escalation is None:
        return None, None
    if upstream is not None:
        escalation.watch(upstream.link, cfg.get("vtp.watchdog"), kind="relay")
    relay.intake.on_problem = lambda text: (escalation.archive_failed(text)
                                            if text.startswith("ARCHIVE FAILED") else None)
    broker = relay.broker
    broker.subscriber_added.append(lambda _peer: escalation.subscribers(broker.subscribers))
    broker.subscriber_removed.append(lambda _peer: escalation.subscribers(broker.subscribers))
    ticking = LoopingCall(escalation.tick)
    ticking.clock = reactor
    reactor.callWhenRunning(ticking.start, 1.0, now=False)
    return escalation, ticking


def run(args: argparse.Namespace) -> int:
    from twisted.internet import defer, reactor
    from twisted.internet.error import CannotListenError

    from ..archive import Archive, archive_path
    from ..backlog import backlog_from_config
    from ..config import ConfigError
    from ..intake import Intake
    from ._archive_cli import load

    if args.verbose == 0:
        logging.getLogger("gcnmon").setLevel(logging.INFO)  # refusals, drops, link changes: the journal
    try:
        cfg = load(args)
        _apply_options(cfg, args)
        settings = relay_settings(cfg)
    except ConfigError as exc:
        print(exc.lines("gcnmon relay"), file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"gcnmon relay: {exc}", file=sys.stderr)
        return 2
    archive = Archive(archive_path(cfg.section("archive")))
    intake = Intake(archive, backlog=backlog_from_config(cfg.section("archive"), f"archive {archive.path}"))
    relay = _build(settings, intake, reactor)
    try:
        _listen(relay, settings)
    except CannotListenError as exc:
        where = f"{exc.interface}:{exc.port}"
        print(f"gcnmon relay: cannot listen on {where}: {exc.socketError}", file=sys.stderr)
        return 2
    from ..story.intake import with_circulars

    # gcn.circulars are archived at the relay too (VTP carries notices only: workstations read their own)
    upstream = _upstream(cfg, settings, with_circulars(relay.on_packet, archive), reactor)
    if upstream is not None:
        reactor.callWhenRunning(upstream.start)
    try:
        _, ticking = _escalation(cfg, relay, upstream, reactor)
    except ConfigError as exc:
        print(exc.lines("gcnmon relay"), file=sys.stderr)
        return 2
    relay.start_stats(settings["stats_interval"])
    log.info("relay: archive %s, upstream %s", archive.path, cfg.get("relay.upstream"))

    def shutdown():
        if ticking is not None and ticking.running:
            ticking.stop()
        stops = [relay.stop()] + ([upstream.stop()] if upstream is not None else [])
        return defer.DeferredList(stops, consumeErrors=True)

    reactor.addSystemEventTrigger("before", "shutdown", shutdown)
    reactor.run()  # SIGTERM/SIGINT stop it; the trigger closes the upstream first
    intake.close()  # a last try for packets held while the archive could not take them
    archive.close()
    log.info("relay stopped: %s", relay.summary())
    return 0
