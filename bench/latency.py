"""Alert latency, cold start and memory of the GUI monitor. Run: ``.venv/bin/python bench/latency.py``.

1. latency: a local VTP broker (gcnmon's replay broker on 127.0.0.1:0) publishes N act notices (real
   Swift BAT packet, unique trigger each); the app subscribes as in production. Measured from the
   broadcast call to the moment the dialog has been painted and the alarm has started (gcnmon's ALSA
   player writing to ALSA's null device; ``--player muted`` to leave sound out), one alert at a time:
   the observer clicks Ignore once both happened, and that publishes the next alert. p50/p99; the
   run's wall time and the change of ``sys.getrefcount(None)`` (a binding that drops None references,
   as PySide6 6.12.0 does, shows up there long before it crashes).
2. cold start: a fresh interpreter runs ``--child-start`` (imports, loops, app, window shown and
   painted); wall time from spawning it to its "ready" line, best and median of a few runs.
3. memory: RSS of a fresh process idle (window up, warmed up), and the growth of an app's RSS over M
   notices (99 % routine packets the policy ignores, 1 % alerts; fed to the intake directly).

Targets (issue 5): p99 <= 30 ms, start <= 2 s, idle RSS <= 200 MB, growth <= 10 MB. Everything runs
offscreen; archives live in a new folder under /dev/shm (``--tmp DIR`` to measure a real disk's fsync).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
BAT = ROOT / "tests/data/aware/bat_alert_grb230228a.xml"  # trigger 1156572
LIGHTCURVE = ROOT / "tests/data/fink-mm/voevent_number=405.xml"  # trigger 1118357, ignored by policy


def packets(template: Path, trigger: str, count: int, start: int) -> Iterator[tuple[bytes, str]]:
    """``count`` copies of a real packet with a unique trigger (and so a unique IVORN) each, made one at
    a time: a list of 100,000 packets would itself be ~400 MB of the memory run's "growth"."""
    text = template.read_bytes()
    for i in range(start, start + count):
        raw = text.replace(trigger.encode(), str(9000000 + i).encode())
        yield raw, raw.split(b'ivorn="', 1)[1].split(b'"', 1)[0].decode()


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return kb / 1024


def build(tmp: Path, backend, vtp: list[str]):
    from gcnmon.app import build_app
    from gcnmon.config import load_config
    from gcnmon.sound import Alarm

    # The packets are a real 2023 burst's: without the age limits off they would be listed, never shown.
    cfg = load_config(overrides={"archive.path": str(tmp / "archive.sqlite"), "logbook.dir": str(tmp),
                                 "sources.vtp": vtp, "policy.max_trigger_age": 0,
                                 "policy.max_message_age": 0})
    return build_app(cfg, alarm=Alarm(backend, muted=backend is None), driver=None, tray=False)


class AlertRun:
    """Publishes one alert, waits for its dialog's first paint and its alarm, clicks Ignore, and once the
    main window has repainted the history row the click changed (the app is calm again, as it is when a
    real alert comes minutes later) publishes the next. Driven by those events alone: no sleeps, no
    polls. ``back_to_back`` publishes the next alert right after the click instead (the aftermath of the
    click then lands inside the next sample). ``finished`` fires with the samples (ms)."""

    def __init__(self, app, factory, alerts: list[tuple[bytes, str]], muted: bool,
                 back_to_back: bool = False):
        from PySide6.QtCore import QEvent, QObject
        from twisted.internet import defer

        self.app, self.factory, self.alerts, self.muted = app, factory, alerts, muted
        self.finished = defer.Deferred()
        self.samples: list[float] = []
        self.parts: list[tuple[float, float]] = []  # (alarm started, dialog painted) ms after publishing
        self.silent = 0  # alerts whose alarm did not start (the player failed)
        self.t0 = self.painted = self.rang = None
        self.back_to_back, self.calming = back_to_back, False
        paint = QEvent.Type.Paint
        run = self

        class PaintWatch(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
                if event.type() == paint:
                    run._painted(obj)
                return False

        self._watch = PaintWatch()
        self._history = app.window.history.table.viewport()
        for widget in (app.dialog, self._history):
            widget.installEventFilter(self._watch)
        self._play = app.alarm.play
        app.alarm.play = self._alarm  # the controller calls it right after presenting the dialog

    def _alarm(self, name):
        started = self._play(name)
        if self.t0 is not None and self.rang is None:
            self.rang = time.perf_counter()
            self.silent += not started and not self.muted
            self._check()
        return started

    def start(self):
        self.next()
        return self.finished

    def next(self) -> None:
        if len(self.samples) == len(self.alerts):
            for widget in (self.app.dialog, self._history):
                widget.removeEventFilter(self._watch)
            self.finished.callback(self.samples)
            return
        raw, ivorn = self.alerts[len(self.samples)]
        self.painted = self.rang = None
        self.t0 = time.perf_counter()
        self.factory.broadcast(raw, ivorn)

    def _painted(self, widget) -> None:
        from twisted.internet import reactor

        if widget is self.app.dialog and self.t0 is not None and self.painted is None:
            self.painted = time.perf_counter()
            self._check()
        elif widget is self._history and self.calming:
            self.calming = False
            reactor.callLater(0, self.next)

    def _check(self) -> None:
        if self.painted is None or self.rang is None:
            return
        self.samples.append((max(self.painted, self.rang) - self.t0) * 1000)
        self.parts.append(((self.rang - self.t0) * 1000, (self.painted - self.t0) * 1000))
        self.t0 = None
        from twisted.internet import reactor

        reactor.callLater(0, self._ignore)  # not inside the paint event: the observer clicks after it

    def _ignore(self) -> None:
        assert self.app.dialog.isVisible(), "alarm without a visible dialog"
        self.app.dialog.buttons["ignore"].click()
        if self.back_to_back:
            self.next()
        else:
            self.calming = True  # the next alert once the history shows the click


def latency(loop, tmp: Path, count: int, player: str, back_to_back: bool = False) -> tuple[list[float], dict]:
    """Milliseconds from broadcast to the dialog's first paint with the alarm started, ``count`` alerts."""
    from twisted.internet import reactor

    from gcnmon.stream.vtp.broker import BrokerFactory

    factory = BrokerFactory("ivo://gcnmon/bench", clock=reactor)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    app = build(tmp, make_backend(player), [f"127.0.0.1:{port.getHost().port}"])
    app.start()
    loop.run_until_complete(asyncio.wait_for(factory.wait_for_subscribers(1).asFuture(loop), 10))
    alerts = list(packets(BAT, "1156572", count, 0))
    run = AlertRun(app, factory, alerts, muted=player == "muted", back_to_back=back_to_back)
    nones, t0 = sys.getrefcount(None), time.perf_counter()
    samples = loop.run_until_complete(asyncio.wait_for(run.start().asFuture(loop), 30 + count))
    facts = {"seconds": time.perf_counter() - t0, "none_refs": sys.getrefcount(None) - nones,
             "silent": run.silent, "alarm_p50": statistics.median(a for a, _ in run.parts),
             "paint_p50": statistics.median(p for _, p in run.parts)}
    loop.run_until_complete(app.stop().asFuture(loop))
    loop.run_until_complete(port.stopListening().asFuture(loop))
    return samples, facts


def make_backend(player: str):
    """The alarm's player for the latency run: gcnmon's default (ALSA) or none (muted)."""
    if player == "muted":
        return None
    from gcnmon.alsa import AlsaBackend

    return AlsaBackend()


def memory(qapp, tmp: Path, count: int) -> tuple[float, list[tuple[int, float]]]:
    """RSS (MB) once warmed up, then at every tenth of ``count`` notices through intake, archive,
    arbiter and window (after the trim the running app does every 10 minutes)."""
    from gcnmon.app import release_memory

    app = build(tmp, None, [])
    app.window.show()
    app.warm_up()
    settle(qapp, 1.0)
    baseline, marks = rss_mb(), []
    alerts = packets(BAT, "1156572", count // 100, count)
    for i, (raw, _) in enumerate(packets(LIGHTCURVE, "1118357", count, 0), 1):
        if i % 100 == 0:  # 1 % alerts, 99 % routine packets the policy ignores
            app.intake.receive(next(alerts)[0], "bench")
            if app.dialog.isVisible():
                app.dialog.buttons["ignore"].click()
        else:
            app.intake.receive(raw, "bench")
        if i % 1000 == 0:
            qapp.processEvents()
        if i % max(count // 10, 1) == 0:
            settle(qapp, 0.2)
            release_memory()  # App.start's trim timer
            marks.append((i, rss_mb()))
    return baseline, marks


def settle(qapp, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.01)


def child_start(tmp: Path) -> int:
    """Run in a fresh interpreter: build and show the window, say "ready"; then warm up, idle, say RSS."""
    from gcnmon.bootstrap import install_loops

    qapp, loop = install_loops(["gcnmon-bench"])
    app = build(tmp, None, [])
    app.window.show()
    qapp.processEvents()
    app.window.grab()  # forces a full paint of the window
    print("ready", flush=True)
    app.warm_up()
    settle(qapp, 2.0)
    print(f"idle {rss_mb():.1f}", flush=True)
    loop.close()
    return 0


def cold_start(tmp: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds to the first painted window, and idle RSS (MB), of ``runs`` fresh processes."""
    times, idle = [], []
    for i in range(runs):
        folder = tmp / f"start{i}"
        folder.mkdir()
        t0 = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--child-start", "--tmp", str(folder)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = child.stdout.readline()
        times.append(time.perf_counter() - t0)
        assert line.strip() == "ready", line
        idle.append(float(child.stdout.readline().split()[1]))
        child.wait(30)
    return times, idle


def _environment(tmp: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["GCNMON_CONFIG"] = os.devnull
    conf = tmp / "asound.conf"
    conf.write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
    os.environ["ALSA_CONFIG_PATH"] = str(conf)  # the alarm really plays, into ALSA's null device


def _quiet_qt() -> None:
    """The offscreen platform warns on every raise() of the dialog: a thousand identical lines."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if "This plugin does not support" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=1000, help="alerts for the latency run (1000)")
    parser.add_argument("--notices", type=int, default=100_000, help="notices for the memory run (100000)")
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time (5)")
    parser.add_argument("--player", choices=("alsa", "muted"), default="alsa",
                        help="the alarm's player in the latency run (alsa: gcnmon's default; muted)")
    parser.add_argument("--back-to-back", action="store_true",
                        help="publish each alert right after the previous Ignore, not once the window is "
                             "calm")
    parser.add_argument("--skip", action="append", default=[], choices=("start", "latency", "memory"),
                        help="leave a part out (repeatable)")
    parser.add_argument("--tmp", type=Path,
                        help="folder for archives and log books (default: a new temp dir)")
    parser.add_argument("--child-start", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # /dev/shm by default: the archive's fsync per notice on a shared, busy disk would measure the disk.
    shm = Path("/dev/shm")
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="gcnmon-bench-", dir=shm if shm.is_dir() else None))
    _environment(tmp)
    sys.path.insert(0, str(ROOT))
    if args.child_start:
        return child_start(tmp)
    try:
        return run(args, tmp)
    finally:
        if args.tmp is None:  # ~0.8 GB of archive after 100,000 notices, in RAM when under /dev/shm
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> int:
    """The three measurements, as ``args`` asks, with files under ``tmp``."""
    import PySide6

    print(f"gcnmon GUI bench: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, Python "
          f"{sys.version.split()[0]}, PySide6 {PySide6.__version__}, files in {tmp}")
    if "start" not in args.skip:
        starts, idle = cold_start(tmp, args.starts)
        print(f"cold start to first window: best {min(starts):.2f} s, "
              f"median {statistics.median(starts):.2f} s "
              f"({len(starts)} runs; target <= 2 s)")
        print(f"RSS idle (fresh process, window up, warmed up): median {statistics.median(idle):.0f} MB "
              f"(target <= 200 MB)")
    from gcnmon.bootstrap import install_loops

    qapp, loop = install_loops(["gcnmon-bench"])
    _quiet_qt()
    from twisted.internet import reactor

    reactor.startRunning(installSignalHandlers=False)
    if "latency" not in args.skip:
        (tmp / "lat").mkdir()
        samples, facts = latency(loop, tmp / "lat", args.alerts, args.player, args.back_to_back)
        mode = f"{args.player}{', back to back' if args.back_to_back else ''}"
        print(f"VTP publish -> dialog painted + alarm started ({mode}), {len(samples)} alerts: "
              f"p50 {_pct(samples, 50):.1f} ms, p99 {_pct(samples, 99):.1f} ms, max {max(samples):.1f} ms "
              f"(target p99 <= 30 ms); run {facts['seconds']:.1f} s, alarm silent {facts['silent']} times, "
              f"refcount(None) {facts['none_refs']:+d}")
        print(f"  of which: alarm started p50 {facts['alarm_p50']:.1f} ms, "
              f"dialog painted p50 {facts['paint_p50']:.1f} ms")
    if "memory" not in args.skip:
        (tmp / "mem").mkdir()
        t0 = time.perf_counter()
        baseline, marks = memory(qapp, tmp / "mem", args.notices)
        after = marks[-1][1]
        print(f"RSS of a second app in this process {baseline:.0f} MB; after {args.notices} notices "
              f"{after:.0f} MB, growth {after - baseline:+.1f} MB (target <= 10 MB); "
              f"{time.perf_counter() - t0:.0f} s")
        print("  RSS on the way: " + ", ".join(f"{n:,} {mb - baseline:+.1f}" for n, mb in marks))
    loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
