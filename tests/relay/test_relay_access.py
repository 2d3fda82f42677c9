"""Allow-lists, addresses and the relay's settings, as typed on the command line and in [relay]."""

from __future__ import annotations

import pytest

from gcnmon.cli import build_parser
from gcnmon.commands import relay as relay_cmd
from gcnmon.config import load_config
from gcnmon.relay.access import AllowList, split_list
from gcnmon.relay.service import split_address


def test_allow_list_matches_networks_and_single_hosts():
    allow = AllowList("127.0.0.1/32, 10.0.0.0/8,192.168.1.5")
    assert [allow(h) for h in ("127.0.0.1", "127.0.0.2", "10.200.3.4", "192.168.1.5", "192.168.1.6")] == [
        True, False, True, True, False]  # fmt: skip
    assert str(allow) == "127.0.0.1/32,10.0.0.0/8,192.168.1.5/32"


def test_allow_list_reads_ipv4_mapped_ipv6_and_never_allows_non_addresses():
    allow = AllowList(["10.0.0.0/8", "fd00::/8"])
    assert allow("::ffff:10.1.2.3") and allow("fd12::1")
    assert not allow("::ffff:11.1.2.3") and not allow("?") and not allow("") and not allow("localhost")


def test_empty_allow_list_allows_nobody():
    assert not AllowList("") and not AllowList(None)("127.0.0.1")
    assert str(AllowList([])) == "nobody"


def test_bad_network_is_a_one_line_value_error():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an address or network"):
        AllowList("127.0.0.1,10.0.0.0/33")


def test_split_list_takes_strings_and_lists():
    assert split_list(["a, b", "c"]) == ["a", "b", "c"] == split_list("a,b ,c,")


@pytest.mark.parametrize(("text", "expected"), [
    ("0.0.0.0:8099", ("0.0.0.0", 8099)), ("relay.lan", ("relay.lan", 8099)), ("[::1]:7", ("::1", 7)),
    ("::", ("::", 8099)), ("[::]", ("::", 8099))])  # fmt: skip
def test_split_address(text, expected):
    assert split_address(text, 8099) == expected


@pytest.mark.parametrize("text", ["host:port", "host:70000", ":8099", "[::1]x", "host"])
def test_split_address_refuses(text):
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        split_address(text)


def test_upstream_forms():
    assert relay_cmd.upstream_servers("Kafka") == "kafka" and relay_cmd.upstream_servers("none") == "none"
    assert relay_cmd.upstream_servers("vtp://a:1,b, vtp://c:3") == [("a", 1), ("b", 8099), ("c", 3)]
    with pytest.raises(ValueError, match="expected kafka, none or vtp://"):
        relay_cmd.upstream_servers("comet.example.org:8099")


def test_command_line_overrides_the_relay_section():
    args = build_parser().parse_args([
        "relay", "--upstream", "vtp://up:8099", "--listen", "127.0.0.1:9000", "--allow", "10.0.0.0/8",
        "--max-subscribers", "3", "--receive", "0.0.0.0", "--receive-allow", "10.1.0.0/16",
        "--kafka-bootstrap", "k:9092"])  # fmt: skip
    cfg = load_config(None, [])
    relay_cmd._apply_options(cfg, args)
    got = relay_cmd.relay_settings(cfg)
    assert got["upstream"] == [("up", 8099)] and got["listen"] == ("127.0.0.1", 9000)
    assert got["allow"]("10.9.9.9") and not got["allow"]("127.0.0.1")
    assert got["max_subscribers"] == 3 and got["receive"] == ("0.0.0.0", 8098)
    assert got["receive_allow"]("10.1.2.3") and not got["receive_allow"]("10.2.0.1")
    assert cfg.get("kafka.bootstrap") == "k:9092"


def test_defaults_are_safe():
    got = relay_cmd.relay_settings(load_config(None, []))
    assert got["upstream"] == "kafka" and got["listen"] == ("0.0.0.0", relay_cmd.DEFAULT_PORT)
    assert relay_cmd.DEFAULT_PORT == 8099
    assert str(got["allow"]) == "127.0.0.1/32" and got["receive"] is None  # the LAN must be added on purpose
    assert got["max_subscribers"] == 500 and got["queue_limit"] == 1000 and got["max_frame"] == 6 << 20


def test_bad_allow_list_exits_2_before_opening_anything(tmp_path, capsys):
    archive = str(tmp_path / "a.sqlite")
    args = build_parser().parse_args(["relay", "--allow", "everyone", "--archive", archive])
    assert relay_cmd.run(args) == 2
    assert ("gcnmon relay: command line: relay.allow = \"everyone\": 'everyone' is not an address or network"
            in capsys.readouterr().err)
    assert not (tmp_path / "a.sqlite").exists()


def test_workstation_proxy_subscribes_to_the_relay_default_port():
    from gcnmon.commands.run import apply_options, legacy_options

    for word, expected in (("Proxy=gateway", "gateway:8099"), ("Proxy=gateway:9001", "gateway:9001")):
        args = legacy_options(build_parser().parse_args(["run", word]))
        cfg = load_config(None, [])
        apply_options(cfg, args)
        assert cfg.get("sources.vtp") == [expected]


def test_systemd_unit_runs_a_valid_relay_command_line():
    from pathlib import Path

    unit = Path(__file__).parents[2] / "packaging" / "systemd" / "gcnmon-relay.service"
    exec_start = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
    program, *words = exec_start.removeprefix("ExecStart=").split()
    assert program.endswith("/gcnmon") and words[0] == "relay"
    args = build_parser().parse_args(words)
    cfg = load_config(None, [])
    relay_cmd._apply_options(cfg, args)
    got = relay_cmd.relay_settings(cfg)
    assert got["upstream"] == "kafka" and got["listen"] == ("0.0.0.0", 8099) and got["allow"]("10.1.1.1")
    assert "Restart=on-failure" in unit.read_text() and "StandardError=journal" in unit.read_text()
