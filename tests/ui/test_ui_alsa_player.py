"""The alarm's ALSA player: real playback into ALSA's null device, prompt stops, no allocator misuse."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gcnmon.alsa import AlsaBackend, Clip
from gcnmon.resources import resource
from gcnmon.sound import Alarm, default_backend

ROOT = Path(__file__).resolve().parents[2]
NULL_DEVICE = "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"


@pytest.fixture
def null_device(monkeypatch, tmp_path):
    """ALSA's ``default`` is a null device: samples are really written, and discarded."""
    conf = tmp_path / "asound.conf"
    conf.write_text(NULL_DEVICE)
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    return conf


def test_ui_alsa_plays_a_shipped_sound_to_the_end(null_device, wait_until):
    backend = AlsaBackend()
    alarm = Alarm(backend)
    assert alarm.play("act") is True
    wait_until(lambda: not backend.busy, 10)
    clip = alarm._cache["act"]
    assert (clip.channels, clip.width, clip.rate) == (1, 2, 22050)
    assert clip.frames == 80040  # 3.63 s


def test_ui_alsa_stop_and_replay_never_block(null_device, wait_until):
    backend = AlsaBackend()
    clip = backend.load(Path(str(resource("sounds", "act.wav"))))
    backend.play(clip)
    first = backend._playing
    backend.play(clip)  # a second alert preempts the first sound
    backend.stop()
    assert backend._playing is None and first.stopping.is_set()
    wait_until(lambda: not first.is_alive(), 10)


def test_ui_alsa_refuses_unsupported_wav(tmp_path):
    import struct

    # 40-bit samples (a user's WAV could be anything): no ALSA format, so a clear error, not noise
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 40000, 5, 40)
    path = tmp_path / "odd.wav"
    chunks = b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 10) + b"\0" * 10
    path.write_bytes(b"RIFF" + struct.pack("<I", len(chunks)) + chunks)
    with pytest.raises(ValueError, match="40-bit"):
        Clip.from_wave_file(path)


def test_ui_default_player_is_alsa_not_simpleaudio():
    assert isinstance(default_backend(), AlsaBackend)


def test_ui_alsa_player_never_uses_the_allocator_without_the_gil(null_device):
    """Python's debug allocator aborts on any allocation or free made without the GIL: simpleaudio
    1.0.4 dies here on its first finished sound; the ALSA player must play sounds to the end cleanly."""
    script = textwrap.dedent(
        """
        import time
        from pathlib import Path
        from gcnmon.alsa import AlsaBackend
        from gcnmon.resources import resource

        backend = AlsaBackend()
        clip = backend.load(Path(str(resource("sounds", "test.wav"))))
        for _ in range(3):
            backend.play(clip)
            deadline = time.monotonic() + 10
            while backend.busy and time.monotonic() < deadline:
                time.sleep(0.01)  # a child process's own loop: the test itself waits on the process
            assert not backend.busy
        print("clean")
        """
    )
    env = dict(os.environ, PYTHONMALLOC="debug", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "clean"
