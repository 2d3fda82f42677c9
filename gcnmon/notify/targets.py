"""``[notify]``: who is told what, and where each target's apprise URL (a secret) comes from.

An apprise URL holds the token or password of its service (``tgram://BOT_TOKEN/CHAT``,
``mailtos://user:password@host``), so it is read like the TCS password: an environment variable, then
the system keyring, then (discouraged) the file. It is never logged; log lines name the target.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "KEYRING_SERVICE", "Target", "NotifySettings", "notify_settings", "mask_url"]

log = logging.getLogger(__name__)

KEYRING_SERVICE = "gcnmon-notify"

#: What a target can be sent: the kinds of message (``events = [...]`` in a target; default all).
KINDS = {
    "unanswered": "an act alert nobody answered within [notify] unanswered_after minutes",
    "retraction": "a retraction of an event the observer sent or slewed the telescope to",
    "link": "an alert link stale for more than [notify] stale_after minutes, and its recovery",
    "archive": "the archive cannot be written",
    "relay": "the relay: its upstream down, or its subscriber count fallen to 0",
    "test": "`gcnmon notify --test`",
}


def mask_url(url: str) -> str:
    """``scheme://***``: enough to tell targets apart in a listing, nothing of the secret."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return f"{scheme}://***" if scheme else "***"


@dataclass(frozen=True)
class Target:
    """One apprise URL and what it gets. ``url`` is the secret; ``repr`` never shows it."""

    name: str
    url: str
    kinds: frozenset[str]
    rate_limit: int  # messages per hour at most (0: no limit)

    def __repr__(self) -> str:
        kinds = sorted(self.kinds)
        return f"Target({self.name!r}, {mask_url(self.url)}, kinds={kinds}, rate={self.rate_limit}/h)"

    __str__ = __repr__

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


@dataclass(frozen=True)
class NotifySettings:
    """The ``[notify]`` section, typed: timings in seconds, the targets whose URL was found."""

    targets: tuple[Target, ...]
    unanswered_after: float
    stale_after: float
    retries: int
    backoff: float
    missing: tuple[str, ...] = ()  # targets without a URL (logged once, not fatal)


def _env_name(name: str) -> str:
    return "GCNMON_NOTIFY_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def _from_keyring(name: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name)
    except Exception as exc:  # no backend, locked wallet: "not there"
        log.info("no URL for notify target %s from the system keyring (%s)", name, type(exc).__name__)
        return None


def target_url(entry: Mapping[str, Any]) -> str | None:
    """The apprise URL of one ``[[notify.targets]]``: ``url_env`` (default GCNMON_NOTIFY_<NAME>), the
    keyring (service ``gcnmon-notify``, user = name), then ``url`` in the file."""
    name = str(entry.get("name") or "")
    env = str(entry.get("url_env") or _env_name(name))
    return os.environ.get(env) or _from_keyring(name) or (str(entry.get("url") or "") or None)


def _number(section: Mapping[str, Any], key: str, default: float) -> float:
    from ..config import ConfigError

    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"[notify] {key} must be a number >= 0, not {value!r}")
    return float(value)


def _target(entry: Mapping[str, Any], index: int) -> Target | str:
    from ..config import ConfigError

    name = str(entry.get("name") or "").strip()
    if not name:
        raise ConfigError(f"[[notify.targets]] #{index + 1}: a name is required")
    kinds = entry.get("events", sorted(KINDS))
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ConfigError(f"[[notify.targets]] {name}: unknown events {', '.join(unknown)} "
                          f"(known: {', '.join(KINDS)})")
    rate = entry.get("rate_limit", 12)
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
        raise ConfigError(f"[[notify.targets]] {name}: rate_limit must be a whole number >= 0")
    url = target_url(entry)
    if not url:
        return name
    return Target(name, url, frozenset(kinds) | {"test"}, rate)


def notify_settings(section: Mapping[str, Any]) -> NotifySettings:
    """``[notify]`` checked (``ConfigError`` with one line if wrong); targets without a URL are skipped."""
    from ..config import ConfigError

    entries = section.get("targets") or []
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ConfigError("[notify] targets must be a list of tables ([[notify.targets]])")
    built = [_target(entry, i) for i, entry in enumerate(entries)]
    targets = tuple(t for t in built if isinstance(t, Target))
    missing = tuple(t for t in built if isinstance(t, str))
    for name in missing:
        log.warning("notify target %s has no URL (set %s or the keyring): it gets nothing", name,
                    _env_name(name))
    return NotifySettings(
        targets=targets,
        unanswered_after=_number(section, "unanswered_after", 5) * 60.0,
        stale_after=_number(section, "stale_after", 10) * 60.0,
        retries=int(_number(section, "retries", 4)),
        backoff=_number(section, "backoff", 30),
        missing=missing,
    )
