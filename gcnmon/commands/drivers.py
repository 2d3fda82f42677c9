"""``gcnmon drivers``: the installed TCS drivers (entry-point group ``gcnmon.tcs_drivers``), each loaded."""

from __future__ import annotations

import argparse

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "drivers"
HELP = "list the installed TCS drivers and whether each loads"


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from tcs_drivers.registry import GROUP, discover

    infos = discover()
    if not infos:
        print(f"no TCS drivers installed (entry-point group {GROUP})")
        return 1
    for info in infos:
        if info.ok:
            cls = info.driver
            print(f"{info.name:10s} ok      {info.target:40s} {cls.title} "
                  f"(send >= {cls.send_level}, slew >= {cls.slew_level})")
        else:
            print(f"{info.name:10s} FAILED  {info.target:40s} {info.error}")
    return 0 if all(info.ok for info in infos) else 1
