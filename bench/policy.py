"""Visibility verdict latency (cold grid, warm grid) and arbiter decisions per second over the corpus.

Run: ``.venv/bin/python bench/policy.py [--verdicts 200]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gcnmon.notice import parse
from gcnmon.policy import Arbiter, Visibility, policy_from_config
from gcnmon.resources import resource
from gcnmon.sky import SITE_PRESETS

__all__ = ["main"]

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_verdicts(count: int) -> None:
    vis = Visibility(SITE_PRESETS["BTA"])
    when = datetime(2014, 11, 14, 19, 27, 27, tzinfo=UTC)
    start = time.perf_counter()
    vis.verdict(271.7165, -24.585389, when)  # first of the process: astropy warm-up + two day grids
    first = time.perf_counter() - start
    start = time.perf_counter()
    vis.verdict(10.0, 20.0, when + timedelta(days=3))  # new night, astropy already warm
    cold = time.perf_counter() - start
    times = []
    for i in range(count):
        start = time.perf_counter()
        vis.verdict((i * 37.0) % 360, (i * 13.0) % 150 - 70, when + timedelta(seconds=i * 30))
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"verdict, first in process (astropy start-up + grid): {_ms(first)}")
    print(f"verdict, new night (grid computed):                  {_ms(cold)}")
    print(
        f"verdict, cached night: median {_ms(statistics.median(times))}, "
        f"p99 {_ms(times[int(0.99 * (len(times) - 1))])} over {count}"
    )


def bench_arbiter(rounds: int) -> None:
    policy = policy_from_config(tomllib.loads(resource("config", "gcnmon.toml").read_text(encoding="utf-8")))
    notices = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".xml", ".json"):
            notices.append(parse(path.read_bytes()))
    now = [datetime(2014, 11, 14, 18, 0, tzinfo=UTC)]
    arb = Arbiter(policy, clock=lambda: now[0])
    start = time.perf_counter()
    for _ in range(rounds):
        for notice in notices:
            now[0] += timedelta(seconds=5)
            arb.offer(notice)
    elapsed = time.perf_counter() - start
    total = rounds * len(notices)
    print(f"arbiter without visibility: {total / elapsed:,.0f} decisions/s ({total} notices)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verdicts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    bench_verdicts(args.verdicts)
    bench_arbiter(args.rounds)


if __name__ == "__main__":
    main()
