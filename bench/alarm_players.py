"""Is an alarm player safe to run inside the GUI's process? Run: ``.venv/bin/python bench/alarm_players.py``.

For each player (gcnmon's ALSA player; simpleaudio 1.0.4 if installed) two child processes, sound going
to ALSA's null device:

1. ``PYTHONMALLOC=debug``: Python's debug allocator aborts the process when anything allocates or frees
   Python memory without holding the GIL. Three sounds are played to their end.
2. stress: ``--sounds`` sounds (default 1500), each followed by 80 ms of small allocations in every
   pymalloc size class on the main thread, as a busy GUI makes: a player that frees Python memory
   from its own thread corrupts the allocator and the process dies with SIGSEGV sooner or later.

Prints one line per player and test: clean, or how the child died (and faulthandler's last words).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
SOUND = ROOT / "sounds" / "test.wav"  # 0.2 s

PLAYERS = {
    "alsa": "from gcnmon.alsa import AlsaBackend\nbackend = AlsaBackend()\nclip = backend.load(SOUND)\n"
            "def play():\n    backend.play(clip)\ndef busy():\n    return backend.busy\n",
    "simpleaudio": "import simpleaudio\nwave = simpleaudio.WaveObject.from_wave_file(str(SOUND))\nlast = []\n"
                   "def play():\n    last[:] = [wave.play()]\ndef busy():\n    return last[0].is_playing()\n",
}

DEBUG = """
for _ in range(3):
    play()
    while busy():
        time.sleep(0.01)
"""

STRESS = """
junk = []
for _ in range(SOUNDS):
    play()
    end = time.perf_counter() + 0.08
    while time.perf_counter() < end:
        for size in range(0, 480, 8):
            junk.append(b"x" * size)
        if len(junk) > 5000:
            del junk[:4000]
"""


def child(player: str, body: str, sounds: int, env: dict) -> str:
    script = f"import time\nfrom pathlib import Path\nSOUND = Path({str(SOUND)!r})\nSOUNDS = {sounds}\n"
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script + PLAYERS[player] + body],
                          env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode == 0:
        return "clean"
    how = (f"killed by {signal.Signals(-done.returncode).name}" if done.returncode < 0
           else f"exit status {done.returncode}")
    fatal = next((line for line in done.stderr.splitlines() if line.startswith("Fatal Python error")), "")
    return f"{how}: {fatal}" if fatal else how


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sounds", type=int, default=1500, help="sounds in the stress test (1500)")
    parser.add_argument("--runs", type=int, default=3, help="stress runs per player (3)")
    args = parser.parse_args(argv)
    conf = Path(tempfile.mkdtemp(prefix="gcnmon-alarm-")) / "asound.conf"
    conf.write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf), PYTHONPATH=str(ROOT))
    players = ["alsa"]
    try:
        import simpleaudio  # noqa: F401

        players.append("simpleaudio")
    except ImportError:
        print("simpleaudio is not installed: only gcnmon's ALSA player is tested")
    for player in players:
        debug = child(player, DEBUG, 3, env | {"PYTHONMALLOC": "debug"})
        print(f"{player:12s} PYTHONMALLOC=debug, 3 sounds: {debug}", flush=True)
        for run in range(1, args.runs + 1):
            stress = child(player, STRESS, args.sounds, env)
            print(f"{player:12s} stress run {run}, {args.sounds} sounds: {stress}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
