"""Build VOEvent packets the corpus lacks from a real packet of the same type (the SAO nights' values).

``build(template, ...)`` takes a real packet from tests/data as a template and changes only what the
SAO monitor logged: IVORN, Params (Packet_Type, TrigID, significance, flags), event time, position and
error radius. Everything else (Who, the schema, the other Params) stays the real packet's, so the
parser reads it exactly as it would read the live packet. Each change is checked to have happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from gcnmon.notice import parse
from gcnmon.notice.model import Notice

__all__ = ["DATA", "FakeClock", "build", "load", "sexagesimal"]

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name: str) -> Notice:
    """A real packet from tests/data, parsed."""
    return parse((DATA / name).read_bytes())


def sexagesimal(ra: str, dec: str) -> tuple[float, float]:
    """``"19:03:02.33", "+08:31:53.8"`` -> degrees."""
    h, m, s = (float(x) for x in ra.split(":"))
    sign = -1.0 if dec.strip().startswith("-") else 1.0
    d, dm, ds = (abs(float(x)) for x in dec.split(":"))
    return 15.0 * (h + m / 60 + s / 3600), sign * (d + dm / 60 + ds / 3600)


def _set_text(root, tag: str, value: str) -> None:
    nodes = root.xpath(f"//*[local-name()='{tag}']")
    assert nodes, f"template has no <{tag}>"
    nodes[0].text = value


def build(
    template: str,
    *,
    ivorn: str,
    params: dict[str, object],
    time: str | None = None,
    position: tuple[float, float, float] | None = None,
) -> bytes:
    """A copy of ``tests/data/<template>`` with a new IVORN, Params, ISOTime and (ra, dec, error deg)."""
    root = etree.fromstring((DATA / template).read_bytes())
    root.set("ivorn", ivorn)
    for name, value in params.items():
        nodes = root.xpath(f"//*[local-name()='Param'][@name='{name}']")
        assert nodes, f"template {template} has no Param {name}"
        for node in nodes:
            node.set("value", str(value))
    if time is not None:
        _set_text(root, "ISOTime", time)
    if position is not None:
        for tag, value in zip(("C1", "C2", "Error2Radius"), position, strict=True):
            _set_text(root, tag, f"{value:.6f}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclass
class FakeClock:
    """An injected clock: ``clock()`` is the current UTC time; ``advance(seconds)`` moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    @classmethod
    def at(cls, iso: str) -> FakeClock:
        return cls(datetime.fromisoformat(iso).replace(tzinfo=UTC))
