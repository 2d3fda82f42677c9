"""`gcnmon tcs send` exit codes, as subprocesses against a `gcnmon tcs-sim` subprocess (port read from its
output). The clients start at once, so the module costs about two interpreter start-ups."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

HIGH = ["--ra", "19:03:02.33", "--dec", "+89:00:00", "--name", "GRB HIGH"]
LOW = ["--ra", "19:03:02.33", "--dec", "-60:31:53.8", "--name", "GRB LOW"]

GCNMON = str(Path(sys.executable).parent / "gcnmon")

# One case per exit code and kind of refusal (the access-level refusal is tested in-process).
# case: (simulator, action and its args, password, expected exit code, text expected on stdout)
CASES = {
    "send": ("zeiss", ["send", "--user", "observer", *HIGH], "pw-obs-7Q", 0,
             "Coordinates of GRB HIGH received"),
    "send_low_warns": ("zeiss", ["send", "--user", "observer", *LOW], "pw-obs-7Q", 3,
                       "send: accepted with a warning"),
    "wrong_password": ("zeiss", ["send", "--user", "observer", *HIGH], "guess", 2, "Wrong user or password"),
    "slew_below_limit": ("zeiss", ["send", "--user", "astronomer", "--slew", *LOW], "pw-ast-9Z", 2,
                         "slew: refused by gcnmon (altitude limit)"),
    "unreachable": ("closed", ["send", *HIGH], "pw-obs-7Q", 1, "cannot reach the TCS"),
    "stop": ("zeiss", ["stop", "--user", "observer"], "pw-obs-7Q", 0, "TCS: Telescope stopped"),
    # Issue 14's "done when": a JNow mount that starts parked and cannot set tracking is unparked and
    # slewed to the apparent place of date.
    "alpaca_jnow_parked": ("alpaca", ["send", "--slew", *HIGH], "", 0,
                           "TCS: The mount was parked: unparked it (CanUnpark true)"),
}


def _start_sim(kind, *extra):
    # Passwords unlike the user names, so that finding one in the output means a leak.
    users = ["--users", "observer:pw-obs-7Q:2,astronomer:pw-ast-9Z:4"] if kind == "zeiss" else []
    return subprocess.Popen([GCNMON, "tcs-sim", kind, "--port", "0", *users, *extra],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _ports(procs, timeout=60.0):
    """The port each simulator printed in its first line (waits on the pipes, never sleeps)."""
    sel = selectors.DefaultSelector()
    for kind, proc in procs.items():
        sel.register(proc.stdout, selectors.EVENT_READ, kind)
    ports, deadline = {}, time.monotonic() + timeout
    while len(ports) < len(procs) and time.monotonic() < deadline:
        for key, _ in sel.select(deadline - time.monotonic()):
            line = key.fileobj.readline()
            found = re.search(r"\(port (\d+)\)", line)
            assert found, f"{key.data} simulator said: {line!r}"
            ports[key.data] = int(found[1])
            accounts = key.fileobj.readline()  # printed at start, right after the port
            zeiss = "accounts: observer/pw-obs-7Q level 2, astronomer/"
            expected = zeiss if key.data == "zeiss" else "accounts:"
            assert accounts.startswith(expected), accounts
            sel.unregister(key.fileobj)
    assert len(ports) == len(procs), "a simulator did not start"
    return ports


@pytest.fixture(scope="module")
def outcomes():
    # BTA and the other Alpaca mounts: in-process in test_tcs_wire.py and test_tcs_alpaca.py
    sims = {"zeiss": _start_sim("zeiss"), "alpaca": _start_sim("alpaca", "--mount", "jnow-parked")}
    try:
        ports = _ports(sims)
        ports["closed"] = 9  # discard port: nothing listens on loopback
        runs = {}
        for case, (kind, extra, password, _, _) in CASES.items():
            tel = "zeiss" if kind == "closed" else kind
            env = dict(os.environ, TEST_TCS_PASSWORD=password)
            action, *rest = extra
            args = ["tcs", action, "--tel", tel, "--host", f"http://127.0.0.1:{ports[kind]}",
                    "--password-env", "TEST_TCS_PASSWORD", *rest]
            runs[case] = subprocess.Popen([GCNMON, *args], env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True)
        yield {case: (proc.wait(60), *proc.communicate()) for case, proc in runs.items()}
    finally:
        for proc in sims.values():
            proc.terminate()
            proc.communicate(timeout=10)


@pytest.mark.parametrize("case", sorted(CASES))
def test_tcs_send_exit_code(case, outcomes):
    code, out, err = outcomes[case]
    *_, expected_code, expected_text = CASES[case]
    assert code == expected_code, out + err
    assert expected_text in out


def test_password_never_printed(outcomes):
    for case, (_, out, err) in outcomes.items():
        password = CASES[case][2]
        if password:
            assert password not in err, case
            assert password not in out, case
