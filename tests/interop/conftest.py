"""Fixtures for interop tests: subprocesses that are always killed, and their output files."""

from __future__ import annotations

import subprocess

import pytest


class Spawned:
    """A subprocess whose stdout and stderr go to files the test can poll."""

    def __init__(self, argv, tmp_path, name, **kw):
        self.out_path, self.err_path = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            # The child keeps its own copies of the descriptors; ours close at once.
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, **kw)

    def out(self) -> str:
        return self.out_path.read_text(errors="replace")

    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def spawn(tmp_path):
    """``spawn(argv, name, **popen_kw) -> Spawned``; every process is terminated (then killed) at teardown."""
    started: list[Spawned] = []

    def spawn(argv, name, **kw) -> Spawned:
        started.append(Spawned([str(a) for a in argv], tmp_path, name, **kw))
        return started[-1]

    yield spawn
    for spawned in reversed(started):
        spawned.stop()
