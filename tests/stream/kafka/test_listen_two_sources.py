"""``gcnmon listen`` on VTP and Kafka at once: one notice from both is printed once; faults; history."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from listen_helpers import Listener, gcnmon_env
from twisted.internet import reactor

from gcnmon.stream.vtp.broker import BrokerFactory

pytestmark = pytest.mark.interop

TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
BAT = "aware/bat_alert_grb230228a.xml"


@pytest.fixture
def broker():
    factory = BrokerFactory("ivo://gcnmon/test-broker")
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    yield factory, port.getHost().port
    port.stopListening()


def _history(tmp_path, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "gcnmon", "history", "--archive",
                           str(tmp_path / "archive.sqlite"), *args], env=gcnmon_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_same_ivorn_from_vtp_and_kafka_printed_once(tmp_path, cluster, broker, data_file, wait_for,
                                                    wait_until):
    factory, port = broker
    raw = data_file(BAT).read_bytes()
    cluster.create_topic(TOPIC)
    listener = Listener(tmp_path, "listen", "--vtp", f"127.0.0.1:{port}", "--kafka-bootstrap",
                        cluster.bootstrap, "--kafka-topic", TOPIC,
                        "--archive", str(tmp_path / "archive.sqlite"),
                        "--set", "kafka.offset_reset=earliest", "--set", "kafka.poll_interval=0.05")
    try:
        wait_for(factory.wait_for_subscribers(1), 30)
        assert wait_for(factory.broadcast(raw), 10) == 1  # acked: archived
        cluster.publish(TOPIC, [raw])
        wait_until(lambda: listener.logged("duplicate ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1156572-727 "
                                           f"from kafka:{TOPIC}"), 30)
        # (VTP refuses unreadable XML in its transport layer; over Kafka it reaches the archive's rejects.)
        cluster.publish(TOPIC, [b"<VOEvent garbage"])
        wait_until(lambda: listener.logged(f"rejected packet from kafka:{TOPIC}"), 10)
        assert listener.terminate() == 0
    finally:
        listener.close()
    assert len(listener.out) == 1 and "Swift(BAT) GRB Position" in listener.out[0]
    assert (tmp_path / "logs" / "gcn_client_BTA.log").read_text().splitlines() == listener.out

    [obj] = [json.loads(line) for line in _history(tmp_path, "--json").splitlines()]
    assert (obj["source"], obj["duplicates"], obj["trigger_id"]) == (f"vtp://127.0.0.1:{port}", 1, "1156572")
    text = _history(tmp_path, "--since", "-1h", "--search", "BAT")
    assert text.startswith(listener.out[0]) and f"[vtp://127.0.0.1:{port}, +1 duplicate(s)]" in text
    assert _history(tmp_path, "--search", "nothing like it") == ""
    assert "malformed XML" in _history(tmp_path, "--rejects")


def test_unwritable_archive_shown_at_once_acknowledged_once_written(tmp_path, broker, data_file, wait_for,
                                                                   wait_until):
    factory, port = broker
    blocker = tmp_path / "data"
    blocker.write_text("a file where the archive folder should be")
    listener = Listener(tmp_path, "listen", "--vtp", f"127.0.0.1:{port}", "--archive",
                        str(blocker / "archive.sqlite"), "--set", "vtp.backoff_initial=0.1")
    try:
        wait_for(factory.wait_for_subscribers(1), 30)
        assert listener.logged("is not writable") and listener.logged("held in memory (not acknowledged)")
        first = factory.broadcast(data_file(BAT).read_bytes())
        wait_until(lambda: len(listener.out) == 1, 10)  # printed at once: the alert before the archive
        assert listener.logged("shown, held in memory until it can (1 waiting)")
        assert listener.proc.poll() is None and factory.acks == 0 and not first.called
        blocker.unlink()
        # Same connection (no nak, so no drop); the next packet writes the held one first, then itself.
        factory.broadcast(data_file("aware/xrt_alert_1165948.xml").read_bytes())
        wait_until(lambda: len(listener.out) == 2 and factory.acks == 2, 10)
        assert first.called and listener.logged("1 held packet(s) written in arrival order")
        assert listener.terminate() == 0
    finally:
        listener.close()
