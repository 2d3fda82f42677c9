"""Test bootstrap: the same loop stack as the app (QApplication -> qasync loop -> Twisted reactor).

Test modules import ``twisted.internet.reactor`` during collection, so the asyncio reactor must be
installed on the qasync loop here, at import time, before anything else imports the reactor.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Hermetic: no test reads the developer's own gcnmon.toml or writes into their archive and log books.
_SANDBOX = __import__("tempfile").mkdtemp(prefix="gcnmon-tests-")
os.environ["GCNMON_CONFIG"] = os.devnull  # an empty file: the defaults alone (a missing one is an error)
os.environ["GCNMON_DATA_DIR"] = os.path.join(_SANDBOX, "data")
os.environ["GCNMON_LOG_DIR"] = os.path.join(_SANDBOX, "log")

import pytest  # noqa: E402

from gcnmon.bootstrap import install_loops  # noqa: E402

_app, _loop = install_loops(["gcnmon-tests"])

from twisted.internet import defer, reactor  # noqa: E402

# Tests drive Twisted I/O through the qasync loop; signal handlers belong to pytest.
reactor.startRunning(installSignalHandlers=False)

DATA = Path(__file__).parent / "data"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def archive(tmp_path):
    """A fresh SQLite archive in the test's own folder, closed at the end."""
    from gcnmon.archive import Archive

    made = Archive(tmp_path / "archive.sqlite")
    yield made
    made.close()


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's qapp fixture, bound to the application created above."""
    return _app


@pytest.fixture
def loop():
    return _loop


@pytest.fixture
def wait_for(loop):
    """``wait_for(deferred_or_future, timeout)``: run the real loop until it fires, or fail."""

    def wait_for(d, timeout: float = 10.0):
        fut = d.asFuture(loop) if isinstance(d, defer.Deferred) else d
        return loop.run_until_complete(asyncio.wait_for(fut, timeout))

    return wait_for


@pytest.fixture
def wait_until(loop):
    """``wait_until(predicate, timeout)``: run the real loop until ``predicate()`` is true, or fail."""

    def wait_until(predicate, timeout: float = 10.0, interval: float = 0.01):
        async def poll():
            while not predicate():
                await asyncio.sleep(interval)

        loop.run_until_complete(asyncio.wait_for(poll(), timeout))

    return wait_until


@pytest.fixture
def data_file():
    """Path of a packet copied into tests/data (see tests/data/MANIFEST.tsv)."""

    def data_file(name: str) -> Path:
        path = DATA / name
        assert path.exists(), f"{name} is not in tests/data"
        return path

    return data_file


@pytest.fixture
def venv_bin():
    """Where the test environment's console scripts (gcnmon, twistd, comet-sendvo, ...) live."""
    return VENV_BIN


def which(name: str) -> str:
    found = shutil.which(name, path=str(VENV_BIN)) or shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def pytest_sessionfinish(session, exitstatus):
    """The test reactor never stops, so join its thread pool (name resolution, callInThread) here:
    its non-daemon workers would otherwise keep the finished test process alive."""
    if reactor.threadpool is not None:
        reactor.threadpool.stop()
