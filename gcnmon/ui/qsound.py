"""QtMultimedia sound backend: the fallback where ALSA is not there (macOS, Windows)."""

from __future__ import annotations

import logging
from pathlib import Path

from ..sound import SoundUnavailable

__all__ = ["QtSoundBackend"]

log = logging.getLogger(__name__)


class QtSoundBackend:
    """``QSoundEffect`` per sound, loaded once. A device error shows up as ``Status.Error``."""

    def __init__(self):
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QSoundEffect

        self._url, self._effect_class = QUrl, QSoundEffect
        self._playing = None

    def load(self, path: Path):
        effect = self._effect_class()
        effect.setSource(self._url.fromLocalFile(str(path)))
        return effect

    def play(self, effect) -> None:
        if effect.status() == self._effect_class.Status.Error:
            raise SoundUnavailable("QtMultimedia cannot play (no audio device?)")
        self.stop()
        effect.play()
        self._playing = effect

    def stop(self) -> None:
        if self._playing is not None:
            self._playing.stop()
            self._playing = None
