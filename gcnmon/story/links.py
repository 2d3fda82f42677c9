"""Where to read more about an event: GraceDB (from an LVK alert's ``urls``), GCN Circulars, mission pages.

Also the identifiers a GCN Circular would name the event by (``event_terms``): the trigger id, an SVOM
burst id, an LVK superevent, an event name. Circulars are tied to events through these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote

__all__ = ["EventLink", "event_links", "event_terms", "circulars_url"]

CIRCULARS = "https://gcn.nasa.gov/circulars"
#: Params that name the event itself (JSON notices; flattened keys of the packet).
NAME_PARAMS = ("superevent_id", "Burst_Id", "event_name", "name", "ref_ID")


@dataclass(frozen=True)
class EventLink:
    """A page about the event: what it is (``label``) and its address."""

    label: str
    url: str


def circulars_url(term: str) -> str:
    """GCN's Circulars archive searched for ``term`` (an event name, a trigger number)."""
    return f"{CIRCULARS}?query={quote(term)}"


def _gbm_burst_name(notice) -> str | None:
    """Fermi GBM's trigger name ``bnYYMMDDfff`` (date and thousandths of the day), the HEASARC folder."""
    if notice.time is None:
        return None
    t = notice.time.astimezone(UTC)
    fraction = (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400.0
    return f"bn{t:%y%m%d}{int(fraction * 1000):03d}"


def _mission_page(notice) -> EventLink | None:
    mission, trigger = notice.mission or "", notice.trigger_id or ""
    if not trigger:
        return None
    if mission == "Swift" and trigger.lstrip("-").isdigit() and not trigger.startswith("-"):
        return EventLink("Swift trigger page (GCN)", f"https://gcn.gsfc.nasa.gov/other/{trigger}.swift")
    if mission == "Fermi" and (notice.instrument or "").upper() == "GBM":
        name = _gbm_burst_name(notice)
        if name:
            year = notice.time.astimezone(UTC).year
            return EventLink(f"Fermi GBM {name} (HEASARC)",
                             f"https://heasarc.gsfc.nasa.gov/FTP/fermi/data/gbm/triggers/{year}/{name}/")
    if mission == "LVK" and re.fullmatch(r"M?S\d{6}[a-z]+", trigger):
        return EventLink(f"GraceDB {trigger}", f"https://gracedb.ligo.org/superevents/{trigger}/view/")
    return None


def event_terms(notices: Iterable) -> list[str]:
    """The identifiers of an event that a circular would name, most specific first (no duplicates)."""
    terms: list[str] = []
    for notice in notices:
        params = notice.params or {}
        for value in (*(params.get(k) for k in NAME_PARAMS), notice.trigger_id):
            text = str(value).strip() if value is not None else ""
            if text.startswith('["') and text.endswith('"]'):  # a JSON list of one id
                text = text[2:-2]
            if len(text) >= 4 and text not in terms:
                terms.append(text)
        if notice.mission == "Fermi" and (notice.instrument or "").upper() == "GBM":
            name = _gbm_burst_name(notice)
            if name and name[2:] not in terms:
                terms.append(name[2:])  # circulars write "trigger 702818765.135562 / 230410476"
    return terms


def event_links(notices: Iterable) -> list[EventLink]:
    """Pages about the event of ``notices`` (one series): GraceDB from ``urls``, mission page, Circulars."""
    notices = list(notices)
    links: list[EventLink] = []
    for notice in notices:
        url = (notice.params or {}).get("urls.gracedb")
        if url and all(link.url != url for link in links):
            links.append(EventLink("GraceDB", str(url)))
    for notice in notices:
        page = _mission_page(notice)
        if page and all(link.url != page.url and not link.label.startswith("GraceDB") for link in links):
            links.append(page)
            break
    terms = event_terms(notices)
    if terms:
        links.append(EventLink(f"GCN Circulars about {terms[0]}", circulars_url(terms[0])))
    return links
