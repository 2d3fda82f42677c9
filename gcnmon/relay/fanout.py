"""The relay's broadcasting side: ``BrokerFactory`` with a cheap path for the flood of acks.

With hundreds of subscribers every notice comes back as hundreds of acks; a full safe XML parse of
each (~30 us) would cost more than sending the notice. An ack that has the plain shape every peer we
know writes (Comet, pygcn, gcnmon) is read with one bounded regular expression instead; anything
else still goes through the full parse in ``BrokerProtocol``. A forged ack can only mark that same
peer's own delivery as done, so the shortcut trusts nothing it should not.
"""

from __future__ import annotations

import logging
import re

from gcnmon.stream.vtp.broker import BrokerFactory, BrokerProtocol

__all__ = ["RelayBroker", "RelayProtocol", "quick_ack_origin"]

log = logging.getLogger(__name__)

#: Acks are a few hundred bytes; anything longer takes the full parse.
QUICK_ACK_MAX = 2048
_QUICK_ACK = re.compile(
    rb"""\A\s*(?:<\?xml[^>]{0,200}\?>\s*)?<(?:[\w.-]{1,40}:)?Transport\s[^>]{0,1200}?"""
    rb"""\brole\s*=\s*["']ack["'][^>]{0,1200}>\s*<Origin>([^<&]{1,512})</Origin>"""
)


def quick_ack_origin(data: bytes) -> str | None:
    """The Origin (event IVORN) of an ordinary ack frame, or None to say "parse it properly"."""
    if len(data) > QUICK_ACK_MAX:
        return None
    found = _QUICK_ACK.match(data)
    if found is None:
        return None
    try:
        return found.group(1).decode("utf-8").strip()
    except UnicodeDecodeError:
        return None


class RelayProtocol(BrokerProtocol):
    """One workstation: the broker protocol, with acks read by ``quick_ack_origin`` when possible."""

    def stringReceived(self, data: bytes) -> None:
        origin = quick_ack_origin(data)
        if origin is not None:
            self._acked(origin)
        else:
            super().stringReceived(data)


class RelayBroker(BrokerFactory):
    """The relay's ``BrokerFactory``: ``RelayProtocol`` per subscriber, and a one-line ``summary()``."""

    protocol = RelayProtocol

    def summary(self) -> str:
        return (
            f"{self.subscribers} subscriber(s), {self.broadcasts} notice(s) sent, {self.acks} ack(s), "
            f"{self.dropped} dropped, {self.refused} refused"
        )
