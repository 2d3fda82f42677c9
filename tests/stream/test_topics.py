"""The topic catalogue: GCN's real stream names, the shipped topics from it, every rule's stream read."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tomllib

from gcnmon.config import load_config
from gcnmon.notice.packet_types import PacketType
from gcnmon.policy import policy_from_config
from gcnmon.resources import resource
from gcnmon.stream.topics import catalogue, default_topics, find


def shipped_topics() -> list[str]:
    return list(load_config(None, []).get("kafka.topics"))


def test_every_shipped_topic_is_in_the_catalogue_and_none_is_archival():
    topics = shipped_topics()
    assert topics == default_topics() and len(topics) == len(set(topics))
    for name in topics:
        assert find(name) is not None, name
        assert find(name).status != "archival", name
    # config/gcnmon.toml lists the same, for people reading it
    toml = tomllib.loads(resource("config", "gcnmon.toml").read_text(encoding="utf-8"))
    assert toml["kafka"]["topics"] == topics


def test_the_streams_issue_11_found_missing_are_read():
    # Names as GCN's site writes them (news, mission pages, the topic picker).
    wanted = ["gcn.classic.voevent.GRB_CNTRPART", "gcn.classic.voevent.SWIFT_BAT_QL_POS",
              "gcn.notices.swift.bat.guano", "gcn.notices.icecube.gold_bronze_track_alerts",
              "gcn.notices.icecube.lvk_nu_track_search", "gcn.notices.maxi.gsc.unknown",
              "gcn.notices.km3net.alert", "gcn.notices.chime.frb", "gcn.notices.dsa110.frb",
              "gcn.notices.superk.sn_alert", "gcn.notices.einstein_probe.wxt.alert", "igwn.gwalert",
              "gcn.notices.svom.voevent.eclairs", "gcn.notices.svom.voevent.mxt",
              "gcn.notices.svom.voevent.vt",
              "gcn.heartbeat"]  # fmt: skip
    topics = shipped_topics()
    assert [name for name in wanted if name not in topics] == []
    assert find("gcn.classic.voevent.GRB_COUNTERPART") is None  # never existed


def test_retired_streams_are_catalogued_but_off():
    for name in ("gcn.classic.voevent.INTEGRAL_WEAK", "gcn.classic.voevent.AGILE_MCAL_ALERT",
                 "gcn.classic.voevent.LVC_PRELIMINARY", "gcn.classic.voevent.LVC_RETRACTION"):
        topic = find(name)
        assert topic.status == "archival" and not topic.read and name not in shipped_topics(), name


def test_every_entry_says_where_its_status_comes_from():
    for topic in catalogue():
        assert topic.format in ("voevent", "json") and topic.mission and len(topic.source) > 20, topic.name
        if topic.notice_type:  # gcn.classic.voevent.<TYPE>: a real GCN packet type name
            assert topic.notice_type in PacketType.__members__, topic.name


def _reads(rule, topics) -> bool:
    """Is a stream that can carry notices matched by ``rule`` among ``topics``?"""
    if rule.packet_type:
        names = {f"gcn.classic.voevent.{PacketType(t).name}" for t in rule.packet_type}
        return bool(names & set(topics))  # each type checked on its own below

    def matches(patterns, value):
        return not patterns or (value is not None and
                                any(fnmatch.fnmatchcase(value.lower(), p) for p in patterns))

    return any(matches(rule.mission, find(t).mission) and
               (not rule.instrument or matches(rule.instrument, find(t).instrument)) for t in topics)


def test_every_act_and_inform_rule_reads_a_shipped_stream():
    topics = shipped_topics()
    policy = policy_from_config(load_config(None, []))
    for group in policy.groups:
        if group.action == "ignore":
            continue
        for rule in group.rules:
            assert _reads(rule, topics), f"{group.name}: {rule.label} matches no stream of [kafka] topics"
            for packet_type in rule.packet_type:  # every packet type a rule names has its topic read
                name = f"gcn.classic.voevent.{PacketType(packet_type).name}"
                assert name in topics, f"{group.name}: {rule.label}: {name} is not read"


def test_topics_command_lists_the_catalogue():
    out = subprocess.run([sys.executable, "-m", "gcnmon", "topics", "--json"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["name"] for r in rows] == [t.name for t in catalogue()]
    assert {r["name"] for r in rows if r["read"]} == set(default_topics())
    text = subprocess.run([sys.executable, "-m", "gcnmon", "topics", "--status", "archival"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "gcn.classic.voevent.INTEGRAL_WEAK" in text and "igwn.gwalert" not in text
