"""Benchmark: `gcnmon relay` against a Comet broker, 200 VTP subscribers, 10,000 notices, on loopback.

Each broker takes events on its receive port from an author (one connection per event, waiting for
the ack, as comet-sendvo does) and fans them out to the subscribers, which run in a process of their
own (bench/relay_subscribers.py) so the measuring does not load the broker's process. Per broker:

* latency phase: the first ``--latency-notices`` at a steady ``--rate`` events/s (well inside what
  the relay sustains, and far above GCN's real rate of a few a minute); fan-out latency is author
  send -> arrival at each subscriber (p50/p99 over every event x subscriber);
* throughput phase: the rest as fast as ``--authors`` concurrent authors get acks; events/s is
  events sent / (last arrival at the last subscriber - first send). Comet gets at most ``--budget``
  seconds for each phase (it is an order of magnitude slower; the rate is what counts).

Then the same with 10% of the subscribers stalled (connected, socket never read). Run:
``.venv/bin/python bench/relay.py`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "data" / "aware" / "gbm_alert.xml"  # a real 4.4 kB VOEvent 2.0 (Comet validates)
_IVORN = re.compile(rb'ivorn="[^"]*"')


class Child:
    """A subprocess whose stdout lines are collected by a thread."""

    def __init__(self, argv, log: Path, **kw):
        self.log = log.open("wb")
        self.proc = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.PIPE, text=True, **kw)  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_line(self, predicate, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in reversed(self.lines):
                if predicate(line):
                    return line
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.proc.args[:3]} exited {self.proc.returncode}; see {self.log.name}")
            time.sleep(0.02)
        raise TimeoutError(f"no expected line from {self.proc.args[:3]} in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def start_relay(tmp: Path) -> tuple[Child, int, int]:
    env = {**os.environ, "GCNMON_DATA_DIR": str(tmp), "GCNMON_LOG_DIR": str(tmp),
           "GCNMON_CONFIG": os.devnull}  # fmt: skip
    argv = [sys.executable, "-m", "gcnmon", "relay", "--upstream", "none", "--listen", "127.0.0.1:0",
            "--allow", "127.0.0.1/32", "--receive", "127.0.0.1:0", "--receive-allow", "127.0.0.1/32",
            "--max-subscribers", "1000", "--archive", tmp / "relay.sqlite", "--set", "relay.stats_interval=0"]
    child = Child(argv, tmp / "relay.log", env=env)
    listen = child.wait_line(lambda s: "listening on" in s, 30)
    receive = child.wait_line(lambda s: "receiving on" in s, 30)
    return child, int(listen.split(":")[-1].split()[0]), int(receive.split(":")[-1].split()[0])


def start_comet(tmp: Path) -> tuple[Child, int, int]:
    sys.path.insert(0, str(ROOT / "tests" / "interop"))
    from comet_loopback import __file__ as launcher
    from comet_loopback import free_port

    receive, broadcast = free_port(), free_port()
    (tmp / "eventdb").mkdir()
    argv = [sys.executable, launcher, "--local-ivo=ivo://gcnmon/bench-comet", "--receive",
            f"--receive-port={receive}", "--author-whitelist=127.0.0.1/32", "--broadcast",
            f"--broadcast-port={broadcast}", "--subscriber-whitelist=127.0.0.1/32",
            "--broadcast-test-interval=0", f"--eventdb={tmp / 'eventdb'}"]  # not --verbose: a line per ack
    child = Child(argv, tmp / "comet.log", cwd=tmp)
    deadline = time.monotonic() + 30
    while not (accepting(receive) and accepting(broadcast)):
        if time.monotonic() > deadline or child.proc.poll() is not None:
            raise RuntimeError(f"Comet did not start; see {tmp / 'comet.log'}")
        time.sleep(0.05)
    return child, broadcast, receive


def accepting(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def event(template: bytes, phase: str, seq: int) -> bytes:
    ivorn = f'ivorn="ivo://gcnmon/bench#{phase}-{seq}-{time.monotonic_ns()}"'.encode()
    return _IVORN.sub(ivorn, template, count=1)


async def send_one(port: int, payload: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(len(payload).to_bytes(4, "big") + payload)
    size = int.from_bytes(await reader.readexactly(4), "big")
    await reader.readexactly(size)  # the ack (or nak): the author's turn is over
    writer.close()


async def paced(port: int, template: bytes, count: int, rate: float, budget: float) -> int:
    """Send ``count`` events at ``rate`` (at most ``budget`` s of sending); returns how many were sent."""
    start, gate, tasks = time.monotonic(), asyncio.Semaphore(64), []

    async def one(seq):
        async with gate:
            await send_one(port, event(template, "L", seq))

    for seq in range(count):
        await asyncio.sleep(max(0.0, start + seq / rate - time.monotonic()))
        if time.monotonic() - start > budget:
            break
        tasks.append(asyncio.create_task(one(seq)))
    await asyncio.gather(*tasks)
    return len(tasks)


async def flood(port: int, template: bytes, count: int, authors: int, budget: float) -> tuple[int, int]:
    """Send up to ``count`` events with ``authors`` concurrent authors; returns (sent, first send ns)."""
    first, sent, deadline = time.monotonic_ns(), [0], time.monotonic() + budget

    async def author():
        while sent[0] < count and time.monotonic() < deadline:
            sent[0] += 1
            await send_one(port, event(template, "T", sent[0]))

    await asyncio.gather(*(author() for _ in range(authors)))
    return sent[0], first


def progress(subs: Child) -> tuple[int, int, int]:
    _, low_l, low_t, dropped = subs.wait_line(lambda s: s.startswith("progress"), 10).split()
    return int(low_l), int(low_t), int(dropped)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc): a figure other load cannot inflate."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_delivered(subs: Child, phase: int, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if progress(subs)[phase] >= count:
            return True
        time.sleep(0.05)
    return False


def run_case(kind: str, args, stalled: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-relay-{kind}-") as tmp_name:
        tmp = Path(tmp_name)
        broker, port, receive = (start_relay if kind == "relay" else start_comet)(tmp)
        readers = args.subscribers - stalled
        subs = Child([sys.executable, ROOT / "bench" / "relay_subscribers.py", port, readers, stalled],
                     tmp / "subscribers.log", env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
        try:
            subs.wait_line(lambda s: s == "ready", 60)
            template = TEMPLATE.read_bytes()
            budget = args.budget if kind == "comet" else 3600.0
            load, cpu_before = os.getloadavg()[0], cpu_seconds(broker.proc.pid)
            n_lat = asyncio.run(paced(receive, template, args.latency_notices, args.rate, budget))
            complete = wait_delivered(subs, 0, n_lat, 60)
            sent, first = asyncio.run(flood(receive, template, args.notices - args.latency_notices,
                                            args.authors, budget))  # fmt: skip
            complete &= wait_delivered(subs, 1, sent, 120)
            subs.proc.stdin.write("report\n")
            subs.proc.stdin.flush()
            report = json.loads(subs.wait_line(lambda s: s.startswith("{"), 60))
            cpu = cpu_seconds(broker.proc.pid) - cpu_before
            load = max(load, os.getloadavg()[0])
        finally:
            subs.stop()
            broker.stop()
    seconds = (report["last_arrival"]["T"] - first) / 1e9
    return {"kind": kind, "stalled": stalled, "latency": report["L"], "flood": report["T"], "sent": sent,
            "paced": n_lat, "cpu_ms_per_notice": 1000 * cpu / max(1, n_lat + sent), "load": load,
            "events_per_s": sent / seconds if seconds > 0 else 0.0, "complete": complete,
            "dropped": report["dropped"]}  # fmt: skip


def show(result: dict) -> None:
    lat = result["latency"]
    print(f"{result['kind']:>5} stalled={result['stalled']:>3}: {result['paced']:>4} paced: "
          f"latency p50 {lat.get('p50_ms', 0):7.2f} ms  "
          f"p99 {lat.get('p99_ms', 0):7.2f} ms  max {lat.get('max_ms', 0):7.1f} ms   "
          f"flood {result['sent']:>5} events -> {result['events_per_s']:7.1f} events/s "
          f"(flood p99 {result['flood'].get('p99_ms', 0):.0f} ms)  all delivered: {result['complete']}  "
          f"readers dropped: {result['dropped']}\n{'':>17}"
          f"broker CPU {result['cpu_ms_per_notice']:.2f} ms/notice "
          f"({1000 / max(result['cpu_ms_per_notice'], 1e-9):.0f} notices/s per core); "
          f"load average up to {result['load']:.1f}", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--notices", type=int, default=10000)
    parser.add_argument("--stalled", type=float, default=0.10, help="fraction stalled in the second runs")
    parser.add_argument("--latency-notices", type=int, default=500, help="notices in the latency phase")
    parser.add_argument("--rate", type=float, default=25.0, help="events/s in the latency phase")
    parser.add_argument("--authors", type=int, default=8, help="concurrent authors in the throughput phase")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds Comet gets per phase")
    parser.add_argument("--only", choices=("relay", "comet"), help="run one broker only")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs; {args.subscribers} subscribers, {args.notices} notices "
          f"({args.latency_notices} at {args.rate:.0f}/s, the rest flat out)", flush=True)  # fmt: skip
    results = {}
    for kind in ("relay", "comet"):
        if args.only in (None, kind):
            for stalled in (0, round(args.subscribers * args.stalled)):
                results[kind, bool(stalled)] = run_case(kind, args, stalled)
                show(results[kind, bool(stalled)])
    ratios(results)
    return 0


def ratios(results: dict) -> None:
    def p99(key):
        return results[key]["latency"].get("p99_ms", float("nan"))

    if ("relay", False) in results and ("relay", True) in results:
        cpu = results["relay", True]["cpu_ms_per_notice"] / results["relay", False]["cpu_ms_per_notice"]
        print(f"relay p99 with stalled / without: {p99(('relay', True)) / p99(('relay', False)):.2f}; "
              f"CPU per notice with / without: {cpu:.2f}")
    if ("comet", False) in results and ("comet", True) in results:
        print(f"comet p99 with stalled / without: {p99(('comet', True)) / p99(('comet', False)):.2f}")
    for stalled in (False, True):
        if ("relay", stalled) in results and ("comet", stalled) in results:
            ours, theirs = results["relay", stalled], results["comet", stalled]
            print(f"{'stalled' if stalled else 'healthy'}: relay/Comet events/s "
                  f"{ours['events_per_s'] / max(theirs['events_per_s'], 1e-9):.1f}x, relay/Comet notices "
                  f"per CPU second {theirs['cpu_ms_per_notice'] / ours['cpu_ms_per_notice']:.1f}x, "
                  f"Comet/relay p99 {p99(('comet', stalled)) / p99(('relay', stalled)):.1f}x")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
