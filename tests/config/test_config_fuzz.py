"""Random TOML values for every key: the loader accepts what the code can run with, or refuses it in words.

Each accepted configuration is handed to everything a command builds from it, on a MemoryReactorClock
(no network): the VTP subscriber (connected, watched, dropped, reconnected), the Kafka consumer settings,
the relay and its receive port, the groups, the site and its visibility, [notify], and the TCS driver.
Any exception but ConfigError from there means the schema let through a value the code cannot take.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.python.failure import Failure

from gcnmon.config import ConfigError, load_config
from gcnmon.config_schema import Group, Rule, Settings

_WORK = Path(tempfile.mkdtemp(prefix="gcnmon-config-fuzz-"))

#: Every scalar or list key of every section (groups and their rules are drawn separately).
KEYS = [
    (section, key)
    for section, info in Settings.model_fields.items()
    if isinstance(info.annotation, type) and hasattr(info.annotation, "model_fields")
    for key in info.annotation.model_fields
]
#: Words the schema gives meaning to, so that the draws reach past the type checks.
WORDS = ["", "127.0.0.1:8099", "[::1]:8099", "host", "0.0.0.0:0", "a:99999", "vtp://127.0.0.1:1,b:2", "kafka",
         "none", "ivo://x/y", "10.0.0.0/8", "latest", "earliest", "BTA", "zeiss", "Zeiss-1000", "dummy",
         "alpaca",
         "bta", "log", "queue", "mark", "downgrade", "act", "inform", "ignore", "http://127.0.0.1:1", "a/b",
         "link", "archive", "gcn.heartbeat"]  # fmt: skip
SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 1023, 1024, 65536, 2**31]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 0.5, 1e-300, 1e300, 59.9, 90.0, -12.0]),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(WORDS),
)
VALUES = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)
)


def plausible(info) -> st.SearchStrategy:
    """Values of the field's own type, around its bounds (so that draws get past the type check)."""
    import typing

    from gcnmon.config import _unwrap

    bounds = {
        attr: getattr(m, attr) for m in info.metadata for attr in ("ge", "gt", "le", "lt") if hasattr(m, attr)
    }
    lo = bounds.get("ge", bounds.get("gt"))
    hi = bounds.get("le", bounds.get("lt"))
    out = []
    for alt in _unwrap(info.annotation):
        if alt is bool:
            out.append(st.booleans())
        elif alt is int:
            start = -5 if lo is None else lo - 2
            out.append(st.integers(min_value=start, max_value=start + 10**6 if hi is None else hi + 2))
        elif alt is float:
            low = -1e6 if lo is None else lo - 1
            out.append(st.floats(min_value=low, max_value=low + 1e6 if hi is None else hi + 1))
            out.append(st.sampled_from([v for v in (lo, hi) if v is not None] or [0.0]))
        elif typing.get_origin(alt) is typing.Literal:
            out.append(st.sampled_from(typing.get_args(alt)))
        elif typing.get_origin(alt) is list:
            out.append(st.lists(st.sampled_from(WORDS), max_size=3))
        else:
            out.append(st.sampled_from(WORDS))
    return st.one_of(out)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def write(path: Path, tables: dict) -> None:
    lines = []
    for section, table in tables.items():
        if isinstance(table, list):
            for item in table:
                lines += [
                    f"[[{section}]]",
                    *(f"{k} = {toml_value(v)}" for k, v in item.items() if k != "match"),
                ]
                rules = [
                    ", ".join(f"{k} = {toml_value(v)}" for k, v in r.items()) for r in item.get("match", [])
                ]
                lines.append("match = [" + ", ".join("{ " + r + " }" for r in rules) + "]")
        else:
            lines += [f"[{section}]", *(f"{k} = {toml_value(v)}" for k, v in table.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_everything(cfg) -> None:
    """What the commands build from a loaded configuration, run a little on a fake clock."""
    from gcnmon.archive import Archive
    from gcnmon.commands.relay import _build, relay_settings
    from gcnmon.intake import Intake
    from gcnmon.notify.targets import notify_settings
    from gcnmon.policy import policy_from_config, visibility_from_config
    from gcnmon.sky import site_from_config
    from gcnmon.stream.kafka import consumer_config
    from gcnmon.stream.runners import VtpRunner, configured_sources
    from tcs_drivers.credentials import Secret
    from tcs_drivers.registry import create_driver

    reactor = MemoryReactorClock()
    for runner in configured_sources(cfg, lambda payload, source: None, reactor):
        if not isinstance(runner, VtpRunner):
            continue  # the Kafka runner would start a real consumer: its settings are built below
        runner.start()
        host, port, factory = reactor.tcpClients[-1][:3]
        proto = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", port))
        transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", port))
        proto.makeConnection(transport)
        reactor.advance(cfg.get("vtp.watchdog") + 1)  # silent server: the watchdog drops it
        assert transport.disconnecting
        proto.connectionLost(Failure(ConnectionDone()))
        reactor.advance(cfg.get("vtp.backoff_max") + 1)  # and the backoff reconnects
        assert len(reactor.tcpClients) >= 2
        runner.stop()
    consumer_config(cfg.section("kafka"), cfg.get("station.name"))
    settings_ = relay_settings(cfg)
    archive = Archive(_WORK / "archive.sqlite")
    try:
        relay = _build(settings_, Intake(archive), reactor)
        relay.listen(*settings_["listen"])
        if settings_["receive"]:
            relay.listen_receive(*settings_["receive"])
        relay.start_stats(settings_["stats_interval"])
        reactor.advance(settings_["stats_interval"] + 1)
        relay.stop()
    finally:
        archive.close()
    policy_from_config(cfg)
    visibility_from_config(cfg)
    notify_settings(cfg.section("notify"))
    create_driver(
        cfg.section("tcs"), site=site_from_config(cfg.section("site")), password=Secret("x"), reactor=reactor
    )


def check(tables: dict, touched: set[str]) -> None:
    path = _WORK / "gcnmon.toml"
    write(path, tables)
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        for line in str(exc).splitlines():  # one line per problem, naming the file and a key we wrote
            assert line.startswith(f"{path}: ") or line.startswith("defaults: "), line
            event("refused")
            assert any(
                s in line for section in touched for s in (f"{section}.", f"{section}[", f"{section}:")
            ), line
        return
    event("accepted and built")
    build_everything(cfg)


@pytest.fixture(scope="module", autouse=True)
def _no_keyring():
    """Secrets from the environment, so that no draw asks the system keyring."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GCNMON_KAFKA_CLIENT_SECRET", "x")
        patch.setenv("GCNMON_TCS_PASSWORD", "x")
        yield


FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _draw_for(key, junk: bool = False):
    section, name = key
    info = Settings.model_fields[section].annotation.model_fields[name]
    return st.tuples(st.just(key), VALUES if junk else plausible(info))


#: A few keys with values of their own type, and maybe one with anything at all.
DRAWS = st.builds(
    lambda good, bad: good + ([bad] if bad else []),
    st.lists(st.sampled_from(KEYS).flatmap(_draw_for), min_size=1, max_size=4),
    st.one_of(st.none(), st.sampled_from(KEYS).flatmap(lambda key: _draw_for(key, junk=True))),
)


@FUZZ
@given(DRAWS)
def test_random_values_for_every_key(draws):
    tables: dict = {}
    for (section, key), value in draws:
        tables.setdefault(section, {})[key] = value
    if "notify" in tables and "targets" in tables["notify"]:
        tables["notify"].pop("targets")  # an array of tables: drawn below with the groups
    check(tables, set(tables))


def _model_values(model, required: dict):
    fields = {
        k: st.one_of(*[plausible(info)] * 4, VALUES)
        for k, info in model.model_fields.items()
        if k not in required
    }
    return st.fixed_dictionaries(required, optional=fields)


RULES = _model_values(Rule, {})
GROUPS = _model_values(
    Group,
    {
        "name": st.sampled_from(["g", "h", ""]),
        "priority": st.one_of(*[st.integers(-5, 50)] * 4, SCALARS),
        "action": st.sampled_from(["act", "inform", "ignore", "shout", 1]),
    },
)


@FUZZ
@given(st.lists(st.tuples(GROUPS, st.lists(RULES, max_size=3)), min_size=1, max_size=3))
def test_random_groups_and_rules(groups):
    tables = {"policy": {"default_group": "g"}, "groups": []}
    for group, rules in groups:
        group = {k: v for k, v in group.items() if k != "match"}
        tables["groups"].append({**group, "match": rules})
    check(tables, {"groups", "policy"})


def test_the_key_list_covers_the_schema():
    sections = {section for section, _ in KEYS}
    assert sections == set(Settings.model_fields) - {"groups"}
    assert ("vtp", "watchdog") in KEYS and ("relay", "max_subscribers") in KEYS and ("tcs", "driver") in KEYS
