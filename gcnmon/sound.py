"""The alarm: plays a group's sound when a dialog opens; muting; no sound device is not an error."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from .resources import resource

__all__ = ["Alarm", "SoundBackend", "SoundUnavailable", "default_backend"]

log = logging.getLogger(__name__)


class SoundUnavailable(RuntimeError):
    """The backend cannot play at all on this machine (no device, no library)."""


class SoundBackend(Protocol):
    """What the alarm needs from a player: load a WAV once, start it without blocking, stop it."""

    def load(self, path: Path) -> object: ...

    def play(self, sound: object) -> None: ...

    def stop(self) -> None: ...


def default_backend() -> SoundBackend | None:
    """ALSA through ctypes (``gcnmon.alsa``) where libasound exists, else None (the UI then offers Qt's).

    simpleaudio, the design card's player, is not used: its C playback thread frees memory without the
    GIL and so corrupts Python's allocator at random (README, "The GUI inside", has the evidence).
    """
    from .alsa import AlsaBackend

    try:
        return AlsaBackend()
    except ImportError as exc:
        log.debug("no ALSA player: %s", exc)
        return None


class Alarm:
    """Plays named sounds (``act``, ``inform``, ``test`` or a path to a WAV) unless muted.

    The first failure to play (no sound device, a broken file) is logged once as a warning; after a
    device failure the alarm stays silent for the rest of the session instead of retrying every alert.
    ``listeners`` hear every change of ``muted`` (the tray's check box follows it).
    """

    def __init__(self, backend: SoundBackend | None = None, *, muted: bool = False):
        self.backend = backend
        self._muted = muted
        self._cache: dict[str, object] = {}
        self._broken = backend is None
        self._warned = False
        self.played: list[str] = []  # what was started, newest last (the bench and tests read it)
        self.listeners: list[Callable[[bool], None]] = []

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        muted = bool(muted)
        if muted == self._muted:
            return
        self._muted = muted
        log.info("alarm %s", "muted" if muted else "unmuted")
        if muted:
            self.stop()
        for listener in list(self.listeners):
            listener(muted)

    def play(self, name: str | None) -> bool:
        """Start sound ``name``; True if it started. Never raises, never blocks."""
        if not name or self._muted or self._broken:
            if self.backend is None and name and not self._muted:
                self._warn("no sound player is available (ALSA or QtMultimedia); alerts stay silent")
            return False
        try:
            sound = self._load(name)
            self.backend.play(sound)
        except SoundUnavailable as exc:
            self._broken = True
            self._warn(f"no sound device ({exc}); alerts stay silent")
            return False
        except Exception as exc:  # a bad WAV must not stop the alert itself
            self._warn(f"cannot play sound {name!r}: {' '.join(str(exc).split())}")
            return False
        self.played.append(name)
        del self.played[:-100]
        return True

    def stop(self) -> None:
        if self.backend is not None and not self._broken:
            self.backend.stop()

    def _load(self, name: str) -> object:
        if name not in self._cache:
            self._cache[name] = self.backend.load(_sound_path(name))
        return self._cache[name]

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("%s", message)


def _sound_path(name: str) -> Path:
    """A shipped sound by name (``act`` -> sounds/act.wav), or a user's WAV file by path."""
    path = Path(name).expanduser()
    if path.suffix.lower() == ".wav" and path.exists():
        return path
    shipped = resource("sounds", f"{Path(name).stem}.wav")
    if not shipped.is_file():
        raise FileNotFoundError(f"no sound {name!r} in gcnmon's sounds and no such WAV file")
    return Path(str(shipped))
