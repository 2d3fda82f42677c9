"""A `gcnmon relay` subprocess with pygcn-listen and a Comet subscriber attached, and their inboxes."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from urllib.parse import quote_plus

from comet_loopback import __file__ as COMET_LOOPBACK

from gcnmon.stream.vtp import messages

__all__ = ["RelayPeers", "accepting", "ivorn_of", "comet_filename"]


def accepting(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def ivorn_of(path: Path) -> str:
    return messages.classify(path.read_bytes(), 1 << 20).ivorn


def comet_filename(ivorn: str) -> str:
    """How Comet's save-event plugin names an event's file (comet.plugins.eventwriter)."""
    import string

    keep = string.digits + string.ascii_letters + "_."
    return "".join(c for c in ivorn.lstrip(".").replace("/", "_").replace("\\", "_") if c in keep)


class RelayPeers:
    """``start_relay(*options)``, ``subscribe_pygcn_and_comet()``, then ``assert_every_notice(files)``."""

    def __init__(self, spawn, venv_bin, tmp_path: Path, env: dict, wait_until):
        self.spawn, self.venv_bin, self.tmp, self.env = spawn, venv_bin, tmp_path, env
        self.wait_until = wait_until
        self.pygcn_inbox, self.comet_inbox = tmp_path / "pygcn", tmp_path / "comet-saved"
        self.relay = None

    def start_relay(self, *options: str, allow: str = "127.0.0.1/32"):
        argv = [self.venv_bin / "gcnmon", "relay", "--listen", "127.0.0.1:0", "--allow", allow,
                "--archive", self.tmp / "relay.sqlite", *options]  # fmt: skip
        self.relay = self.spawn(argv, "relay", env=self.env, cwd=self.tmp)
        self.wait_until(lambda: "listening on vtp://127.0.0.1:" in self.relay.out(), 20)
        self.port = int(self.relay.out().split("listening on vtp://127.0.0.1:")[1].split()[0])
        return self.relay

    def subscribe_pygcn_and_comet(self) -> None:
        self.pygcn_inbox.mkdir()
        self.comet_inbox.mkdir()
        (self.tmp / "comet-sub-db").mkdir()
        # Always a host: with none, pygcn-listen dials NASA's retired server.
        self.spawn([self.venv_bin / "pygcn-listen", f"127.0.0.1:{self.port}"], "pygcn", env=self.env,
                   cwd=self.pygcn_inbox)
        self.spawn([sys.executable, COMET_LOOPBACK, f"--remote=127.0.0.1:{self.port}",
                    "--local-ivo=ivo://gcnmon/test-comet-subscriber", "--save-event",
                    f"--save-event-directory={self.comet_inbox}", f"--eventdb={self.tmp / 'comet-sub-db'}"],
                   "comet-subscriber", env=self.env, cwd=self.tmp)  # fmt: skip
        self.wait_until(lambda: "subscriber(s)" in self.relay.err() or "(2 now)" in self.relay.err(), 30)

    def assert_every_notice(self, files: list[Path], extra: dict[str, bytes] | None = None) -> None:
        """Both peers got every VOEvent of ``files``, and each ``extra`` payload (IVORN -> bytes)."""
        sent = {ivorn_of(p): p.read_bytes() for p in files} | (extra or {})
        pygcn = {quote_plus(ivorn): payload for ivorn, payload in sent.items()}
        comet = {comet_filename(ivorn): ivorn for ivorn in sent}
        self.wait_until(lambda: len(list(self.pygcn_inbox.iterdir())) >= len(sent), 30)
        self.wait_until(lambda: len(list(self.comet_inbox.iterdir())) >= len(sent), 30)
        # pygcn saves the payload as received: the relay passed the bytes on unchanged.
        assert {p.name: p.read_bytes() for p in self.pygcn_inbox.iterdir()} == pygcn
        assert sorted(p.name for p in self.comet_inbox.iterdir()) == sorted(comet)
        for name, ivorn in comet.items():
            assert f'ivorn="{ivorn}"' in (self.comet_inbox / name).read_text()

    def stop_relay(self) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        self.relay.proc.terminate()
        return self.relay.proc.wait(timeout=15)
