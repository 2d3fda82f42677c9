"""Every broken configuration of issue 15, as a user meets it: each command in a fresh HOME, exit 2, one
line naming the key, never a traceback (run as real processes, all at once: about 0.5 s each)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Every command that reads the configuration, with the arguments it needs to get that far.
COMMANDS = {
    "config": ["config", "--check"],
    "listen": ["listen", "--vtp", "127.0.0.1:9"],
    "history": ["history"],
    "relay": ["relay", "--listen", "127.0.0.1:0", "--upstream", "none"],
    "tcs": ["tcs", "level", "--tel", "dummy", "--host", "http://127.0.0.1:9"],
    "notify": ["notify", "--test"],
    "run": ["run"],
}


@dataclass
class Case:
    name: str
    content: bytes | None  # the user's gcnmon.toml (None: GCNMON_CONFIG names a file that is not there)
    expected: str  # what the one line must say (the key and the value, or the line number)
    args: tuple[str, ...] = ()
    commands: tuple[str, ...] = tuple(COMMANDS)


CASES = [
    Case("malformed TOML", b"[vtp\nwatchdog = 5\n", "gcnmon.toml: line 1, column 5: Expected ']'"),
    Case("not UTF-8", b'[station]\nname = "caf\xe9"\n', "gcnmon.toml: line 2, column 12: not UTF-8 text"),
    Case("watchdog a string", b'[vtp]\nwatchdog = "abc"\n', 'vtp.watchdog = "abc": must be a number'),
    Case("missing GCNMON_CONFIG", None, "GCNMON_CONFIG="),
    Case("--set "
        "watchdog=abc", b"", '--set vtp.watchdog="abc": must be a number', ("--set", "vtp.watchdog=abc"),
         ("config", "listen", "history", "relay", "tcs", "run")),
    Case("max_subscribers many", b'[relay]\nmax_subscribers = "many"\n',
         'relay.max_subscribers = "many": must be an integer', commands=("config", "relay")),
    Case("max_frame 0", b"[vtp]\nmax_frame = 0\n", "vtp.max_frame = 0: must be >= "
        "1024", commands=("listen",)),
    Case("max_frame -1", b"[relay]\nmax_frame = -1\n", "relay.max_frame = -1: must be >= 1024",
         commands=("relay",)),
    Case("watchdog 0", b"[vtp]\nwatchdog = 0\n", "vtp.watchdog = 0: must be >= 1", commands=("listen",)),
    Case("watchdog -5", b"[vtp]\nwatchdog = -5\n", "vtp.watchdog = -5: must be >= 1", commands=("relay",)),
    Case("watchdog nan", b"[vtp]\nwatchdog = nan\n", "vtp.watchdog = nan: must be a finite number",
         commands=("listen",)),
    Case("backoff -1", b"[vtp]\nbackoff_initial = -1\n", "vtp.backoff_initial = -1: must be > 0",
         commands=("listen",)),
    Case("unknown keys in --check", b"[vtp]\nwatchdgo = 5\n", "unknown key vtp.watchdgo (did you mean "
        "watchdog?)",
         commands=("config",)),
    Case("unknown section in --check", b"[nosuchsection]\na = 1\n", "unknown section [nosuchsection]",
         commands=("config",)),
]  # fmt: skip


def _run(tmp: Path, case: Case, command: str) -> tuple[Case, str, subprocess.CompletedProcess]:
    home = tmp / f"{case.name}-{command}".replace(" ", "_").replace("/", "_")
    home.mkdir()
    config = home / "gcnmon.toml"
    if case.content is not None:
        config.write_bytes(case.content)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GCNMON_", "XDG_", "DISPLAY", "WAYLAND"))}
    env.update(
        HOME=str(home),
        GCNMON_CONFIG=str(config),
        QT_QPA_PLATFORM="offscreen",
        GCNMON_DATA_DIR=str(home / "data"),
        GCNMON_LOG_DIR=str(home / "log"),
    )
    argv = [sys.executable, "-m", "gcnmon", *COMMANDS[command], *case.args]
    return case, command, subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)


def test_every_broken_config_is_one_line_and_exit_2(tmp_path):
    jobs = [(case, command) for case in CASES for command in case.commands]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: _run(tmp_path, *job), jobs))
    failures = []
    for case, command, proc in results:
        lines = proc.stderr.strip().splitlines()
        problems = [
            proc.returncode != 2 and f"exit {proc.returncode}",
            "Traceback" in proc.stderr and "a traceback",
            len(lines) != 1 and f"{len(lines)} lines",
            lines and case.expected not in lines[0] and f"no {case.expected!r}",
            lines and not lines[0].startswith("gcnmon") and "not prefixed gcnmon",
        ]
        problems = [p for p in problems if p]
        if problems:
            failures.append(f"{case.name} / {command}: {', '.join(problems)}: {proc.stderr.strip()!r}")
    assert not failures, "\n".join(failures)


def test_unknown_keys_warn_and_the_command_goes_on(tmp_path):
    case = Case("unknown key", b"[vtp]\nwatchdgo = 5\n[nosuchsection]\na = 1\n", "")
    _, _, proc = _run(tmp_path, case, "history")
    assert proc.returncode == 1 and "no archive at" in proc.stderr  # it went on to look for the archive
    assert "WARNING gcnmon.config: " in proc.stderr and "Traceback" not in proc.stderr
    assert "unknown key vtp.watchdgo (did you mean watchdog?)" in proc.stderr
    assert "unknown section [nosuchsection]" in proc.stderr


@pytest.mark.parametrize("devnull", [os.devnull])
def test_gcnmon_config_devnull_means_the_defaults(tmp_path, devnull):
    env = {**os.environ, "GCNMON_CONFIG": devnull, "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "gcnmon", "config", "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("configuration is valid"), proc.stderr
