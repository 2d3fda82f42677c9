"""Priority groups, their match rules and the [policy] switches, read from the configuration."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import ConfigError, section_defaults
from ..notice.model import Notice
from ..where import Condition, WhereError, parse_where

__all__ = ["ACTIONS", "MODES", "VISIBILITY_MODES", "Rule", "Group", "Policy", "policy_from_config"]

log = logging.getLogger(__name__)

#: What a group asks of the observer, from least to most.
ACTIONS = ("ignore", "inform", "act")
#: What the arbiter does with another event while a dialog is open.
MODES = ("log", "queue")
#: What the arbiter does with an ``act`` notice the telescope cannot observe tonight.
VISIBILITY_MODES = ("mark", "downgrade")

_RULE_KEYS = {"label", "mission", "instrument", "notice_type", "packet_type", "flags", "role",
              "check_significance", "max_area90", "min_prob_up", "where"}  # fmt: skip
_GROUP_KEYS = {"name", "priority", "action", "timeout", "sound", "min_significance", "max_error", "match"}
_SWITCHES = ("test", "catalogued", "slew", "subthreshold")
_AGES = ("max_message_age", "max_trigger_age")


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
        raise ConfigError(f"{where}: {key} must be a non-empty string or list of strings, not {value!r}")
    return tuple(v.lower() for v in items)


def _number(where: str, key: str, value: Any, *, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {key} must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{where}: {key} must be >= {minimum}, not {value!r}")
    return float(value)


def _glob(patterns: tuple[str, ...], value: str | None) -> bool:
    return value is not None and any(fnmatch.fnmatchcase(value.lower(), p) for p in patterns)


@dataclass(frozen=True)
class Rule:
    """One match rule: every field it names must match (strings are case-insensitive globs).

    A list in a field means "any of these"; ``flags`` means "all of these are set"; ``where`` holds
    comparisons on params by name (``gcnmon.policy.where``), all of which must hold.
    """

    label: str
    mission: tuple[str, ...] = ()
    instrument: tuple[str, ...] = ()
    notice_type: tuple[str, ...] = ()
    packet_type: frozenset[int] = frozenset()
    flags: frozenset[str] = frozenset()
    role: tuple[str, ...] = ()
    check_significance: bool = False  # apply [policy] min_significance (a detection significance in sigma)
    max_area90: float | None = None  # deg2: the localisation's 90 % area at most this (unknown: no match)
    min_prob_up: float | None = None  # 0..1: at least this probability above the zenith limit at arrival
    where: tuple[Condition, ...] = ()

    def matches(self, notice: Notice, reach=None) -> bool:
        """Whether ``notice`` matches; ``reach(notice)`` gives its probability above the limit now.

        ``max_area90`` and ``min_prob_up`` are asked last (they read the sky map): a rule that needs a
        number the notice or the site cannot give does not match, so the next rule decides.
        """
        if not self._matches_fields(notice):
            return False
        if self.max_area90 is not None:
            region = notice.region
            if region is None or region.area90 is None or region.area90 > self.max_area90:
                return False
        if self.min_prob_up is not None:
            up = reach(notice) if reach is not None else None
            if up is None or up < self.min_prob_up:
                return False
        return True

    def _matches_fields(self, notice: Notice) -> bool:
        checks = (
            (self.mission, notice.mission),
            (self.instrument, notice.instrument),
            (self.notice_type, notice.notice_type),
            (self.role, notice.role),
        )
        if any(patterns and not _glob(patterns, value) for patterns, value in checks):
            return False
        if self.packet_type and notice.packet_type not in self.packet_type:
            return False
        if not self.flags <= notice.flags:
            return False
        return all(condition.holds(notice.params) for condition in self.where)

    @classmethod
    def from_config(cls, where: str, table: Any) -> Rule:
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: a match rule must be a table, not {table!r}")
        unknown = set(table) - _RULE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown match key(s) {', '.join(sorted(unknown))}")
        fields: dict[str, Any] = {}
        for key in ("mission", "instrument", "notice_type", "role"):
            if key in table:
                fields[key] = _strings(where, key, table[key])
        if "packet_type" in table:
            types = table["packet_type"] if isinstance(table["packet_type"], list) else [table["packet_type"]]
            if not types or not all(isinstance(t, int) and not isinstance(t, bool) for t in types):
                raise ConfigError(f"{where}: packet_type must be an integer or a list of integers")
            fields["packet_type"] = frozenset(types)
        if "flags" in table:
            fields["flags"] = frozenset(_strings(where, "flags", table["flags"]))
        if "max_area90" in table:
            fields["max_area90"] = _number(where, "max_area90", table["max_area90"], minimum=0)
        if "min_prob_up" in table:
            fields["min_prob_up"] = _number(where, "min_prob_up", table["min_prob_up"], minimum=0)
            if fields["min_prob_up"] > 1:
                value = table["min_prob_up"]
                raise ConfigError(f"{where}: min_prob_up is a probability (0..1), not {value!r}")
        if "where" in table:
            try:
                fields["where"] = parse_where(table["where"])
            except WhereError as exc:
                raise ConfigError(f"{where}: {exc}") from None
        check = table.get("check_significance", False)
        if not isinstance(check, bool):
            raise ConfigError(f"{where}: check_significance must be true or false, not {check!r}")
        if not fields:
            needs = ", ".join(sorted(_RULE_KEYS - {"label"}))
            raise ConfigError(f"{where}: a match rule needs at least one of {needs}")
        label = table.get("label") or " ".join(f"{k}={table[k]}" for k in sorted(fields))
        return cls(label=str(label), check_significance=check, **fields)


@dataclass(frozen=True)
class Group:
    """A priority group: what to do with the notices its rules match, and for how long."""

    name: str
    priority: int
    action: str
    timeout: float  # seconds the dialog stays open (a listed notice stays offerable in "queue" mode)
    sound: str = ""
    min_significance: float | None = None
    max_error: float | None = None  # degrees
    rules: tuple[Rule, ...] = ()

    def match(self, notice: Notice, reach=None) -> Rule | None:
        """The first rule matching ``notice``, or None (``reach``: see ``Rule.matches``)."""
        return next((rule for rule in self.rules if rule.matches(notice, reach)), None)

    @classmethod
    def from_config(cls, index: int, table: Any) -> Group:
        where = f"[[groups]] #{index + 1}"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: must be a table")
        if not isinstance(table.get("name"), str) or not table["name"]:
            raise ConfigError(f"{where}: name is required")
        where = f"[[groups]] {table['name']!r}"
        defaults = section_defaults("groups")  # what a table may leave out (the schema's defaults)
        unknown = set(table) - _GROUP_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if table.get("action") not in ACTIONS:
            raise ConfigError(
                f"{where}: action must be one of {', '.join(ACTIONS)}, not {table.get('action')!r}"
            )
        priority = table.get("priority")
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise ConfigError(f"{where}: priority must be an integer, not {priority!r}")
        rules = table.get("match", [])
        if not isinstance(rules, list):
            raise ConfigError(f"{where}: match must be a list of tables")
        optional = {
            k: _number(where, k, table[k], minimum=0) for k in ("min_significance", "max_error") if k in table
        }
        return cls(
            name=table["name"],
            priority=priority,
            action=table["action"],
            timeout=_number(where, "timeout", table.get("timeout", defaults["timeout"]), minimum=1),
            sound=str(table.get("sound", defaults["sound"])),
            rules=tuple(Rule.from_config(f"{where} match #{i + 1}", r) for i, r in enumerate(rules)),
            **optional,
        )


@dataclass(frozen=True)
class Policy:
    """The groups (tried in order, the first match wins) and the [policy] switches."""

    groups: tuple[Group, ...]
    default_group: Group
    test: bool = False  # classify test packets like real ones (the SAO monitor's Test=yes)
    catalogued: bool = False
    slew: bool = False
    subthreshold: bool = False
    min_significance: float | None = 6.0
    mode: str = "log"
    visibility: str = "mark"
    refine_extends: bool = True
    # seconds; 0/None: no limit. Older never rings and never opens as act: it is listed (issue 13).
    max_message_age: float | None = 6 * 3600.0  # since the message was created (else since it arrived)
    max_trigger_age: float | None = 24 * 3600.0  # since the trigger
    ignore_group: Group = field(default=None)  # type: ignore[assignment]

    def __post_init__(self):
        if self.ignore_group is None:
            fallback = Group("ignore", -1, "ignore", 1.0)
            ignore = next((g for g in self.groups if g.action == "ignore"), fallback)
            object.__setattr__(self, "ignore_group", ignore)

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    @property
    def inform_group(self) -> Group | None:
        """The highest-priority ``inform`` group: where "downgrade" moves unobservable ``act`` notices."""
        informs = [g for g in self.groups if g.action == "inform"]
        return max(informs, key=lambda g: g.priority) if informs else None


def _switches(section: Mapping) -> dict[str, Any]:
    known = set(_SWITCHES) | {"min_significance", "mode", "visibility", "default_group", "refine_extends",
                              *_AGES}
    unknown = set(section) - known
    if unknown:
        raise ConfigError(f"[policy]: unknown key(s) {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for key in (*_SWITCHES, "refine_extends"):
        if key in section:
            if not isinstance(section[key], bool):
                raise ConfigError(f"[policy]: {key} must be true or false, not {section[key]!r}")
            out[key] = section[key]
    if "min_significance" in section:
        value = section["min_significance"]
        out["min_significance"] = _number("[policy]", "min_significance", value, minimum=0) or None
    for key in _AGES:
        if key in section:
            out[key] = _number("[policy]", key, section[key], minimum=0) or None
    for key, allowed in (("mode", MODES), ("visibility", VISIBILITY_MODES)):
        if key in section and section[key] not in allowed:
            raise ConfigError(f"[policy]: {key} must be one of {', '.join(allowed)}, not {section[key]!r}")
        if key in section:
            out[key] = section[key]
    return out


def policy_from_config(cfg: Any) -> Policy:
    """Build the ``Policy`` from a ``Config`` (or a plain dict with ``policy`` and ``groups``).

    Raises ``ConfigError`` naming the section and key when something is wrong.
    """
    data = cfg.data if hasattr(cfg, "data") else cfg
    section = data.get("policy", {})
    tables = data.get("groups", [])
    if not isinstance(section, Mapping):
        raise ConfigError("[policy] must be a table")
    if not isinstance(tables, list) or not tables:
        raise ConfigError("[[groups]]: at least one group is required")
    groups = tuple(Group.from_config(i, t) for i, t in enumerate(tables))
    names = [g.name for g in groups]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"[[groups]]: duplicate group name(s) {', '.join(duplicates)}")
    default_name = section.get("default_group", section_defaults("policy")["default_group"])
    default = next((g for g in groups if g.name == default_name), None)
    if default is None:
        raise ConfigError(f"[policy]: default_group {default_name!r} is not a group ({', '.join(names)})")
    policy = Policy(groups=groups, default_group=default, **_switches(section))
    log.debug("policy: %d groups (%s), default %s", len(groups), ", ".join(names), default.name)
    return policy
