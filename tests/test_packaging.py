"""The wheel carries what an installed gcnmon needs: sounds, default config, demo packets, drivers."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (path,) = out.glob("gcnmon-*.whl")
    return path


def test_wheel_holds_resources_and_both_packages(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "gcnmon/resources/config/gcnmon.toml",
        "gcnmon/resources/sounds/act.wav",
        "gcnmon/resources/sounds/inform.wav",
        "gcnmon/data/demo/MANIFEST.tsv",
        "tcs_drivers/base.py",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "bench/", "packaging/")) for n in names)
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt")))
    assert b"[gcnmon.tcs_drivers]" in entry_points and b"gcnmon = gcnmon.cli:main" in entry_points


def test_resources_load_from_the_unpacked_wheel(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "import gcnmon.resources as r, tomllib;"
        f"assert r.__file__.startswith({str(tmp_path)!r}), r.__file__;"
        "cfg = tomllib.loads(r.resource('config', 'gcnmon.toml').read_text());"
        "assert cfg['station']['name'];"
        "assert r.resource('sounds', 'act.wav').read_bytes()[:4] == b'RIFF'"
    )
    # -I: isolated, so the checkout on sys.path cannot stand in for the wheel.
    subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); {code}"],
                   check=True, timeout=60)
