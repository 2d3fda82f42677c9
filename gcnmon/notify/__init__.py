"""Reaching people off the console (issue 16): escalation logic, apprise delivery, ``[notify]`` targets."""

from .escalation import Escalation
from .messages import Message
from .sender import Notifier, deliver
from .targets import KINDS, NotifySettings, Target, mask_url, notify_settings

__all__ = ["Escalation", "Message", "Notifier", "deliver", "KINDS", "NotifySettings", "Target", "mask_url",
           "notify_settings", "build_escalation"]


def build_escalation(cfg, *, clock, station: str | None = None, reactor=None):
    """``(Escalation, Notifier)`` from the config's ``[notify]``; ``(None, None)`` with no target."""
    settings = notify_settings(cfg.section("notify"))
    if not settings.targets:
        return None, None
    notifier = Notifier(settings.targets, retries=settings.retries, backoff=settings.backoff, reactor=reactor)
    station = station or cfg.get("station.name")
    escalation = Escalation(notifier.send, clock=clock, station=station,
                            unanswered_after=settings.unanswered_after, stale_after=settings.stale_after)
    return escalation, notifier
