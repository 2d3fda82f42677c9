"""The schema is the one place of types, ranges and defaults; the loader reports in one line per problem."""

import math

import pytest

from gcnmon.config import Config, ConfigError, load_config
from gcnmon.config_schema import SITE_PRESET_NAMES, Settings, shipped_defaults


def _leaves(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*prefix, key))
    else:
        yield prefix, node


def test_shipped_file_says_what_the_schema_says():
    """config/gcnmon.toml is the commented copy users read: each of its values is the schema's default."""
    shipped = shipped_defaults()
    defaults = Settings().model_dump(exclude_none=True)
    drivers = shipped["tcs"]
    for parts, value in _leaves({k: v for k, v in shipped.items() if k != "groups"}):
        if parts[0] == "tcs" and isinstance(drivers.get(parts[1]), dict):
            continue  # [tcs.<driver>]: the driver's DEFAULTS (tests/tcs_drivers checks them)
        node = defaults
        for part in parts:
            assert part in node, f"{'.'.join(parts)} is in config/gcnmon.toml but not in the schema"
            node = node[part]
        assert node == value, f"{'.'.join(parts)}: the file says {value!r}, the schema {node!r}"
    assert (
        defaults["groups"]
        == Settings.model_validate({"groups": shipped["groups"]}).model_dump(exclude_none=True)["groups"]
    )


def test_site_presets_match_the_sky_module():
    from gcnmon.sky import SITE_PRESETS

    assert set(SITE_PRESET_NAMES) == set(SITE_PRESETS)


def test_every_section_has_every_default(tmp_path):
    cfg = load_config("/dev/null")
    assert cfg.section("vtp") == {
        "watchdog": 150.0,
        "max_frame": 6 << 20,  # 6 MiB: the envelope of a 4 MiB JSON notice fits
        "local_ivorn": "ivo://gcnmon/workstation",
        "backoff_initial": 1.0,
        "backoff_max": 60.0,
    }
    assert cfg.get("kafka.topics")[-1] == "gcn.heartbeat" and cfg.get("kafka.probe_interval") == 2.0
    assert [g["name"] for g in cfg.data["groups"]] == ["act", "inform", "ignore"]
    assert cfg.get("groups")[1]["timeout"] == 600.0 and "min_significance" not in cfg.get("groups")[0]


def test_a_plain_dict_is_validated_too():
    cfg = Config({"vtp": {"watchdog": 30}})
    assert cfg.get("vtp.watchdog") == 30.0 and cfg.get("vtp.max_frame") == 6 << 20
    with pytest.raises(ConfigError, match=r"vtp.watchdog = \"abc\": must be a number"):
        Config({"vtp": {"watchdog": "abc"}})


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[vtp]\nwatchdog = "abc"\n', 'vtp.watchdog = "abc": must be a number'),
        ("[vtp]\nwatchdog = 0\n", "vtp.watchdog = 0: must be >= 1"),
        ("[vtp]\nwatchdog = -5\n", "vtp.watchdog = -5: must be >= 1"),
        ("[vtp]\nwatchdog = nan\n", "vtp.watchdog = nan: must be a finite number"),
        ("[vtp]\nwatchdog = inf\n", "vtp.watchdog = inf: must be a finite number"),
        ("[vtp]\nmax_frame = 0\n", "vtp.max_frame = 0: must be >= 1024"),
        ("[vtp]\nmax_frame = -1\n", "vtp.max_frame = -1: must be >= 1024"),
        ("[vtp]\nmax_frame = 1.5\n", "vtp.max_frame = 1.5: must be an integer"),
        ("[vtp]\nbackoff_initial = -1\n", "vtp.backoff_initial = -1: must be > 0"),
        ("[vtp]\nbackoff_initial = 10.0\nbackoff_max = 5.0\n", "vtp.backoff_max = 5.0: must be >= "
            "backoff_initial"),
        ('[relay]\nmax_subscribers = "many"\n', 'relay.max_subscribers = "many": must be an integer'),
        ("[relay]\nmax_subscribers = -1\n", "relay.max_subscribers = -1: must be >= 0"),
        ('[relay]\nupstream = "smoke"\n', "relay.upstream = \"smoke\": upstream 'smoke': expected kafka, "
            "none"),
        ('[relay]\nlisten = "here:99999"\n', "relay.listen = \"here:99999\": 'here:99999' is not HOST:PORT"),
        ('[kafka]\noffset_reset = "first"\n', "kafka.offset_reset = \"first\": must be one of 'latest' "
            "or 'earliest'"),
        ("[kafka]\ntopics = []\n", "kafka.topics = []: must not be empty"),
        ('[sources]\nvtp = ["nohost"]\n', "sources.vtp = [\"nohost\"]: 'nohost' is not HOST:PORT"),
        ('[sources]\nvtp = "a:1"\n', 'sources.vtp = "a:1": must be a list'),
        ('[site]\npreset = "Nowhere"\n', 'site.preset = "Nowhere": must be one of BTA, Zeiss-1000'),
        ('[site]\npreset = ""\nlatitude = 43.0\n', "site.preset = \"\": an explicit site needs "
            "longitude, zenith_limit"),
        ("[policy]\nmode = \"stack\"\n", "policy.mode = \"stack\": must be one of 'log' or 'queue'"),
        ('[policy]\ndefault_group = "nope"\n',
         'policy.default_group = "nope": must name a group (act, inform, ignore)'),
        ('[policy]\ntest = "yes"\n', 'policy.test = "yes": must be true or false'),
        ('[tcs]\ndriver = "lx200"\n',
         'tcs.driver = "lx200": no such TCS driver; installed: alpaca, bta, dummy, zeiss'),
        ('[tcs]\ntimeout = 0\n', "tcs.timeout = 0: must be > 0"),
        ("[tcs.bta]\nparam_ra = 5\n", "tcs.bta.param_ra = 5: must be a string"),
        ('[station]\nname = "a/b"\n', 'station.name = "a/b": must be a name without / or \\'),
        ('[[groups]]\nname = "a"\npriority = "high"\naction = "act"\n',
         'groups["a"].priority = "high": must be an integer'),
        ('[[groups]]\nname = "a"\npriority = 1\naction = "act"\nmatch = [{ packet_type = "61" }]\n',
         'groups["a"].match[1].packet_type = "61": must be an integer or a list'),
        ('[[groups]]\nname = "a"\npriority = 1\naction = "act"\nmatch = [{ label = "x" }]\n',
         'groups["a"].match[1] = {"label": "x"}: a match rule needs at least one of'),
    ],
)  # fmt: skip
def test_wrong_values_are_named_in_one_line(tmp_path, text, expected):
    path = tmp_path / "gcnmon.toml"
    path.write_text(
        text + ('[policy]\ndefault_group = "a"\n' if "[[groups]]" in text else ""), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {expected}"), message


def test_unknown_keys_warn_with_a_did_you_mean(tmp_path, caplog):
    path = tmp_path / "gcnmon.toml"
    path.write_text(
        '[vtp]\nwatchdgo = 5\n[nosuchsection]\na = 1\n[tcs.bta]\nparam_rra = "x"\n', encoding="utf-8"
    )
    cfg = load_config(path)
    assert cfg.warnings == [
        f"{path}: unknown key vtp.watchdgo (did you mean watchdog?)",
        f"{path}: unknown section [nosuchsection] (known: {', '.join(Settings.model_fields)})",
        f"{path}: unknown key tcs.bta.param_rra (did you mean param_ra?)",
    ]
    assert [r.getMessage() for r in caplog.records if r.name == "gcnmon.config"] == cfg.warnings
    assert cfg.get("vtp.watchdog") == 150.0
    with pytest.raises(ConfigError) as info:
        load_config(path, unknown="error")
    assert str(info.value).splitlines() == cfg.warnings


def test_overrides_are_read_by_the_schema():
    cfg = load_config(
        "/dev/null",
        [
            "kafka.group_id=123",
            "sources.vtp=relay:8099,backup:8099",
            "relay.allow=10.0.0.0/8",
            "vtp.watchdog=45",
            "site.preset=zeiss",
        ],
    )
    assert cfg.get("kafka.group_id") == "123"
    assert cfg.get("sources.vtp") == ["relay:8099", "backup:8099"]
    assert cfg.get("relay.allow") == ["10.0.0.0/8"]
    assert cfg.get("vtp.watchdog") == 45.0 and cfg.get("site.preset") == "Zeiss-1000"
    with pytest.raises(ConfigError, match=r'^--set vtp.watchdog="abc": must be a number$'):
        load_config("/dev/null", ["vtp.watchdog=abc"])
    with pytest.raises(ConfigError, match=r"^--set vtp.watchdog=nan: must be a finite number$"):
        load_config("/dev/null", ["vtp.watchdog=nan"])


def test_set_validates_and_names_the_command_line():
    cfg = load_config("/dev/null")
    cfg.set("relay.max_subscribers", 7)
    assert cfg.get("relay.max_subscribers") == 7
    with pytest.raises(ConfigError, match=r"^command line: relay.max_subscribers = -5: must be >= 0$"):
        cfg.set("relay.max_subscribers", -5)
    assert cfg.get("relay.max_subscribers") == 7  # a refused value changes nothing


def test_malformed_and_non_utf8_files_give_the_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[station]\nname = "x"\n[vtp\nwatchdog = 5\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"bad.toml: line 3, column 5: Expected '\]' .* \(not valid TOML\)$"
    ):
        load_config(bad)
    bad.write_bytes(b'[station]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"bad.toml: line 2, column 12: not UTF-8 text \(byte 0xe9\)"):
        load_config(bad)
    assert math.isfinite(load_config("/dev/null").get("vtp.watchdog"))
