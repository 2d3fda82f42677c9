"""Alert latency, cold start and memory of the GUI monitor. Run: ``.venv/bin/python bench/latency.py``.

1. latency: a local VTP broker (gcnmon's replay broker on 127.0.0.1:0) publishes N act notices (real
   Swift BAT packet, unique trigger each); the app subscribes as in production. Measured from the
   broadcast call to the moment the dialog is visible and the alarm has started (simpleaudio playing
   on ALSA's null device), one alert at a time (the observer clicks Ignore after each). p50/p99.
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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
BAT = ROOT / "tests/data/aware/bat_alert_grb230228a.xml"  # trigger 1156572
LIGHTCURVE = ROOT / "tests/data/fink-mm/voevent_number=405.xml"  # trigger 1118357, ignored by policy


def packets(template: Path, trigger: str, count: int, start: int) -> list[tuple[bytes, str]]:
    """``count`` copies of a real packet with a unique trigger (and so a unique IVORN) each."""
    text = template.read_bytes()
    out = []
    for i in range(start, start + count):
        raw = text.replace(trigger.encode(), str(9000000 + i).encode())
        out.append((raw, raw.split(b'ivorn="', 1)[1].split(b'"', 1)[0].decode()))
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return kb / 1024


class StartedBackend:
    """simpleaudio, noting when each sound really started (the alarm's side of the latency)."""

    def __init__(self):
        from gcnmon.sound import SimpleaudioBackend

        self.inner = SimpleaudioBackend()
        self.future: asyncio.Future | None = None

    def load(self, path):
        return self.inner.load(path)

    def play(self, sound) -> None:
        self.inner.play(sound)
        if self.future is not None and not self.future.done():
            self.future.set_result(time.perf_counter())

    def stop(self) -> None:
        self.inner.stop()


def build(tmp: Path, backend, vtp: list[str]):
    from gcnmon.app import build_app
    from gcnmon.config import load_config
    from gcnmon.sound import Alarm

    cfg = load_config(overrides={"archive.path": str(tmp / "archive.sqlite"), "logbook.dir": str(tmp),
                                 "sources.vtp": vtp})
    return build_app(cfg, alarm=Alarm(backend, muted=backend is None), driver=None, tray=False)


def latency(loop, tmp: Path, count: int) -> list[float]:
    """Milliseconds from broadcast to dialog visible and alarm started, for ``count`` alerts."""
    from gcnmon.stream.vtp.broker import BrokerFactory
    from twisted.internet import reactor

    factory = BrokerFactory("ivo://gcnmon/bench", clock=reactor)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    backend = StartedBackend()
    app = build(tmp, backend, [f"127.0.0.1:{port.getHost().port}"])
    app.start()
    loop.run_until_complete(asyncio.wait_for(factory.wait_for_subscribers(1).asFuture(loop), 10))
    samples: list[float] = []

    async def publish_all() -> None:
        # One coroutine for the whole run: re-entering run_until_complete per alert would add qasync's
        # start/stop cost between alerts (not inside a sample, but it makes the run crawl).
        for raw, ivorn in packets(BAT, "1156572", count, 0):
            backend.future = loop.create_future()
            t0 = time.perf_counter()
            factory.broadcast(raw, ivorn)
            t1 = await asyncio.wait_for(backend.future, 10)
            assert app.dialog.isVisible(), "alarm without a visible dialog"
            samples.append((t1 - t0) * 1000)
            app.dialog.buttons["ignore"].click()
            await asyncio.sleep(0.005)  # the observer's click, then the acks go out

    loop.run_until_complete(publish_all())
    loop.run_until_complete(app.stop().asFuture(loop))
    loop.run_until_complete(port.stopListening().asFuture(loop))
    return samples


def memory(qapp, tmp: Path, count: int) -> tuple[float, float]:
    """RSS (MB) once warmed up, then after ``count`` notices through intake, archive, arbiter and window."""
    from gcnmon.app import release_memory

    app = build(tmp, None, [])
    app.window.show()
    app.warm_up()
    settle(qapp, 1.0)
    baseline = rss_mb()
    routine = packets(LIGHTCURVE, "1118357", count, 0)
    alerts = packets(BAT, "1156572", count // 100, count)
    for i, (raw, _) in enumerate(routine):
        if i % 100 == 99:
            app.intake.receive(alerts[i // 100][0], "bench")
            if app.dialog.isVisible():
                app.dialog.buttons["ignore"].click()
        else:
            app.intake.receive(raw, "bench")
        if i % 1000 == 0:
            qapp.processEvents()
    settle(qapp, 1.0)
    release_memory()  # what the running app does every 10 minutes (App.start's trim timer)
    return baseline, rss_mb()


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
    os.environ["GCNMON_CONFIG"] = str(tmp / "absent.toml")
    conf = tmp / "asound.conf"
    conf.write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
    os.environ["ALSA_CONFIG_PATH"] = str(conf)  # simpleaudio really plays, into ALSA's null device


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=1000, help="alerts for the latency run (1000)")
    parser.add_argument("--notices", type=int, default=100_000, help="notices for the memory run (100000)")
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time (5)")
    parser.add_argument("--tmp", type=Path, help="folder for archives and log books (default: a new temp dir)")
    parser.add_argument("--child-start", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # /dev/shm by default: the archive's fsync per notice on a shared, busy disk would measure the disk.
    shm = Path("/dev/shm")
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="gcnmon-bench-", dir=shm if shm.is_dir() else None))
    _environment(tmp)
    sys.path.insert(0, str(ROOT))
    if args.child_start:
        return child_start(tmp)
    print(f"gcnmon GUI bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, files in {tmp}")
    starts, idle = cold_start(tmp, args.starts)
    print(f"cold start to first window: best {min(starts):.2f} s, median {statistics.median(starts):.2f} s "
          f"({len(starts)} runs; target <= 2 s)")
    print(f"RSS idle (fresh process, window up, warmed up): median {statistics.median(idle):.0f} MB "
          f"(target <= 200 MB)")
    from gcnmon.bootstrap import install_loops

    qapp, loop = install_loops(["gcnmon-bench"])
    from twisted.internet import reactor

    reactor.startRunning(installSignalHandlers=False)
    (tmp / "lat").mkdir()
    samples = latency(loop, tmp / "lat", args.alerts)
    print(f"VTP publish -> dialog visible + alarm started, {len(samples)} alerts: p50 {_pct(samples, 50):.1f} ms, "
          f"p99 {_pct(samples, 99):.1f} ms, max {max(samples):.1f} ms (target p99 <= 30 ms)")
    (tmp / "mem").mkdir()
    baseline, after = memory(qapp, tmp / "mem", args.notices)
    print(f"RSS of a second app in this process {baseline:.0f} MB; after {args.notices} notices "
          f"{after:.0f} MB, growth {after - baseline:+.1f} MB (target <= 10 MB)")
    loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
