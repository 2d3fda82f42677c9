"""GCN's Kafka topics as data: the catalogue ``gcnmon/data/topics.toml`` and the topics read by default.

Each entry says the topic's format, the mission its notices name, whether it is operational,
announced or archival, and where that fact comes from. ``[kafka] topics`` defaults to the entries
marked ``read``: every operational stream a default rule uses, and the announced ones (KM3NeT,
SVOM VT) so their first notice is archived the day they start; archival streams (INTEGRAL, AGILE,
the legacy LVK VOEvents) stay off but can be replayed by naming them in ``[kafka] topics``.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

__all__ = ["Topic", "catalogue", "default_topics", "find", "FORMATS", "STATUSES"]

FORMATS = ("voevent", "json")
STATUSES = ("operational", "announced", "archival")
_CLASSIC = "gcn.classic.voevent."


@dataclass(frozen=True)
class Topic:
    """One catalogue entry (see the comments at the top of ``topics.toml``)."""

    name: str
    format: str
    mission: str
    status: str
    read: bool
    source: str
    instrument: str | None = None

    @property
    def notice_type(self) -> str | None:
        """The GCN Classic notice type of a ``gcn.classic.voevent.*`` topic (its packet type's name)."""
        return self.name.removeprefix(_CLASSIC) if self.name.startswith(_CLASSIC) else None

    def as_dict(self) -> dict:
        return {"name": self.name, "format": self.format, "mission": self.mission,
                "instrument": self.instrument, "status": self.status, "read": self.read,
                "source": self.source}  # fmt: skip


@functools.cache
def catalogue() -> tuple[Topic, ...]:
    """Every entry of the packaged catalogue, in file order; raises ``ValueError`` if the file is wrong."""
    text = resources.files("gcnmon").joinpath("data", "topics.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text).get("topic", [])
    topics = tuple(_entry(i, table) for i, table in enumerate(entries))
    names = [t.name for t in topics]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"topics.toml: listed twice: {', '.join(twice)}")
    return topics


def _entry(index: int, table: dict) -> Topic:
    try:
        topic = Topic(**table)
    except TypeError as exc:
        raise ValueError(f"topics.toml entry #{index + 1}: {exc}") from None
    if topic.format not in FORMATS or topic.status not in STATUSES:
        raise ValueError(f"topics.toml {topic.name}: format {topic.format!r} or status {topic.status!r} "
                         "unknown")
    if topic.read and topic.status == "archival":
        raise ValueError(f"topics.toml {topic.name}: an archival stream is never read by default")
    return topic


def default_topics() -> list[str]:
    """The shipped ``[kafka] topics``: every entry marked ``read``, in catalogue order."""
    return [topic.name for topic in catalogue() if topic.read]


def find(name: str) -> Topic | None:
    """The catalogue entry of topic ``name``, or None for a stream gcnmon does not know."""
    return next((topic for topic in catalogue() if topic.name == name), None)
