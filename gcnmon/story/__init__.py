"""An event's story beyond its notices: its links (GraceDB, GCN Circulars, mission pages), its circulars."""

from .links import EventLink, event_links, event_terms

__all__ = ["EventLink", "event_links", "event_terms"]
