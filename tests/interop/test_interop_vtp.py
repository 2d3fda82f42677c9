"""VTP interop with real peers: Comet broker -> gcnmon listen, gcnmon replay -> pygcn-listen,
pygcn-serve -> gcnmon listen. Subprocesses on 127.0.0.1 only, each with a timeout, always killed."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from comet_loopback import comet_command, free_port

from gcnmon.stream.vtp import messages

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent


def ivorn_of(path: Path) -> str:
    return messages.classify(path.read_bytes(), 1 << 20).ivorn


def accepting(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def env(tmp_path):
    """Keep every child's config, data and log folders inside tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "c"),
            "XDG_DATA_HOME": str(home / "d"), "XDG_STATE_HOME": str(home / "s"),
            "XDG_CACHE_HOME": str(home / "k"), "PYTHONUNBUFFERED": "1"}  # fmt: skip


def listen(spawn, venv_bin, tmp_path, env, port, *extra):
    argv = [venv_bin / "gcnmon", "listen", "--vtp", f"127.0.0.1:{port}", "--json", "--test",
            "--archive", tmp_path / "archive.sqlite", "--set", f"logbook.dir={tmp_path}", *extra]  # fmt: skip
    return spawn(argv, "listen", env=env, cwd=tmp_path)


def test_comet_broker_delivers_every_packet_to_gcnmon_listen(spawn, venv_bin, tmp_path, env, wait_until):
    files = sorted((HERE.parent / "data" / "aware").glob("*.xml"))[:5]  # VOEvent 2.0: Comet naks 1.1
    receive, broadcast = free_port(), free_port()
    (tmp_path / "eventdb").mkdir()
    comet = spawn(comet_command(sys.executable, receive_port=receive, broadcast_port=broadcast,
                                eventdb=tmp_path / "eventdb"), "comet", env=env)  # fmt: skip
    wait_until(lambda: accepting(receive) and accepting(broadcast), 20)
    listener = listen(spawn, venv_bin, tmp_path, env, broadcast)
    wait_until(lambda: "VTP connected to vtp://127.0.0.1" in listener.err(), 20)
    # One comet-sendvo per packet (it sends one file), all at once: their start-up is the slow part.
    senders = [spawn([venv_bin / "comet-sendvo", "-h", "127.0.0.1", "-p", receive, "-f", path],
                     f"send{i}", env=env)
               for i, path in enumerate(files)]  # fmt: skip
    assert [s.proc.wait(timeout=60) for s in senders] == [0] * len(files)
    expected = sorted(ivorn_of(p) for p in files)
    wait_until(lambda: len(json_lines(listener.out())) >= len(files), 30)
    got = json_lines(listener.out())
    assert sorted(n["ivorn"] for n in got) == expected  # every one, exactly once
    assert {n["source"] for n in got} == {f"vtp://127.0.0.1:{broadcast}"}
    # Comet counts our acks (sent after archiving) and saw nothing it could not understand.
    wait_until(lambda: comet.out().count("Ack received from") == len(files), 20)
    assert "Incomprehensible" not in comet.out() and "Nak received" not in comet.out()
    assert comet.proc.poll() is None and listener.proc.poll() is None


def test_gcnmon_replay_serves_pygcn_listen(spawn, venv_bin, tmp_path, env, wait_until):
    files = sorted((HERE.parent / "data" / "aware").glob("*.xml"))[:4]
    replay = spawn([venv_bin / "gcnmon", "replay", *files, "--port", "0", "--interval", "0"],
                   "replay", env=env)
    wait_until(lambda: "listening on vtp://127.0.0.1:" in replay.out(), 20)
    port = int(replay.out().split("vtp://127.0.0.1:")[1].split()[0])
    inbox = tmp_path / "pygcn"
    inbox.mkdir()
    # Always a host: with none, pygcn-listen dials NASA's retired server.
    spawn([venv_bin / "pygcn-listen", f"127.0.0.1:{port}"], "pygcn", env=env, cwd=inbox)
    assert replay.proc.wait(timeout=30) == 0
    assert f"sent {len(files)} packet(s), {len(files)} ack(s)" in replay.out()
    assert sorted(p.name for p in inbox.iterdir()) == sorted(quote_plus(ivorn_of(p)) for p in files)
    assert all((inbox / quote_plus(ivorn_of(p))).read_bytes() == p.read_bytes() for p in files)


def test_pygcn_serve_delivers_to_gcnmon_listen(spawn, venv_bin, tmp_path, env, wait_until):
    files = sorted((HERE.parent / "data" / "gcn-notice-parser").glob("fermi_gbm_*.xml"))[:3]
    port = free_port()
    # pygcn-serve repeats its files for ever and never reads our acks: the archive stores each once.
    spawn([venv_bin / "pygcn-serve", "--host", f"127.0.0.1:{port}", "-t", "0", *files], "serve", env=env)
    wait_until(lambda: accepting(port), 20)
    listener = listen(spawn, venv_bin, tmp_path, env, port)
    wait_until(lambda: len(json_lines(listener.out())) >= len(files), 30)
    got = json_lines(listener.out())
    assert sorted(n["ivorn"] for n in got) == sorted(ivorn_of(p) for p in files)


def test_comet_subscriber_acks_everything_gcnmon_replay_sends(spawn, venv_bin, tmp_path, env, wait_until):
    files = sorted((HERE.parent / "data" / "aware").glob("*.xml"))[:4]
    replay = spawn([venv_bin / "gcnmon", "replay", *files, "--port", "0", "--interval", "0"],
                   "replay", env=env)
    wait_until(lambda: "listening on vtp://127.0.0.1:" in replay.out(), 20)
    port = int(replay.out().split("vtp://127.0.0.1:")[1].split()[0])
    saved, eventdb = tmp_path / "saved", tmp_path / "eventdb"
    saved.mkdir(), eventdb.mkdir()
    # Comet answers our authenticate and acks each event, or it would not be counted below.
    spawn([sys.executable, HERE / "comet_loopback.py", f"--remote=127.0.0.1:{port}", f"--eventdb={eventdb}",
           "--save-event", f"--save-event-directory={saved}", "--verbose"], "comet", env=env)  # fmt: skip
    assert replay.proc.wait(timeout=30) == 0
    assert f"sent {len(files)} packet(s), {len(files)} ack(s)" in replay.out()
    wait_until(lambda: len(list(saved.iterdir())) == len(files), 10)
    assert sorted(p.read_bytes() for p in saved.iterdir()) == sorted(p.read_bytes() for p in files)
