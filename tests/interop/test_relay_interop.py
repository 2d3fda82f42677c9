"""`gcnmon relay` between real peers: Comet broker (fed by comet-sendvo) -> relay -> pygcn-listen and a
Comet subscriber. Every process on 127.0.0.1, each wait bounded, all killed at teardown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from comet_loopback import comet_command, free_port
from listen_helpers import gcnmon_env
from relay_interop_helpers import RelayPeers, accepting, ivorn_of

from gcnmon.archive import Archive
from gcnmon.notice import parse, wrap_json

pytestmark = pytest.mark.interop

DATA = Path(__file__).parent.parent / "data"


def test_relay_behind_comet_serves_pygcn_and_comet_every_notice(spawn, venv_bin, tmp_path, wait_until):
    files = sorted((DATA / "aware").glob("*.xml"))  # VOEvent 2.0: Comet naks 1.1 (and a nak drops a peer)
    # A JSON notice in its envelope, as a relay upstream sends it: Comet's receiver validates it (schema,
    # IVOID) and passes it on, and our relay sends it on byte for byte but archives the original JSON.
    gw_json = (DATA / "json" / "igwn_preliminary.json").read_bytes()
    (tmp_path / "envelope.xml").write_bytes(wrap_json(parse(gw_json)))
    files.append(tmp_path / "envelope.xml")
    env = gcnmon_env(tmp_path)
    receive, broadcast = free_port(), free_port()
    (tmp_path / "eventdb").mkdir()
    comet = spawn(comet_command(sys.executable, receive_port=receive, broadcast_port=broadcast,
                                eventdb=tmp_path / "eventdb"), "comet-broker", env=env)  # fmt: skip
    wait_until(lambda: accepting(receive) and accepting(broadcast), 20)
    peers = RelayPeers(spawn, venv_bin, tmp_path, env, wait_until)
    relay = peers.start_relay("--upstream", f"vtp://127.0.0.1:{broadcast}")
    wait_until(lambda: f"VTP connected to vtp://127.0.0.1:{broadcast}" in relay.err(), 20)
    peers.subscribe_pygcn_and_comet()
    for path in files:
        subprocess.run([venv_bin / "comet-sendvo", "-h", "127.0.0.1", "-p", str(receive), "-f", path],
                       check=True, timeout=30, capture_output=True, env=env)  # fmt: skip
    peers.assert_every_notice(files)
    # The relay acked every event upstream (after archiving it) and archived each once.
    wait_until(lambda: comet.out().count("Ack received from") == len(files), 20)
    assert "Nak received" not in comet.out()
    archive = Archive(tmp_path / "relay.sqlite")
    try:
        assert sorted(r.ivorn for r in archive.recent(100)) == sorted(ivorn_of(p) for p in files)
        assert {r.ivorn: r.raw for r in archive.recent(100)}[parse(gw_json).ivorn] == gw_json
    finally:
        archive.close()
    assert peers.stop_relay() == 0
    assert "relay stopped: 9 relayed, 0 duplicate(s), 0 JSON in envelopes" in relay.err()


def test_relay_receive_port_takes_comet_sendvo_and_refuses_garbage(spawn, venv_bin, tmp_path, wait_until):
    files = sorted((DATA / "aware").glob("*.xml"))[:3]
    env = gcnmon_env(tmp_path)
    peers = RelayPeers(spawn, venv_bin, tmp_path, env, wait_until)
    relay = peers.start_relay("--upstream", "none", "--receive", "127.0.0.1:0",
                              "--receive-allow", "127.0.0.1")
    wait_until(lambda: "receiving on vtp://127.0.0.1:" in relay.out(), 20)  # printed just after "listening"
    receive = int(relay.out().split("receiving on vtp://127.0.0.1:")[1].split()[0])
    peers.subscribe_pygcn_and_comet()
    for path in files:
        subprocess.run([venv_bin / "comet-sendvo", "-h", "127.0.0.1", "-p", str(receive), "-f", path],
                       check=True, timeout=30, capture_output=True, env=env)  # fmt: skip
    peers.assert_every_notice(files)
    garbage = tmp_path / "garbage.xml"
    # Well-formed (comet-sendvo parses it before sending) but without an ivorn.
    garbage.write_bytes(b'<VOEvent role="observation" version="2.0"/>')
    sent = subprocess.run([venv_bin / "comet-sendvo", "-h", "127.0.0.1", "-p", str(receive), "-f", garbage],
                          timeout=30, capture_output=True, env=env, text=True)  # fmt: skip
    assert "Nak received" in sent.stdout + sent.stderr
    assert "refused a frame: VOEvent has no ivorn" in relay.err()
    assert peers.stop_relay() == 0
