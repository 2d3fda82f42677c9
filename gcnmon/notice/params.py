"""``Notice.params`` of a VOEvent: an immutable name -> value Mapping whose full map is read only on demand.

Reading all ~50 What params costs as much as the rest of the parse; the pipeline needs a dozen
names (packet type, trigger ids, test and retraction markers). The parser reads those names eagerly
(``known``) and the full map is built from the packet's own bytes the first time anything else is
asked (the detail view, ``==``, iteration). Both come from ``param_items`` over the same bytes, so
the lazy map answers exactly what an eagerly built dict would have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from lxml import etree

__all__ = ["LazyParams", "param_items", "param_value", "all_params"]

def param_items(what: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(name, element) of every named Param under What, groups included, in document order."""
    for param in what.iter("{*}Param"):  # one C-level walk; unnamed Params are not addressable
        name = param.get("name")
        if name is not None:
            yield name, param


def param_value(param: etree._Element) -> str:
    """A Param's value attribute or, as VOEvent 2.0 also allows, its <Value> child; stripped."""
    value = param.get("value")
    if value is None:
        value = param.findtext("{*}Value") or ""
    return value.strip()


def all_params(what: etree._Element | None) -> dict[str, str]:
    """Every Param name -> value under What; the first occurrence of a name wins."""
    params: dict[str, str] = {}
    if what is not None:
        for name, param in param_items(what):
            if name not in params:
                params[name] = param_value(param)
    return params


class LazyParams(Mapping):
    """Immutable name -> value map: ``known`` answers the names in ``looked`` (those the parser read
    eagerly: a name of ``looked`` missing from ``known`` is not in the packet); anything else calls
    ``load()`` once for the full map (it must agree with ``known``).
    """

    __slots__ = ("_known", "_looked", "_load", "_all")

    def __init__(self, known: dict[str, str], looked: frozenset[str], load: Callable[[], dict[str, str]]):
        self._known = known
        self._looked = looked
        self._load = load
        self._all: dict[str, str] | None = None

    def _full(self) -> dict[str, str]:
        if self._all is None:  # a race only loads twice the same immutable bytes: harmless
            self._all = self._load()
        return self._all

    def __getitem__(self, name: str) -> str:
        if name in self._looked:
            return self._known[name]
        return self._full()[name]

    def get(self, name: str, default=None):
        if name in self._looked:
            return self._known.get(name, default)
        return self._full().get(name, default)

    def __contains__(self, name: object) -> bool:
        if name in self._looked:
            return name in self._known
        return name in self._full()

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyParams):
            return self._full() == other._full()
        if isinstance(other, Mapping):
            return self._full() == dict(other.items())
        return NotImplemented

    __hash__ = None  # like dict and MappingProxyType

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._full()!r})"
