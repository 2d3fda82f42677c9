"""TCS passwords: where they come from (environment, keyring, config) and a wrapper that never prints them."""

from __future__ import annotations

import logging
import os

__all__ = ["Secret", "resolve_password"]

log = logging.getLogger(__name__)


class Secret:
    """A password that shows as ``***`` in reprs, f-strings and log arguments; ``reveal()`` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = str(value)

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def _from_keyring(service: str, user: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(service, user)
    except Exception as exc:  # any backend may fail (no D-Bus, locked); the message carries no secret
        log.info("keyring %s unavailable: %s", service, type(exc).__name__)
        return None


def resolve_password(
    *, env: str | None = None, keyring_service: str | None = None, user: str = "", config_value: str = ""
) -> Secret | None:
    """The first password found: environment variable ``env``, keyring ``(service, user)``, then config.

    Returns None when there is none (Alpaca and the dummy need none).
    """
    if env:
        if env in os.environ:
            return Secret(os.environ[env])
        log.info("password variable %s is not set; trying the keyring and the config", env)
    if keyring_service:
        value = _from_keyring(keyring_service, user or "tcs")
        if value:
            return Secret(value)
    return Secret(config_value) if config_value else None
