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
                        help="VTP broker (Comet, a gcnmon relay); repeat for failover "
                             "(default: [sources] vtp)")
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


def run(args: argparse.Namespace) -> int:
    from twisted.internet import defer, reactor

    from ..archive import Archive, archive_path
    from ..backlog import backlog_from_config
    from ..config import ConfigError
    from ..intake import Intake
    from ..logbook import LogBook, logbook_path
    from ..stream.runners import configured_sources
    from ._archive_cli import load

    if args.verbose == 0:
        logging.getLogger("gcnmon").setLevel(logging.INFO)  # link up/down and rejects belong on stderr
    try:
        cfg = load(args)
        _apply_options(cfg, args)
    except ConfigError as exc:
        print(exc.lines("gcnmon listen"), file=sys.stderr)
        return 2
    archive = Archive(archive_path(cfg.section("archive")))
    logbook = LogBook(logbook_path(cfg.section("logbook"), cfg.get("station.name")))
    intake = Intake(archive, on_arrival=_printer(args), logbook=logbook, log_tests=args.test,
                    backlog=backlog_from_config(cfg.section("archive"), f"archive {archive.path}"))
    from ..story.intake import with_circulars

    on_packet = with_circulars(intake.receive, archive, logbook=logbook)  # gcn.circulars: beside the notices
    sources = configured_sources(cfg, on_packet, reactor)
    if not sources:
        print("gcnmon listen: no source: give --vtp HOST:PORT or --kafka (or set [sources])", file=sys.stderr)
        return 2
    log.info("archive %s, log book %s", archive.path, logbook.path)
    for source in sources:
        reactor.callWhenRunning(source.start)
    reactor.addSystemEventTrigger(
        "before", "shutdown", lambda: defer.DeferredList([s.stop() for s in sources], consumeErrors=True))
    reactor.run()  # SIGINT/SIGTERM stop it; the trigger above closes the Kafka consumer first
    intake.close()  # a last try for packets held while the archive could not take them
    archive.close()
    logbook.close()
    log.info("stopped")
    return 0
