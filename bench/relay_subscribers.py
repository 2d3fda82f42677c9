"""The subscriber side of bench/relay.py: many raw asyncio VTP clients in one process of their own.

Usage: ``python relay_subscribers.py PORT READERS STALLED``. Each reader acks every VOEvent and answers
iamalive/authenticate as a workstation would, and records when each bench event arrived; each stalled
client connects and never reads its socket. Prints ``ready``, then ``progress L T DROPPED`` lines (the
fewest bench events any live reader has per phase) every 0.1 s; on a ``report`` line on stdin it prints
one JSON object of latency percentiles and the last arrival time, and exits.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
import time
from array import array

from gcnmon.stream.vtp import messages

__all__ = ["main"]

LOCAL = "ivo://gcnmon/bench-subscriber"
_BENCH = re.compile(rb'ivorn="ivo://gcnmon/bench#([LT])-(\d+)-(\d+)"')
_ROLE = re.compile(rb'role="(\w+)"')
_ORIGIN = re.compile(rb"<Origin>([^<]*)</Origin>")
_ACK_HEAD, _ACK_TAIL = messages.ack(LOCAL, "IVORN-HERE").split(b"IVORN-HERE")


def framed(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big") + payload


class Totals:
    def __init__(self):
        self.latency = {"L": array("q"), "T": array("q")}
        self.last_arrival = {"L": 0, "T": 0}
        self.readers: list[Reader] = []
        self.dropped = 0


class Reader(asyncio.Protocol):
    """One workstation: frames in, acks out, arrival times into ``Totals``."""

    def __init__(self, totals: Totals):
        self.totals, self.buf, self.counts, self.alive = totals, bytearray(), {"L": 0, "T": 0}, False
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport, self.alive = transport, True

    def connection_lost(self, exc) -> None:
        self.alive = False
        self.totals.dropped += 1

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        offset, end = 0, len(buf)
        while end - offset >= 4:
            size = int.from_bytes(buf[offset : offset + 4], "big")
            if end - offset - 4 < size:
                break
            self.frame(bytes(buf[offset + 4 : offset + 4 + min(size, 1024)]))
            offset += 4 + size
        del buf[:offset]

    def frame(self, head: bytes) -> None:
        now = time.monotonic_ns()
        found = _BENCH.search(head)
        if found is not None:
            phase = found.group(1).decode()
            self.totals.latency[phase].append(now - int(found.group(3)))
            self.totals.last_arrival[phase] = max(self.totals.last_arrival[phase], now)
            self.counts[phase] += 1
            ivorn = head[found.start(0) + 7 : found.end(0) - 1]
            self.transport.write(framed(_ACK_HEAD + ivorn + _ACK_TAIL))
            return
        role, origin = _ROLE.search(head), _ORIGIN.search(head)
        remote = origin.group(1).decode() if origin else ""
        if role and role.group(1) == b"iamalive":
            self.transport.write(framed(messages.iamalive_response(LOCAL, remote)))
        elif role and role.group(1) == b"authenticate":
            self.transport.write(framed(messages.authenticate_response(LOCAL, remote)))


def _percentiles(values: array) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6  # noqa: E731
    return {"n": len(ordered), "p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": ordered[-1] / 1e6}


async def run(port: int, readers: int, stalled: int) -> None:
    loop = asyncio.get_running_loop()
    totals, parked = Totals(), []
    for _ in range(readers):
        _, proto = await loop.create_connection(lambda: Reader(totals), "127.0.0.1", port)
        totals.readers.append(proto)
    for _ in range(stalled):
        sock = socket.create_connection(("127.0.0.1", port))
        parked.append(sock)  # connected, never read
    print("ready", flush=True)
    done = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: "report" in sys.stdin.readline() and done.set())
    while not done.is_set():
        live = [r for r in totals.readers if r.alive] or totals.readers
        print("progress", min(r.counts["L"] for r in live), min(r.counts["T"] for r in live),
              totals.dropped, flush=True)  # fmt: skip
        try:
            await asyncio.wait_for(done.wait(), 0.1)
        except TimeoutError:
            pass
    report = {phase: _percentiles(values) for phase, values in totals.latency.items()}
    report.update(last_arrival=totals.last_arrival, dropped=totals.dropped)
    print(json.dumps(report), flush=True)
    for sock in parked:
        sock.close()


def main(argv: list[str]) -> None:
    port, readers, stalled = map(int, argv)
    asyncio.run(run(port, readers, stalled))


if __name__ == "__main__":
    main(sys.argv[1:])
