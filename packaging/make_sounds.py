"""Synthesise gcnmon's alarm sounds into sounds/ (our own making: no third-party audio).

    python packaging/make_sounds.py

act.wav: an urgent two-tone alarm (880/1320 Hz, three bursts), for notices to act on.
inform.wav: a soft double chime (660 Hz then 880 Hz), for notices that only inform.
test.wav: a single short beep, for checking the sound device.
16-bit mono 22,050 Hz PCM: plays with simpleaudio and QSoundEffect alike.
"""

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "sounds"


def tone(freq, seconds, volume=0.6, attack=0.01, release=0.05, harmonics=(1.0, 0.3, 0.1)):
    n = int(RATE * seconds)
    out = []
    for i in range(n):
        t = i / RATE
        env = min(1.0, t / attack, (seconds - t) / release) if release else min(1.0, t / attack)
        s = sum(a * math.sin(2 * math.pi * freq * (k + 1) * t) for k, a in enumerate(harmonics))
        out.append(volume * max(0.0, env) * s / sum(harmonics))
    return out


def silence(seconds):
    return [0.0] * int(RATE * seconds)


def chime(freq, seconds, volume=0.5):
    """A bell-like decaying tone."""
    n = int(RATE * seconds)
    return [
        volume * math.exp(-4.0 * i / n) * math.sin(2 * math.pi * freq * i / RATE)
        * min(1.0, i / (0.005 * RATE))
        for i in range(n)
    ]


def write(name, samples):
    OUT.mkdir(exist_ok=True)
    with wave.open(str(OUT / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32000)) for s in samples))


def main():
    burst = []
    for _ in range(4):
        burst += tone(880, 0.12) + tone(1320, 0.12)
    write("act.wav", (burst + silence(0.25)) * 3)
    write("inform.wav", chime(660, 0.45) + chime(880, 0.8))
    write("test.wav", tone(1000, 0.2))


if __name__ == "__main__":
    main()
