"""A full disk delays the archive, never the alert: a real filesystem filled up, a real VTP broker.

The archive lives on a tmpfs of its own (1 MiB), filled to the last byte mid-run (SQLite then answers
"database or disk is full"); freeing it is the recovery. Without the right to mount (not root, or a
container without CAP_SYS_ADMIN) the archive's folder is a plain file instead, from the start, until
it is removed: the same code path (a real OS error on every write), only without a first packet
archived before the disk went. The broker is gcnmon's own, on 127.0.0.1 port 0; its iamalive timer and
the intake's retry and summary timers run on fake clocks.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from twisted.internet import reactor, task

from gcnmon.backlog import Backlog
from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp.broker import BrokerFactory
from gcnmon.stream.vtp.subscriber import make_subscriber_service

pytestmark = pytest.mark.gui

FIRST = "aware/gbm_alert.xml"  # archived before the disk fills
DURING = ["aware/bat_alert_grb230228a.xml", "aware/xrt_alert_1165948.xml", "aware/maxi_known.xml"]


class TmpfsDisk:
    """A 1 MiB tmpfs at ``folder``: ``fill()`` writes a file until ENOSPC, ``free()`` deletes it."""

    mid_run = True

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], check=True,
                       capture_output=True)
        self.filler = folder / "filler"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT)
        try:
            for size in (65536, 4096, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == 28  # ENOSPC: the disk is full, for real
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink()

    def close(self) -> None:
        subprocess.run(["umount", "-l", str(self.folder)], check=False, capture_output=True)


class BlockedFolder:
    """No mount rights: the archive folder is a file until ``free()``."""

    mid_run = False

    def __init__(self, folder):
        self.folder = folder
        folder.write_text("a file where the archive folder should be")

    def fill(self) -> None:
        pass

    def free(self) -> None:
        self.folder.unlink()

    def close(self) -> None:
        pass


@pytest.fixture(params=["filesystem", "folder"])
def disk(request, tmp_path):
    """"filesystem": a real full tmpfs where the machine allows it, else the folder; "folder": always."""
    folder, d = tmp_path / "disk", None
    if request.param == "filesystem" and os.geteuid() == 0:
        try:
            d = TmpfsDisk(folder)
        except (OSError, subprocess.CalledProcessError):
            folder.rmdir()
    d = d or BlockedFolder(folder)
    yield d
    d.close()


@pytest.fixture
def broker():
    clock = task.Clock()
    factory = BrokerFactory("ivo://test/broker", clock=clock)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    factory.port, factory.fake_clock = port.getHost().port, clock
    yield factory
    for proto in list(factory.protocols):
        proto.transport.abortConnection()
    port.stopListening()


def test_ui_full_disk_alert_shown_ack_only_after_recovery_archive_in_order(
        disk, broker, make_app, data_file, tmp_path, wait_for, wait_until, caplog):
    # real packets of 2023 under the fake 2026 clock: without this the trigger-age limit only lists them
    app = make_app(4, overrides={"archive.path": str(disk.folder / "archive.sqlite"),
                                  "policy.max_trigger_age": 0, "policy.max_message_age": 0})
    retry_clock = task.Clock()
    app.intake.backlog = Backlog("archive", scheduler=retry_clock, clock=retry_clock.seconds,
                                 on_recovered=app.intake._problem)
    service = make_subscriber_service([("127.0.0.1", broker.port)], app.intake.receive,
                                      link=LinkState("vtp"), local_ivorn="ivo://test/workstation")
    service.startService()
    try:
        wait_for(broker.wait_for_subscribers(1), 10)
        [proto] = broker.protocols
        first = data_file(FIRST).read_bytes()
        if disk.mid_run:
            assert wait_for(broker.broadcast(first), 10) == 1  # archived, so acknowledged at once
        disk.fill()
        during = [data_file(name).read_bytes() for name in DURING]
        deliveries = [broker.broadcast(raw) for raw in during]
        shown = len(during) + disk.mid_run
        wait_until(lambda: len(app.window.history_model.rows) == shown, 10)

        # The alert came first: the dialog is up (the BAT burst is an act alert) and says why.
        wait_until(lambda: app.dialog.isVisible(), 5)
        assert "NOT ARCHIVED" in app.dialog.band.text() and "NOT ARCHIVED" in app.dialog.windowTitle()
        assert "Swift BAT" in app.dialog.band.text()
        book = app.logbook.path.read_text()
        assert all(trigger in book for trigger in ("1156572", "1165948", "ID=")), book
        assert len([line for line in book.splitlines() if "trigger: ID=" in line]) >= shown

        # No ack yet, and not because it is still on its way: an iamalive sent after the events comes
        # back answered, so the subscriber read them all and would have acked them before answering.
        broker.fake_clock.advance(BrokerFactory.IAMALIVE_INTERVAL)
        assert proto.alive_missed == 1
        wait_until(lambda: proto.alive_missed == 0, 10)
        assert not any(d.called for d in deliveries)
        assert len(app.intake.backlog) == len(during)

        disk.free()
        retry_clock.advance(app.intake.backlog.retry)
        assert [wait_for(d, 10) for d in deliveries] == [1, 1, 1]  # each acked, once written
        assert len(app.intake.backlog) == 0
        rows = app.archive.recent(10)[::-1]
        assert [r.raw for r in rows] == ([first] if disk.mid_run else []) + during  # every packet, in order
        assert "writable again" in app.window.statusBar().currentMessage()
        # archived now: the dialog drops its mark and keeps the rest
        assert "NOT ARCHIVED" not in app.dialog.band.text() and "NOT ARCHIVED" not in app.dialog.windowTitle()
        assert "Swift BAT" in app.dialog.band.text() and app.dialog.isVisible()
        assert "3 held packet(s) written in arrival order" in app.logbook.path.read_text()
        assert not any(r.exc_info for r in caplog.records)  # one line per failure, no traceback
    finally:
        service.stopService()
