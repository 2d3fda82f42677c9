"""Sort one notice into a priority group, with the reason in words."""

from __future__ import annotations

from dataclasses import dataclass

from ..notice.model import Notice
from .groups import Group, Policy

__all__ = ["Classification", "classify", "describe"]


@dataclass(frozen=True)
class Classification:
    """The group a notice falls in, and why (one phrase, used in the log line)."""

    group: Group
    reason: str

    @property
    def action(self) -> str:
        return self.group.action


def describe(notice: Notice) -> str:
    """A short name for a notice in log lines: ``"Swift BAT BAT_GRB_Pos #618556"``."""
    parts = [notice.mission or "?"]
    if notice.instrument and notice.instrument.lower() not in (notice.mission or "").lower():
        parts.append(notice.instrument)
    parts.append(notice.notice_type or (f"packet {notice.packet_type}" if notice.packet_type else "notice"))
    if notice.trigger_id:
        parts.append(f"#{notice.trigger_id}")
    return " ".join(parts)


def _switch_reason(notice: Notice, policy: Policy) -> str | None:
    """Why the [policy] switches drop this notice, or None when they let it through."""
    flags = notice.flags
    if "utility" in flags or notice.role == "utility":
        return "utility packet"
    if (notice.is_test or notice.role == "test") and not policy.test:
        return "test packet (policy.test = false)"
    if "catalogued" in flags and not policy.catalogued:
        return "catalogued source (policy.catalogued = false)"
    if "slew" in flags and not policy.slew:
        return "slew/pointing notice (policy.slew = false)"
    if "subthreshold" in flags and not policy.subthreshold:
        return "sub-threshold trigger (policy.subthreshold = false)"
    if "not_grb" in flags:
        return "the instrument says it is not a GRB"
    if notice.is_retraction:
        return "retraction of an event not on screen"
    return None


def _threshold_reason(notice: Notice, group: Group) -> str | None:
    if group.min_significance is not None and notice.significance is not None:
        if notice.significance < group.min_significance:
            return f"significance {notice.significance:g} < {group.min_significance:g} ({group.name})"
    if group.max_error is not None and notice.error_radius is not None:
        if notice.error_radius > group.max_error:
            return f"error {notice.error_radius:g} deg > {group.max_error:g} deg ({group.name})"
    return None


def classify(notice: Notice, policy: Policy, reach=None) -> Classification:
    """The group of ``notice``: switches first, then the groups in order (first match), else the default.

    ``reach(notice)``: its probability above the zenith limit now, for rules with ``min_prob_up``
    (the arbiter passes ``Arbiter.reach``; without it such rules do not match).
    """
    reason = _switch_reason(notice, policy)
    if reason:
        return Classification(policy.ignore_group, reason)
    for group in policy.groups:
        rule = group.match(notice, reach)
        if rule is None:
            continue
        below = _threshold_reason(notice, group)
        limit = policy.min_significance if rule.check_significance else None
        if limit and notice.significance is not None and notice.significance < limit:
            below = f"significance {notice.significance:g} < {limit:g} sigma (policy.min_significance)"
        if below:
            return Classification(policy.ignore_group, below)
        return Classification(group, f"{group.name}: matches {rule.label}")
    group = policy.default_group
    return Classification(group, f"{group.name}: no group matches, policy.default_group")
