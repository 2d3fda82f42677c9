"""Configuration: the user's file, then overrides, validated by one schema (``gcnmon.config_schema``).

``load_config`` merges the layers, validates the result against the schema and fills in every default,
so ``cfg.section("vtp")["watchdog"]`` needs no fallback of its own. A wrong value is a ``ConfigError``
whose message is one line per problem: the file (or ``--set``), the key, the value and what is allowed.
An unknown key is a warning with a did-you-mean (an error with ``unknown="error"``, as in
``gcnmon config --check``).
"""

from __future__ import annotations

import copy
import difflib
import json
import logging
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .scrub import remember_values

__all__ = [
    "Config",
    "ConfigError",
    "load_config",
    "user_config_path",
    "data_dir",
    "log_dir",
    "section_defaults",
    "with_defaults",
]

log = logging.getLogger(__name__)

APP = "gcnmon"
SET = "--set"  # the source named for a --set override
CODE = "command line"  # the source named for cfg.set() (command options)


class ConfigError(ValueError):
    """A configuration file or override is wrong; the message names the file, the key and the value.

    One line per problem; ``lines(prefix)`` gives them ready to print.
    """

    def lines(self, prefix: str) -> str:
        return "\n".join(f"{prefix}: {line}" for line in str(self).splitlines())


def user_config_path() -> Path:
    """``$GCNMON_CONFIG``, else ``gcnmon.toml`` in the platform's user config directory."""
    if os.environ.get("GCNMON_CONFIG"):
        return Path(os.environ["GCNMON_CONFIG"])
    import platformdirs

    return Path(platformdirs.user_config_dir(APP)) / "gcnmon.toml"


def data_dir() -> Path:
    """``$GCNMON_DATA_DIR``, else the platform's user data directory (the archive lives here)."""
    if os.environ.get("GCNMON_DATA_DIR"):
        return Path(os.environ["GCNMON_DATA_DIR"])
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def log_dir() -> Path:
    """``$GCNMON_LOG_DIR``, else the platform's user log directory (the log books live here)."""
    if os.environ.get("GCNMON_LOG_DIR"):
        return Path(os.environ["GCNMON_LOG_DIR"])
    import platformdirs

    return Path(platformdirs.user_log_dir(APP))


# ---- reading ---------------------------------------------------------------------------------------

_TOML_WHERE = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _read_toml(path: Path) -> dict:
    """The file's tables; ``ConfigError`` in one line (with the line number) if it is not UTF-8 TOML."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{path}: line {line}, column {column}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.match(str(exc))
        where = f"line {found['line']}, column {found['col']}: {found['msg']}" if found else str(exc)
        raise ConfigError(f"{path}: {where} (not valid TOML)") from None


# ---- the schema, walked by key -----------------------------------------------------------------------


def _schema():
    from .config_schema import Settings

    return Settings


def _unwrap(annotation: Any) -> list[Any]:
    """The alternatives of ``annotation`` without Annotated/Optional wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [alt for arg in typing.get_args(annotation) for alt in _unwrap(arg) if alt is not type(None)]
    return [annotation]


def _model_of(annotation: Any):
    """The model class a field holds (directly or as list items), else None."""
    from pydantic import BaseModel

    for alt in _unwrap(annotation):
        if typing.get_origin(alt) is list:
            alt = typing.get_args(alt)[0]
            alt = next(iter(_unwrap(alt)), alt)
        if isinstance(alt, type) and issubclass(alt, BaseModel):
            return alt
    return None


def _field_at(parts: tuple) -> Any:
    """The annotation of the field at ``parts`` (list indices skipped), or None if the schema has none."""
    model, annotation = _schema(), None
    for part in parts:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = _model_of(annotation)
    return annotation


def _kind(parts: tuple) -> str | None:
    """ "str" or "list" when the schema expects that at ``parts`` (how a --set text is read), else None."""
    annotation = _field_at(parts)
    if annotation is None:
        return None
    alts = _unwrap(annotation)
    if all(typing.get_origin(a) is list for a in alts):
        return "list"
    if all(
        a is str
        or (typing.get_origin(a) is typing.Literal and all(isinstance(v, str) for v in typing.get_args(a)))
        for a in alts
    ):
        return "str"
    return None


def section_defaults(name: str) -> dict:
    """The schema's defaults of a section (``"kafka"``) or of an array's tables (``"groups"``)."""
    model = _schema()
    for part in name.split("."):
        model = _model_of(model.model_fields[part].annotation)
    out = {}
    for key, info in model.model_fields.items():
        if not info.is_required():
            value = info.get_default(call_default_factory=True)
            if value is not None:
                out[key] = value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value
    return out


def with_defaults(name: str, given: Mapping[str, Any]) -> dict:
    """``given`` (a table handed to code directly, as tests do) with the schema's defaults under it."""
    return {**section_defaults(name), **given}


# ---- overrides -----------------------------------------------------------------------------------------


def _parse_override(item: str) -> tuple[tuple[str, ...], Any]:
    """``"kafka.bootstrap=127.0.0.1:9092"`` -> (("kafka", "bootstrap"), "127.0.0.1:9092").

    The value is read as TOML (numbers, booleans, lists, quoted strings), except where the schema
    expects a string (``--set kafka.group_id=123`` is the string "123") or a list (``--set
    sources.vtp=relay:8099`` and ``--set relay.allow=10.0.0.0/8,127.0.0.1`` are lists).
    """
    key, sep, text = item.partition("=")
    parts = tuple(p.strip() for p in key.split("."))
    if not sep or not all(parts):
        raise ConfigError(f"{SET} {item!r}: not KEY=VALUE (e.g. --set vtp.watchdog=150)")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    kind = _kind(parts)
    if kind == "str" and not isinstance(value, str):
        value = text
    elif kind == "list" and isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    return parts, value


# ---- errors in one line ----------------------------------------------------------------------------------

_PATTERNS = {
    r"^ivo://\S+$": "must be an IVORN: ivo://authority/path",
    r"^[^/\\\x00]+$": "must be a name without / or \\",
    r"^$|^[A-Za-z][A-Za-z0-9+.-]*://\S+$": 'must be a URL such as http://host:8080, or ""',
}


def _allowed(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    simple = {
        "int_type": "must be an integer", "float_type": "must be a number", "bool_type": "must be true "
        "or false",
        "string_type": "must be a string", "list_type": "must be a list", "dict_type": "must be a table",
        "model_type": "must be a table", "model_attributes_type": "must be a table",
        "finite_number": "must be a finite number", "missing": "is required",
        "string_too_short": "must not be empty", "too_short": "must not be empty",
    }  # fmt: skip
    if kind in simple:
        return simple[kind]
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return f"must be {bounds[kind]} {limit:g}" if isinstance(limit, (int, float)) else error["msg"]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx.get("pattern"), f"must match {ctx.get('pattern')}")
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"])
    if kind == "gcnmon_key":
        return str(ctx["allowed"])
    return str(error["msg"])


def _printable(text: str) -> str:
    """No control character, line or paragraph separator in a message line: each is escaped."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _joined(lines: list[str]) -> str:
    return "\n".join(_printable(line) for line in lines)


def _render_value(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, list, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _lookup(node: Any, parts: tuple) -> tuple[bool, Any]:
    for part in parts:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def _key_name(parts: tuple, raw: Mapping) -> str:
    """``("groups", 0, "match", 2, "packet_type")`` -> ``groups["act"].match[3].packet_type``."""
    out = ""
    for i, part in enumerate(parts):
        if isinstance(part, int):
            found, item = _lookup(raw, parts[: i + 1])
            name = (
                item.get("name") if found and isinstance(item, Mapping) and parts[i - 1] == "groups" else None
            )
            out += f"[{json.dumps(name)}]" if isinstance(name, str) else f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out


def _field_loc(loc: tuple) -> tuple:
    """The part of pydantic's error location that names a key (union-member tags dropped)."""
    model, out = _schema(), []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
        elif model is not None and part in model.model_fields:
            out.append(part)
            model = _model_of(model.model_fields[part].annotation)
        else:
            if model is not None:
                out.append(part)  # a key the model does not have
            break
    return tuple(out)


def _line(source: str, key: str, shown: str, allowed: str) -> str:
    """``FILE: vtp.watchdog = "abc": must be a number`` (``--set vtp.watchdog="abc": ...`` for an "
    "override)."""
    if source == SET:
        return f"{SET} {key}{shown.replace(' = ', '=', 1)}: {allowed}"
    return f"{source}: {key}{shown}: {allowed}"


class _Origins:
    """Which layer (file path, ``--set``, ``command line``) set each key, to name it in errors."""

    def __init__(self):
        self.by_key: dict[tuple, str] = {}

    def record(self, parts: tuple, value: Any, source: str) -> None:
        self.by_key[parts] = source
        if isinstance(value, Mapping):
            for key, item in value.items():
                self.record((*parts, key), item, source)

    def of(self, parts: tuple) -> str:
        keys = tuple(p for p in parts if isinstance(p, str))
        for n in range(len(keys), 0, -1):
            if keys[:n] in self.by_key:
                return self.by_key[keys[:n]]
        return "defaults"


def _problems(exc, raw: Mapping, origins: _Origins) -> tuple[list[str], list[tuple]]:
    """(one line per wrong key, the locations of unknown keys)."""
    lines: dict[tuple, list[str]] = {}
    unknown: list[tuple] = []
    for error in exc.errors(include_url=False):
        if error["type"] == "gcnmon_key":
            parts = tuple(error["ctx"]["key"].split("."))
            value = error["ctx"]["value"]
            found = value is not None
        else:
            parts = _field_loc(tuple(error["loc"]))
            found, value = _lookup(raw, parts)
            if not found and "input" in error and error["type"] != "missing":
                found, value = True, error["input"]
        if error["type"] == "extra_forbidden":
            unknown.append(parts)
            continue
        lines.setdefault(parts, [])
        text = _allowed(error)
        if text not in lines[parts]:
            lines[parts].append(text)
        lines.setdefault(("__value__", parts), [found, value])
    out = []
    for parts, texts in lines.items():
        if parts and parts[0] == "__value__":
            continue
        found, value = lines[("__value__", parts)]
        shown = f" = {_render_value(value)}" if found else ""
        allowed = texts[0] + "".join(" or " + t.removeprefix("must be ") for t in texts[1:])
        out.append(_line(origins.of(parts), _key_name(parts, raw), shown, allowed))
    return out, unknown


def _did_you_mean(parts: tuple, raw: Mapping, origins: _Origins) -> str:
    model = _schema() if len(parts) == 1 else _model_of(_field_at(parts[:-1]))
    known = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(str(parts[-1]), known, n=1, cutoff=0.6)
    where = _key_name(parts, raw)
    what = f"unknown section [{where}]" if len(parts) == 1 else f"unknown key {where}"
    hint = f" (did you mean {close[0]}?)" if close else (f" (known: {', '.join(known)})" if known else "")
    return f"{origins.of(parts)}: {what}{hint}"


def _remove(node: Any, parts: tuple) -> None:
    found, parent = _lookup(node, parts[:-1])
    if found and isinstance(parent, dict):
        parent.pop(parts[-1], None)


def _validate(raw: dict, origins: _Origins) -> tuple[dict, list[str]]:
    """(the validated data with every default, warnings about unknown keys); ``ConfigError`` otherwise."""
    from pydantic import ValidationError

    checked, warnings, unknowns = copy.deepcopy(raw), [], []
    for _ in range(8):  # each round strips the unknown keys pydantic found and validates again
        try:
            model = _schema().model_validate(checked)
        except ValidationError as exc:
            lines, unknown = _problems(exc, raw, origins)
            if lines:
                raise ConfigError(_joined(lines)) from None
            for parts in unknown:
                warnings.append(_did_you_mean(parts, raw, origins))
                unknowns.append(parts)
                _remove(checked, parts)
            continue
        data = model.model_dump(exclude_none=True)
        warnings = [_printable(w) for w in warnings + _driver_tables(data, raw, origins)]
        for parts in unknowns:  # kept (never silently dropped), yet no consumer reads them
            found, value = _lookup(raw, parts)
            holder_found, holder = _lookup(data, parts[:-1])
            if found and holder_found and isinstance(holder, dict):
                holder[parts[-1]] = copy.deepcopy(value)
        return data, warnings
    raise ConfigError("configuration: too many unknown keys")


def _driver_tables(data: dict, raw: Mapping, origins: _Origins) -> list[str]:
    """Check each ``[tcs.<driver>]`` table against that driver's DEFAULTS (its keys and their types)."""
    from importlib.metadata import entry_points

    tcs = data.get("tcs", {})
    tables = {k: v for k, v in tcs.items() if isinstance(v, dict)}
    if not tables:
        return []
    installed = {ep.name for ep in entry_points(group="gcnmon.tcs_drivers")}
    warnings, errors = [], []
    for name, table in tables.items():
        where = ("tcs", name)
        if name not in installed:
            warnings.append(
                f"{origins.of(where)}: unknown table [tcs.{name}] (installed TCS drivers: "
                f"{', '.join(sorted(installed))})"
            )
            continue
        from tcs_drivers.registry import load_driver

        try:
            defaults = load_driver(name).DEFAULTS
        except (ImportError, KeyError) as exc:
            warnings.append(f"{origins.of(where)}: [tcs.{name}] not checked: {exc}")
            continue
        for key, value in list(table.items()):
            parts = (*where, key)
            if key not in defaults:
                close = difflib.get_close_matches(key, list(defaults), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(defaults)})"
                warnings.append(f"{origins.of(parts)}: unknown key tcs.{name}.{key}{hint}")
                continue
            allowed = _same_type(defaults[key], value)
            if allowed:
                errors.append(f"{origins.of(parts)}: tcs.{name}.{key} = {_render_value(value)}: {allowed}")
    if errors:
        raise ConfigError(_joined(errors))
    return warnings


def _same_type(default: Any, value: Any) -> str:
    """ "" when ``value`` may stand where the driver's default ``default`` is, else what is allowed."""
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else "must be true or false"
    if isinstance(default, int):
        return "" if isinstance(value, int) and not isinstance(value, bool) else "must be an integer"
    if isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
        return "" if ok and abs(value) != float("inf") else "must be a finite number"
    if isinstance(default, str):
        return "" if isinstance(value, str) else "must be a string"
    if isinstance(default, (list, tuple)):
        return (
            ""
            if isinstance(value, list) and all(isinstance(v, str) for v in value)
            else "must be a list of strings"
        )
    return ""


# ---- the merged configuration ----------------------------------------------------------------------------


def _merge(base: dict, top: Mapping, origins: _Origins, source: str, parts: tuple = ()) -> dict:
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, origins, source, (*parts, key))
        else:
            base[key] = copy.deepcopy(value)
            origins.record((*parts, key), value, source)
    return base


@dataclass
class Config:
    """The validated configuration as nested dicts (every default filled in), plus where it came from.

    ``data`` is what the user's layers say, validated: built from a plain dict, ``Config(data)``
    validates it too. ``warnings`` lists unknown keys (already logged).
    """

    data: dict
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _raw: dict = field(default_factory=dict, repr=False)
    _origins: _Origins = field(default_factory=_Origins, repr=False)

    def __post_init__(self):
        if not self._raw:
            self._raw = copy.deepcopy(self.data)
            for key, value in self._raw.items():
                self._origins.record((key,), value, self.sources[-1] if self.sources else "defaults")
        remember_values(self._raw)  # a password in a URL is masked wherever it is printed or logged
        self.data, self.warnings = _validate(self._raw, self._origins)

    def section(self, name: str) -> dict:
        """One top-level table with every default filled in (empty for a table the schema does not know)."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        return value

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def set(self, dotted: str, value: Any, source: str = CODE) -> None:
        """Set one key and validate again: ``ConfigError`` (naming ``source``) if the value is not allowed."""
        raw = copy.deepcopy(self._raw)
        parts = tuple(dotted.split("."))
        node = raw
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        remember_values(value)
        origins = copy.deepcopy(self._origins)
        origins.record(parts, value, source)
        data, warnings = _validate(raw, origins)
        for line in warnings:
            if line not in self.warnings:
                log.warning("%s", line)
        self._raw, self._origins, self.data, self.warnings = raw, origins, data, warnings


def load_config(
    user_file: Path | str | None = None,
    overrides: list[str] | Mapping[str, Any] | None = None,
    *,
    unknown: str = "warn",
) -> Config:
    """The user file (``user_config_path()`` unless given), then overrides, validated against the schema.

    An absent file is fine (defaults only) unless it was named (``user_file`` or ``$GCNMON_CONFIG``).
    ``unknown="error"``
    turns the unknown-key warnings into a ``ConfigError``.
    """
    raw, origins, sources = {}, _Origins(), ["defaults"]
    path = Path(user_file) if user_file else user_config_path()
    if path.exists():
        _merge(raw, _read_toml(path), origins, str(path))
        sources.append(str(path))
    elif user_file:
        raise ConfigError(f"{path}: no such config file")
    elif os.environ.get("GCNMON_CONFIG"):  # named, so meant: a typo must not silently mean "defaults"
        raise ConfigError(f"GCNMON_CONFIG={path}: no such config file (GCNMON_CONFIG={os.devnull} runs on "
                          "the defaults alone)")
    if isinstance(overrides, Mapping):
        items = [(tuple(str(k).split(".")), v, CODE) for k, v in overrides.items()]
    else:
        items = [(*_parse_override(item), SET) for item in overrides or ()]
    for parts, value, source in items:
        node = raw
        for part in parts[:-1]:
            child = node.get(part)
            node = child if isinstance(child, dict) else node.setdefault(part, {}) if child is None else None
            if node is None:
                raise ConfigError(f"{source}: {'.'.join(parts)}: {part} is not a table")
        node[parts[-1]] = value
        origins.record(parts, value, source)
    if items:
        sources.append("command line")
    cfg = Config(raw, sources, _raw=raw, _origins=origins)
    if cfg.warnings and unknown == "error":
        raise ConfigError("\n".join(cfg.warnings))
    for line in cfg.warnings:
        log.warning("%s", line)
    return cfg
