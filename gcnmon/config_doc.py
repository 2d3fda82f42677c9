"""README's configuration tables, generated from the schema's field descriptions and defaults.

``python -m gcnmon.config_doc`` rewrites each block of README.md between
``<!-- config-table: SECTION [SECTION...] -->`` and ``<!-- /config-table -->``; ``--check`` only
says whether README is up to date (a test runs it), so the tables cannot drift from the schema.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

__all__ = ["table", "render", "main"]

BLOCK = re.compile(r"(<!-- config-table: (?P<names>[\w. ]+) -->\n)(?P<body>.*?)(<!-- /config-table "
"-->)", re.S)
README = Path(__file__).resolve().parent.parent / "README.md"


def _default(info) -> str:
    from pydantic_core import PydanticUndefined

    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if value is None or value is PydanticUndefined:
        return "(unset)"
    text = _toml(value)
    return "the list in `config/gcnmon.toml`" if len(text) > 40 else f"`{text}`"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _toml(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _model(name: str):
    """The model of a section, or of the items of an array of tables ("groups", "groups.match")."""
    from .config import _model_of
    from .config_schema import Settings

    model = Settings
    for part in name.split("."):
        model = _model_of(model.model_fields[part].annotation)
    return model


def _allowed(info) -> str:
    """What a key takes, in words: its type, bounds, choices (or the field's own ``allowed`` words)."""
    import typing

    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "allowed" in extra:
        return str(extra["allowed"])

    from .config import _PATTERNS, _unwrap

    bounds = []
    for meta in info.metadata:
        for attr, sign in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{sign} {_number(getattr(meta, attr))}")
        if getattr(meta, "min_length", None):
            bounds.append("not empty")
        if getattr(meta, "pattern", None):
            bounds.append(_PATTERNS.get(meta.pattern, meta.pattern).removeprefix("must be "))
    words = []
    for alt in _unwrap(info.annotation):
        origin = typing.get_origin(alt)
        if origin is typing.Literal:
            words.append(" or ".join(f"`{_toml(v)}`" for v in typing.get_args(alt)))
        elif origin is list:
            item = typing.get_args(alt)[0]
            words.append("list of tables" if hasattr(item, "model_fields") else "list")
        else:
            words.append({bool: "true or "
                "false", int: "integer", float: "number", str: "text"}.get(alt, str(alt)))
    text = " or ".join(dict.fromkeys(words))
    return text + (f", {', '.join(bounds)}" if bounds else "")


def table(names: list[str]) -> str:
    """The markdown table of one or more sections (full ``section.key`` names when more than one)."""
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for name in names:
        for key, info in _model(name).model_fields.items():
            shown = f"{name}.{key}" if len(names) > 1 else key
            meaning = (info.description or "").replace("|", "\\|")
            allowed = _allowed(info).replace("|", "\\|")
            rows.append(f"| `{shown}` | {_default(info)} | {allowed} | {meaning} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    """``text`` (README) with every config-table block regenerated."""
    return BLOCK.sub(lambda m: m.group(1) + table(m["names"].split()) + m.group(4), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README's tables differ from the "
        "schema")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    fresh = render(text)
    if args.check:
        if fresh != text:
            print(f"{args.readme}: configuration tables differ from the schema; run python -m "
                f"gcnmon.config_doc",
                  file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
