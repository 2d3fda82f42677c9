"""``gcnmon listen`` as a subprocess (the test process runs the qasync reactor; listen runs its own)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

__all__ = ["Listener", "gcnmon_env"]


def gcnmon_env(tmp_path: Path) -> dict:
    """An environment that keeps gcnmon's files in ``tmp_path`` and prints times in UTC."""
    env = dict(os.environ)
    env.update({"GCNMON_DATA_DIR": str(tmp_path / "data"), "GCNMON_LOG_DIR": str(tmp_path / "logs"),
                "GCNMON_CONFIG": os.devnull, "TZ": "UTC",
                "PYTHONUNBUFFERED": "1"})
    env.pop("QT_QPA_PLATFORM", None)
    return env


class Listener:
    """Run ``gcnmon <args>``; its stdout and stderr lines are collected by threads as they come."""

    def __init__(self, tmp_path: Path, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gcnmon", *args], env=gcnmon_env(tmp_path), cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out: list[str] = []
        self.err: list[str] = []
        self._drains = [threading.Thread(target=self._drain, args=(stream, sink), daemon=True)
                        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for thread in self._drains:
            thread.start()

    @staticmethod
    def _drain(stream, sink: list[str]) -> None:
        for line in stream:
            sink.append(line.rstrip("\n"))

    @property
    def stderr(self) -> str:
        return "\n".join(self.err)

    def logged(self, text: str) -> bool:
        return any(text in line for line in self.err)

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM, as a service manager would; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: a crash, no clean-up at all."""
        self.proc.kill()
        self.proc.wait(15)

    def close(self) -> None:
        """Kill it if still running, read what is left of its output, close the pipes."""
        if self.proc.poll() is None:
            self.kill()
        for thread in self._drains:
            thread.join(10)
        self.proc.stdout.close()
        self.proc.stderr.close()
