"""Run a real Comet broker (``twistd -n comet ...``) that binds 127.0.0.1 only, never 0.0.0.0.

Usage: ``python comet_loopback.py COMET-OPTIONS...``. Comet builds its listeners with
``comet.service.broker.TCPServer(port, factory)``; wrapping that name with ``interface="127.0.0.1"``
before twistd loads the plugin keeps every test broker on loopback.
"""

from __future__ import annotations

import functools
import socket
import sys

__all__ = ["free_port", "comet_command", "main"]


def free_port() -> int:
    """A loopback port that was free a moment ago (twistd cannot listen on port 0 and report it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def comet_command(python: str, *, receive_port: int, broadcast_port: int, eventdb: str) -> list[str]:
    """The argv that starts a receiving and broadcasting Comet broker on loopback."""
    return [
        python, __file__,
        "--local-ivo=ivo://gcnmon/test-comet",
        "--receive", f"--receive-port={receive_port}", "--author-whitelist=127.0.0.1/32",
        "--broadcast", f"--broadcast-port={broadcast_port}", "--subscriber-whitelist=127.0.0.1/32",
        "--broadcast-test-interval=0", f"--eventdb={eventdb}", "--verbose",
    ]  # fmt: skip


def main(argv: list[str]) -> None:
    import comet.service.broker as broker
    from twisted.application import internet

    broker.TCPServer = functools.partial(internet.TCPServer, interface="127.0.0.1")
    from twisted.scripts.twistd import run

    sys.argv = ["twistd", "--nodaemon", "--pidfile=", "--logfile=-", "comet", *argv]
    run()


if __name__ == "__main__":
    main(sys.argv[1:])
