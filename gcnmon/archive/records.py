"""What the archive hands back: store results, archived notices, rejects and observer actions."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..notice.model import Notice, NoticeError

__all__ = ["ArchiveError", "StoreResult", "Record", "Reject", "Action", "Variant"]

log = logging.getLogger(__name__)


class ArchiveError(RuntimeError):
    """The archive cannot be opened or written; ``str(exc)`` is one line naming the file and why."""


@dataclass(frozen=True, slots=True)
class StoreResult:
    """``new`` is False when the IVORN was already archived (then ``duplicates`` counts the repeats).

    ``pending`` is True for a notice archived earlier but never marked handled (the process died
    between archiving and alerting): hand it on now, then ``Archive.mark_handled``. ``variant`` is
    True for a repeat whose bytes differ from the stored ones (kept in ``Archive.variants``).
    """

    new: bool
    row_id: int
    duplicates: int
    pending: bool = False
    variant: bool = False

    @property
    def fresh(self) -> bool:
        """Whether the notice still has to be handed on (new, or pending from before a crash)."""
        return self.new or self.pending


@dataclass(frozen=True, slots=True)
class Record:
    """One archived notice: where and when it first arrived, how often it came again, its raw bytes."""

    row_id: int
    ivorn: str
    source: str
    received: float
    duplicates: int
    raw: bytes
    fields: Mapping[str, Any]

    def notice(self) -> Notice:
        """The notice re-read from its raw bytes (the parser of today), else rebuilt from the columns."""
        from ..notice import parse

        try:
            return parse(self.raw)
        except NoticeError as exc:
            log.warning("archived %s no longer parses (%s); using stored fields", self.ivorn, exc)
            return self._from_fields()

    def _from_fields(self) -> Notice:
        f = dict(self.fields)
        when = f.pop("event_time", None)
        flags = f.pop("flags", None) or ""
        f["is_test"], f["is_retraction"] = bool(f["is_test"]), bool(f["is_retraction"])
        return Notice(
            raw=self.raw,
            time=datetime.fromisoformat(when) if when else None,
            flags=frozenset(flags.split()),
            **f,
        )


@dataclass(frozen=True, slots=True)
class Reject:
    """A packet that could not be read, kept byte for byte with the reason."""

    row_id: int
    source: str
    received: float
    reason: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class Variant:
    """Other bytes that arrived under an archived notice's identity: where from, when, what."""

    source: str
    received: float
    raw: bytes


@dataclass(frozen=True, slots=True)
class Action:
    """An observer action or a TCS reply about one notice."""

    ivorn: str
    action: str
    detail: str | None
    time: float
