"""A rule's ``where``: comparisons on any of a notice's params (JSON fields by dotted name).

Shared by the configuration schema (types checked at load) and ``gcnmon.policy.groups`` (matching);
it imports nothing heavy, so loading the configuration stays fast.

    where = { "event.significant" = true, "event.far" = "< 3.2e-8", "event.classification.BNS" = "> 0.1" }

Every comparison must hold. A value is:

- ``true`` / ``false``: the param is that boolean (JSON ``true``, VOEvent ``"true"``/``"1"``...);
- a number: the param is that number;
- ``"< x"``, ``"<= x"``, ``"> x"``, ``">= x"``, ``"= x"``, ``"!= x"`` with a number ``x``: as numbers;
- any other string: a case-insensitive glob on the param's text;
- a list of these: any of them.

A param the notice does not have, or one that does not read as the needed type, never matches. The
types are checked when the configuration is loaded (``parse_where``), never when a notice arrives.
"""

from __future__ import annotations

import fnmatch
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Condition", "parse_where", "WhereError"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
    "==": operator.eq, "=": operator.eq,
}  # fmt: skip
_COMPARISON = re.compile(r"\s*(<=|>=|!=|==|<|>|=)\s*(\S.*?)\s*$")
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


class WhereError(ValueError):
    """A ``where`` entry that cannot be a comparison; the message says which and why."""


@dataclass(frozen=True)
class Condition:
    """One ``name = value`` of a ``where``: ``test(text)`` says whether a param's text satisfies it."""

    name: str
    text: str  # as written, for the log
    tests: tuple[Callable[[str], bool], ...]

    def holds(self, params: Mapping[str, str]) -> bool:
        value = params.get(self.name)
        return value is not None and any(test(value) for test in self.tests)


def parse_where(table: Any) -> tuple[Condition, ...]:
    """The conditions of a ``where`` table; raises ``WhereError`` naming the first bad entry."""
    if not isinstance(table, Mapping) or not table:
        raise WhereError(f"where must be a non-empty table of param = value, not {table!r}")
    conditions = []
    for name, value in table.items():
        if not isinstance(name, str) or not name:
            raise WhereError(f"where: a param name must be a non-empty string, not {name!r}")
        values = value if isinstance(value, list) else [value]
        if not values:
            raise WhereError(f"where: {name} = [] can never match")
        conditions.append(Condition(name, repr(value), tuple(_test(name, v) for v in values)))
    return tuple(conditions)


def _test(name: str, value: Any) -> Callable[[str], bool]:
    if isinstance(value, bool):
        return lambda text: _boolean(text) is value
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise WhereError(f"where: {name} = {value!r} is not a finite number")
        return lambda text: _number(text) == value
    if not isinstance(value, str) or not value.strip():
        raise WhereError(f"where: {name} must be true/false, a number, a comparison such as \"< 3.2e-8\" or "
                         f"a text pattern, not {value!r}")
    found = _COMPARISON.fullmatch(value)
    if found:
        op, operand = _OPS[found.group(1)], found.group(2)
        limit = _number(operand)
        if limit is None:
            raise WhereError(f"where: {name} = {value!r}: {operand!r} is not a number")
        return lambda text: (number := _number(text)) is not None and op(number, limit)
    pattern = value.lower()
    return lambda text: fnmatch.fnmatchcase(text.lower(), pattern)


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _boolean(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None
