"""``gcnmon replay``: serve VOEvent files over VTP as a broker would, for demos and tests."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["NAME", "HELP", "configure", "run", "Replayer", "read_payloads"]

NAME = "replay"
HELP = "serve VOEvent files over VTP (the broker side: iamalive, acks, several subscribers)"

log = logging.getLogger(__name__)


def read_payloads(paths: Sequence[str | Path]) -> list[bytes]:
    """The raw bytes of each file (a directory stands for its *.xml files, sorted)."""
    payloads = []
    for path in map(Path, paths):
        files = sorted(path.glob("*.xml")) if path.is_dir() else [path]
        payloads.extend(f.read_bytes() for f in files)
    return payloads


class Replayer:
    """A ``BrokerFactory`` listening on ``host:port`` that broadcasts ``payloads`` in order.

    ``run()`` waits for ``wait_subscribers`` subscribers, then sends each payload (raw bytes, never
    re-serialised), waits until every subscriber acked it (at most ``ack_timeout`` s) and
    ``interval`` s more; with ``loop`` it starts over for ever. It fires with the number of acks.
    """

    def __init__(
        self,
        payloads: Sequence[bytes],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        interval: float = 1.0,
        loop: bool = False,
        wait_subscribers: int = 1,
        ack_timeout: float = 30.0,
        local_ivorn: str = "ivo://gcnmon/replay",
        reactor=None,
    ):
        from gcnmon.stream.vtp.broker import BrokerFactory

        if reactor is None:
            from twisted.internet import reactor
        self.payloads, self.host, self.port = list(payloads), host, port
        self.interval, self.loop, self.wait_subscribers = interval, loop, wait_subscribers
        self.ack_timeout, self.reactor = ack_timeout, reactor
        self.factory = BrokerFactory(local_ivorn, clock=reactor)
        self.listening = None
        self.sent = self.acks = 0

    def listen(self) -> int:
        """Start listening; return the port (useful with ``port=0``)."""
        self.listening = self.reactor.listenTCP(self.port, self.factory, interface=self.host)
        self.port = self.listening.getHost().port
        return self.port

    def stop(self):
        """Stop listening and drop every subscriber; returns a Deferred."""
        from twisted.internet import defer

        for proto in list(self.factory.protocols):
            proto.transport.loseConnection()
        return self.listening.stopListening() if self.listening else defer.succeed(None)

    def run(self):
        from twisted.internet import defer

        return defer.ensureDeferred(self._run())

    async def _run(self) -> int:
        from twisted.internet import task

        if self.listening is None:
            self.listen()
        await self.factory.wait_for_subscribers(self.wait_subscribers)
        while True:
            for payload in self.payloads:
                await self._send(payload)
                if self.interval > 0:
                    await task.deferLater(self.reactor, self.interval, lambda: None)
            if not self.loop:
                return self.acks

    async def _send(self, payload: bytes) -> None:
        from twisted.internet import defer

        delivery = self.factory.broadcast(payload)
        self.sent += 1
        try:
            acks = await delivery.addTimeout(self.ack_timeout, self.reactor)
        except defer.TimeoutError:
            log.warning("replay: packet %d not acked by every subscriber in %.0f s",
                        self.sent, self.ack_timeout)
            return
        self.acks += acks
        log.info("replay: packet %d acknowledged by %d subscriber(s)", self.sent, acks)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="VOEvent files (or folders of *.xml)")
    parser.add_argument("--port", type=int, default=8099, help="TCP port; 0 picks a free one (default 8099)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--interval", type=float, default=1.0, metavar="S", help="seconds between packets")
    parser.add_argument("--loop", action="store_true", help="start over after the last file, for ever")
    parser.add_argument("--wait-subscribers", type=int, default=1, metavar="K",
                        help="send nothing until K subscribers are connected (default 1)")


def run(args: argparse.Namespace) -> int:
    from twisted.internet import defer, task
    from twisted.internet.error import CannotListenError

    try:
        payloads = read_payloads(args.files)
    except OSError as exc:
        print(f"gcnmon replay: {exc}", file=sys.stderr)
        return 2
    if not payloads:
        print("gcnmon replay: no files to send", file=sys.stderr)
        return 2

    async def main(reactor):
        replayer = Replayer(payloads, host=args.host, port=args.port, interval=args.interval,
                            loop=args.loop, wait_subscribers=args.wait_subscribers, reactor=reactor)
        try:
            port = replayer.listen()
        except CannotListenError as exc:
            print(f"gcnmon replay: cannot listen on {args.host}:{args.port}: {exc.socketError}",
                  file=sys.stderr)
            raise SystemExit(2) from None
        # Tests and scripts read this line to learn the port (with --port 0).
        print(f"gcnmon replay: listening on vtp://{args.host}:{port}", flush=True)
        acks = await replayer.run()
        print(f"gcnmon replay: sent {replayer.sent} packet(s), {acks} ack(s)", flush=True)
        await replayer.stop()

    try:
        task.react(lambda reactor: defer.ensureDeferred(main(reactor)))
    except SystemExit as done:
        return int(done.code or 0)
    return 0
