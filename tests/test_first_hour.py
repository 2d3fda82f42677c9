"""The first hour on a fresh machine, as a user meets it: no display, no Qt libraries, the demo's length,
README's first steps. Each command runs as a subprocess and must end in one line, never a traceback."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gcnmon.commands.demo import STORY_STEPS, WHOLE_STORY, story_seconds

ROOT = Path(__file__).resolve().parent.parent
GCNMON = Path(sys.executable).parent / "gcnmon"


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(HOME=str(tmp_path), GCNMON_CONFIG=os.devnull,
               GCNMON_DATA_DIR=str(tmp_path / "data"), GCNMON_LOG_DIR=str(tmp_path / "log"), **extra)
    return env


def _run(cmd, tmp_path, timeout=60, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=_env(tmp_path, **extra), cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout)


def _one_line(done) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("how", ["script", "module"])
def test_no_display_hint_names_the_command_that_works(tmp_path, how):
    cmd = [str(GCNMON), "demo"] if how == "script" else [sys.executable, "-m", "gcnmon", "demo"]
    done = _run(cmd, tmp_path)
    assert done.returncode == 2
    line = _one_line(done)
    expected = f"{GCNMON} demo" if how == "script" else f"{sys.executable} -m gcnmon demo"
    assert f"xvfb-run -a {expected} (" in line


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is installed by setup.sh")
def test_the_printed_hint_runs_the_demo(tmp_path):
    line = _one_line(_run([str(GCNMON), "demo"], tmp_path))
    hint = re.search(r"virtual screen: (xvfb-run -a .*? demo) \(", line).group(1)
    done = _run([*shlex.split(hint), "--mute", "--quit-after", "2"], tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "close the window or press Ctrl+C to quit" in done.stdout


@pytest.mark.parametrize("command", [["demo"], ["run"]])
def test_missing_qt_libraries_give_one_line_naming_setup_sh(tmp_path, command):
    # A broken libglib-2.0.so.0 ahead of the system's: the loader refuses it, exactly as it refuses a
    # missing one (a plain `pip install` on a machine without the Debian packages).
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "libglib-2.0.so.0").write_bytes(b"")
    done = _run([str(GCNMON), *command], tmp_path, QT_QPA_PLATFORM="offscreen", LD_LIBRARY_PATH=str(libs))
    assert done.returncode == 1
    line = _one_line(done)
    assert line.startswith(f"gcnmon {command[0]}: a system library Qt needs is missing (libglib-2.0.so.0")
    assert "bash packaging/debian/setup.sh" in line


def test_quit_after_alone_waits_for_the_whole_story():
    from gcnmon.cli import build_parser
    from gcnmon.demo import STORY

    assert STORY_STEPS == len(STORY)
    args = build_parser().parse_args(["demo", "--quit-after"])
    assert args.quit_after == WHOLE_STORY
    # the last step is sent (STORY_STEPS - 1) intervals after the first; start-up comes before that
    assert story_seconds(10.0) >= (len(STORY) - 1) * 10.0 + 15
    assert story_seconds(2.0) >= (len(STORY) - 1) * 2.0 + 15


def test_a_quit_after_shorter_than_the_story_says_so(tmp_path):
    done = _run([str(GCNMON), "demo", "--mute", "--interval", "1", "--quit-after", "2"], tmp_path,
                timeout=120, QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stderr
    assert (f"gcnmon demo: --quit-after 2 ends before the story does (its {STORY_STEPS} steps take about "
            f"{story_seconds(1.0):.0f} s at --interval 1)") in done.stderr
    assert "Traceback" not in done.stderr


def test_readme_starts_from_git_clone_and_the_checkout():
    text = (ROOT / "README.md").read_text()
    setup = text.index("## Two commands on a fresh Debian machine")
    section = text[setup: text.index("\n## ", setup + 5)]
    assert section.index("git clone") < section.index("bash packaging/debian/setup.sh")
    assert "runs from its checkout" in section and "--no-system" in section
    assert "### [site]: where the telescope is" in text


def test_a_tcs_that_vanishes_is_one_plain_line():
    # What the demo printed when quit while its simulated telescope was logging in (a Failure's repr).
    from twisted.internet import error
    from twisted.python.failure import Failure

    from tcs_drivers.base import _one_line

    lost = Failure(error.ConnectionLost("Connection to the other side was lost in a non-clean fashion."))
    assert "Traceback (failure with no frames)" in str(error.ConnectError(str(lost)))  # what Twisted says
    text = _one_line(error.ConnectError(str(lost)))
    assert text.startswith("An error occurred while connecting: Connection to the other side was lost")
    assert "Traceback" not in text and "Failure" not in text and "\n" not in text
