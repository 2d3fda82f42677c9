"""Allow-lists by network (CIDR), for the relay's subscriber and author ports."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["AllowList", "split_list", "split_address"]


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """``"a, b,c"`` or ``["a", "b,c"]`` -> ``["a", "b", "c"]`` (config lists and comma options alike)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def split_address(text: str, default_port: int | None = None) -> tuple[str, int]:
    """``"HOST:PORT"``, ``"[::1]:PORT"`` or (with ``default_port``) ``"HOST"`` -> ``(host, port)``."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("" if not rest else "?")
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a host name alone, or a bare IPv6 address
        host, port = text, ""
    if not port and default_port is not None:
        port = str(default_port)
    if not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{text!r} is not HOST:PORT")
    return host, int(port)


class AllowList:
    """``allow(host) -> bool``: is this peer address inside one of the networks?

    A bare address means that host alone (/32 or /128). An IPv4-mapped IPv6 peer (``::ffff:10.0.0.7``,
    what a dual-stack socket reports) is checked as the IPv4 address it is. A host that is not an IP
    address (a UNIX socket, "?") is never allowed.
    """

    def __init__(self, networks: str | Iterable[str] | None):
        self.networks = []
        for text in split_list(networks):
            try:
                self.networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(f"{text!r} is not an address or network (CIDR such as 10.0.0.0/8)") from None

    def __call__(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        if mapped is not None:
            address = mapped
        return any(address in network for network in self.networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __str__(self) -> str:
        return ",".join(str(n) for n in self.networks) or "nobody"

    def __repr__(self) -> str:
        return f"AllowList({str(self)!r})"
