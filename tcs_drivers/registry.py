"""Driver discovery through the ``gcnmon.tcs_drivers`` entry points, and a driver built from ``[tcs]``.

A third-party package adds a TCS by declaring an entry point in that group; a driver that fails to
load is logged and reported, and never stops the others or the app.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from gcnmon.sky import Site

from .base import TcsDriver
from .credentials import Secret, resolve_password

__all__ = ["GROUP", "DriverInfo", "available", "discover", "load_driver", "create_driver"]

log = logging.getLogger(__name__)

GROUP = "gcnmon.tcs_drivers"


@dataclass(frozen=True)
class DriverInfo:
    """One entry point and what happened when it was loaded."""

    name: str
    target: str  # "module:Class"
    driver: type[TcsDriver] | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.driver is not None


def available() -> dict[str, EntryPoint]:
    """The installed entry points of the group, by name (nothing imported)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def _load(ep: EntryPoint) -> DriverInfo:
    try:
        cls = ep.load()
    except Exception as exc:  # a broken plugin must not take the others down
        log.error("TCS driver %s (%s) failed to load: %s: %s", ep.name, ep.value, type(exc).__name__, exc)
        return DriverInfo(ep.name, ep.value, error=f"{type(exc).__name__}: {exc}")
    if not (isinstance(cls, type) and issubclass(cls, TcsDriver)):
        log.error("TCS driver %s (%s) is not a TcsDriver subclass", ep.name, ep.value)
        return DriverInfo(ep.name, ep.value, error="not a tcs_drivers.base.TcsDriver subclass")
    return DriverInfo(ep.name, ep.value, driver=cls)


def discover() -> list[DriverInfo]:
    """Load every installed driver, each failure isolated; sorted by name."""
    return [_load(ep) for _, ep in sorted(available().items())]


def load_driver(name: str) -> type[TcsDriver]:
    """The driver class registered as ``name``; KeyError if none, ImportError if it fails to load."""
    eps = available()
    if name not in eps:
        raise KeyError(f"no TCS driver {name!r}; installed: {', '.join(sorted(eps)) or 'none'}")
    info = _load(eps[name])
    if info.driver is None:
        raise ImportError(f"TCS driver {name!r}: {info.error}")
    return info.driver


def create_driver(
    tcs: Mapping[str, Any], *, site: Site, password: Secret | None = None, **kwargs
) -> TcsDriver:
    """A driver from the ``[tcs]`` config table; ``kwargs`` (reactor, now, ...) go to the constructor.

    ``site`` is the workstation's one ``[site]`` (``gcnmon.sky.site_from_config``): the same site and
    zenith limit as the dialog's visibility verdict, so the two can never disagree.

    The password, unless given, comes from ``password_env``, the keyring, then ``password``.
    """
    from gcnmon.config import with_defaults

    tcs = with_defaults("tcs", tcs)  # a validated [tcs] has every key already; code may pass a few
    name = tcs["driver"]
    cls = load_driver(name)
    user = tcs["user"]
    if password is None and cls.needs_password:
        password = resolve_password(
            env=tcs.get("password_env") or None,
            keyring_service=tcs.get("keyring_service") or None,
            user=user or name,
            config_value=tcs["password"],
        )
    options = tcs.get(name) if isinstance(tcs.get(name), Mapping) else {}
    kwargs.setdefault("timeout", float(tcs["timeout"]))
    kwargs.setdefault("poll_interval", float(tcs["poll_interval"]))
    kwargs.setdefault("slew_timeout", float(tcs["slew_timeout"]))
    return cls(tcs["url"], user=user, password=password, options=options, site=site, **kwargs)
