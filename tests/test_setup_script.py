"""packaging/debian/setup.sh as a new user meets it: root, sudo, neither, --no-system.

The script runs for real (bash) on a copy of the checkout's layout, with a PATH holding only the tools
it uses. ``id``, ``dpkg-query``, ``apt-get``, ``sudo`` and the venv's ``python`` are small recording
stand-ins, so no test ever installs anything: ``dpkg-query`` says nothing is installed, ``id -u``
says who we are.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "packaging" / "debian" / "setup.sh"
TOOLS = ("bash", "dirname", "grep", "cat", "sed")


def _stub(path: Path, body: str) -> None:
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


class Machine:
    """A checkout copy and a PATH of stand-ins; ``run(*args)`` runs setup.sh there."""

    def __init__(self, tmp_path: Path, uid: int, sudo: str | None = None):
        self.checkout, self.bin, self.calls = tmp_path / "gcnmon", tmp_path / "bin", tmp_path / "calls"
        (self.checkout / "packaging" / "debian").mkdir(parents=True)
        shutil.copy(SCRIPT, self.checkout / "packaging" / "debian" / "setup.sh")
        venv_bin = self.checkout / ".venv" / "bin"
        venv_bin.mkdir(parents=True)
        self.bin.mkdir()
        for tool in TOOLS:
            (self.bin / tool).symlink_to(shutil.which(tool))
        record = f'echo "$(basename "$0") $*" >> {self.calls}'
        _stub(self.bin / "id", f'[ "$1" = -u ] && echo {uid} || echo "uid={uid}"')
        _stub(self.bin / "dpkg-query", "exit 1")  # nothing installed: a bare machine
        _stub(self.bin / "apt-get", record)
        _stub(self.bin / "basename", 'echo "${1##*/}"')
        if sudo is not None:
            _stub(self.bin / "sudo", f"{record}\n{sudo}")
        _stub(venv_bin / "python", record)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {"PATH": str(self.bin), "HOME": str(self.checkout.parent), "LANG": "C.UTF-8"}
        return subprocess.run([shutil.which("bash"), "packaging/debian/setup.sh", *args], cwd=self.checkout,
                              env=env, capture_output=True, text=True, timeout=30)

    def called(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []


def _install_line(text: str) -> str:
    [line] = [ln for ln in text.splitlines() if "apt-get install" in ln]
    return line


@pytest.mark.parametrize("extra", [(), ("--test",)])
def test_no_root_no_sudo_says_what_to_run_and_changes_nothing(tmp_path, extra):
    machine = Machine(tmp_path, uid=1000)
    done = machine.run(*extra)
    assert done.returncode == 1 and done.stdout == ""
    assert "command not found" not in done.stderr
    assert "this account is not root and there is no sudo" in done.stderr.splitlines()[0]
    line = _install_line(done.stderr)
    assert line.split() == ["apt-get", "update", "&&", "apt-get", "install", "-y", "--no-install-recommends",
                            *_debs()]
    assert f"bash packaging/debian/setup.sh --no-system{' --test' if extra else ''}" in done.stderr
    assert machine.called() == []  # no apt-get, no pip: nothing was touched


def _debs() -> list[str]:
    text = SCRIPT.read_text()
    block = text[text.index('DEBS="') + 6:]
    return block[: block.index('"')].split()


def test_the_packages_need_no_compiler_and_keep_the_alsa_library():
    debs = _debs()
    assert "libasound2" in debs  # the ALSA alarm player loads libasound.so.2 (ctypes)
    assert not [d for d in debs if d.endswith("-dev") or d in ("gcc", "g++", "build-essential", "make")]


def test_no_system_makes_the_venv_alone_with_pip_showing_progress(tmp_path):
    machine = Machine(tmp_path, uid=1000)
    done = machine.run("--no-system", "--test")
    assert done.returncode == 0, done.stderr
    assert "--no-system: not installing the missing Debian packages: libglib2.0-0" in done.stderr
    calls = machine.called()
    assert not [c for c in calls if c.startswith(("apt-get", "sudo"))]
    install = calls[-1]
    assert install == "python -m pip install -e .[test]"  # no -q: the long install shows its progress
    assert "Run from this checkout: .venv/bin/gcnmon demo" in done.stdout


def test_root_installs_the_packages_without_sudo(tmp_path):
    machine = Machine(tmp_path, uid=0)
    done = machine.run()
    assert done.returncode == 0, done.stderr
    calls = machine.called()
    assert calls[0] == "apt-get update -q"
    assert calls[1] == "apt-get install -y -q --no-install-recommends " + " ".join(_debs())
    assert calls[-1] == "python -m pip install -e ."


def test_sudo_that_refuses_gets_the_same_advice(tmp_path):
    machine = Machine(tmp_path, uid=1000, sudo='echo "alice is not in the sudoers file." >&2; exit 1')
    done = machine.run()
    assert done.returncode == 1
    assert "'sudo apt-get update' failed" in done.stderr
    assert "bash packaging/debian/setup.sh --no-system" in done.stderr
    assert machine.called() == ["sudo apt-get update -q"]


def test_sudo_that_works_is_used(tmp_path):
    machine = Machine(tmp_path, uid=1000, sudo='shift 0; exec "$@"')
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.called()[:2] == ["sudo apt-get update -q", "apt-get update -q"]


def test_an_unknown_option_is_one_line(tmp_path):
    done = Machine(tmp_path, uid=0).run("--tset")
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "setup.sh: unknown option --tset (known: --test, --no-system, --help)"]
