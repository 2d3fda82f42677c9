"""ALSA playback through ctypes: the alarm's player on Linux, with no C extension in between.

Why not simpleaudio (the design card's choice): its playback thread frees its bookkeeping with
``PyMem_Free`` after releasing the GIL (``destroy_audio_blob`` in simpleaudio 1.0.4), which corrupts
pymalloc when the main thread allocates at the same moment: a segfault inside libpython, minutes or
hours later (README, "The GUI inside"). Here every Python object is made and freed under the GIL; the
worker thread only calls libasound, and ctypes releases the GIL around each call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from .sound import SoundUnavailable

__all__ = ["AlsaBackend", "Clip"]

log = logging.getLogger(__name__)

STREAM_PLAYBACK = 0
ACCESS_RW_INTERLEAVED = 3
#: WAV sample width (bytes) -> ALSA sample format (U8, S16_LE, S24_3LE, S32_LE)
FORMATS = {1: 1, 2: 2, 3: 32, 4: 10}
LATENCY_US = 100_000  # ALSA's buffer: as simpleaudio asked for; short enough that a stop is prompt
EBUSY = 16


@dataclass(frozen=True)
class Clip:
    """A WAV file decoded once: its frames in a ctypes buffer that outlives every playback of it."""

    samples: ctypes.Array
    channels: int
    width: int
    rate: int
    frames: int

    @classmethod
    def from_wave_file(cls, path: Path) -> Clip:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            data = wav.readframes(wav.getnframes())
        if width not in FORMATS:
            raise ValueError(f"{path}: {8 * width}-bit samples are not supported")
        frames = len(data) // (channels * width)
        samples = (ctypes.c_char * max(len(data), 1)).from_buffer_copy(data or b"\0")
        return cls(samples, channels, width, rate, frames)


def _library(name: str | None) -> ctypes.CDLL:
    """libasound with the prototypes we call (an OSError where there is no ALSA: not Linux)."""
    lib = ctypes.CDLL(name or ctypes.util.find_library("asound") or "libasound.so.2")
    pcm, long_, ulong = ctypes.c_void_p, ctypes.c_long, ctypes.c_ulong
    for func, args, res in (
        ("snd_pcm_open", [ctypes.POINTER(pcm), ctypes.c_char_p, ctypes.c_int, ctypes.c_int], ctypes.c_int),
        ("snd_pcm_set_params", [pcm, ctypes.c_int, ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_int,
                                ctypes.c_uint], ctypes.c_int),
        ("snd_pcm_writei", [pcm, ctypes.c_void_p, ulong], long_),
        ("snd_pcm_recover", [pcm, ctypes.c_int, ctypes.c_int], ctypes.c_int),
        ("snd_pcm_drain", [pcm], ctypes.c_int),
        ("snd_pcm_drop", [pcm], ctypes.c_int),
        ("snd_pcm_close", [pcm], ctypes.c_int),
        ("snd_strerror", [ctypes.c_int], ctypes.c_char_p),
    ):
        getattr(lib, func).argtypes, getattr(lib, func).restype = args, res
    return lib


class _Playback(threading.Thread):
    """One sound on one open PCM: writes it in short chunks (so a stop takes effect within ~50 ms),
    then drains (played to the end) or drops (stopped), and closes the PCM."""

    def __init__(self, lib, pcm: ctypes.c_void_p, clip: Clip):
        super().__init__(name="gcnmon-alarm", daemon=True)
        self.lib, self.pcm, self.clip = lib, pcm, clip
        self.stopping = threading.Event()

    def run(self) -> None:
        lib, clip = self.lib, self.clip
        frame = clip.channels * clip.width
        chunk = max(clip.rate // 20, 1)
        base, done = ctypes.addressof(clip.samples), 0
        try:
            while done < clip.frames and not self.stopping.is_set():
                n = lib.snd_pcm_writei(self.pcm, base + done * frame, min(chunk, clip.frames - done))
                if n < 0 and lib.snd_pcm_recover(self.pcm, int(n), 1) < 0:
                    log.debug("ALSA playback stopped: %s", lib.snd_strerror(int(n)).decode(errors="replace"))
                    break
                done += max(int(n), 0)
            (lib.snd_pcm_drop if self.stopping.is_set() else lib.snd_pcm_drain)(self.pcm)
        finally:
            lib.snd_pcm_close(self.pcm)


class AlsaBackend:
    """The alarm's player on Linux: ALSA's ``default`` device (PulseAudio/PipeWire behind it on a desktop).

    ``play`` opens the device and configures it on the caller's thread (so "no device" is an immediate
    ``SoundUnavailable``, well under a millisecond), then a thread feeds the samples; ``stop`` never blocks.
    """

    def __init__(self, device: str = "default", library: str | None = None):
        try:
            self._lib = _library(library)
        except OSError as exc:  # no libasound: not Linux, or a very bare system
            raise ImportError(f"ALSA library not available: {exc}") from None
        self.device = device.encode()
        self._playing: _Playback | None = None

    def load(self, path: Path) -> Clip:
        return Clip.from_wave_file(path)

    def play(self, clip: Clip) -> None:
        previous = self._playing
        self.stop()
        pcm = self._open(clip, previous)
        self._playing = _Playback(self._lib, pcm, clip)
        self._playing.start()

    def stop(self) -> None:
        if self._playing is not None:
            self._playing.stopping.set()
            self._playing = None

    @property
    def busy(self) -> bool:
        """A sound is still being written to the device (tests and the bench wait on this)."""
        return self._playing is not None and self._playing.is_alive()

    def _open(self, clip: Clip, previous: _Playback | None) -> ctypes.c_void_p:
        pcm = ctypes.c_void_p()
        err = self._lib.snd_pcm_open(ctypes.byref(pcm), self.device, STREAM_PLAYBACK, 0)
        if err == -EBUSY and previous is not None:  # a bare hw device plays one sound at a time
            previous.join(0.5)
            err = self._lib.snd_pcm_open(ctypes.byref(pcm), self.device, STREAM_PLAYBACK, 0)
        if err < 0:
            raise SoundUnavailable(f"cannot open ALSA device {self.device.decode()!r}: {self._error(err)}")
        err = self._lib.snd_pcm_set_params(pcm, FORMATS[clip.width], ACCESS_RW_INTERLEAVED, clip.channels,
                                           clip.rate, 1, LATENCY_US)
        if err < 0:
            self._lib.snd_pcm_close(pcm)
            name = self.device.decode()
            raise SoundUnavailable(f"ALSA device {name!r} refuses the sound: {self._error(err)}")
        return pcm

    def _error(self, err: int) -> str:
        return self._lib.snd_strerror(err).decode(errors="replace")
