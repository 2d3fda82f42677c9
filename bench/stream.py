"""Publish-to-archived latency (p50/p99) through VTP and GCN Kafka, with pygcn on the same VTP server.

One process, one reactor: a gcnmon VTP broker (``gcnmon.stream.vtp.broker``) on 127.0.0.1, our
subscriber service and intake (parse -> SQLite archive, synchronous=FULL) on it, and pygcn's
``gcn.voeventclient.listen`` in a thread on the same broker; then librdkafka's mock cluster with our
``KafkaSource``. Notices are sent one at a time (the next when the previous is archived) so each
figure is a latency, not a queue. Every packet is a real BAT VOEvent with its own IVORN.

    .venv/bin/python bench/stream.py [--count 10000]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "stream" / "kafka"))  # the mock-cluster helper

from twisted.internet import reactor, threads  # noqa: E402

from gcnmon.archive import Archive  # noqa: E402
from gcnmon.intake import Intake  # noqa: E402
from gcnmon.stream.kafka import KafkaSource  # noqa: E402
from gcnmon.stream.link import LinkState  # noqa: E402
from gcnmon.stream.vtp.broker import BrokerFactory  # noqa: E402
from gcnmon.stream.vtp.subscriber import make_subscriber_service  # noqa: E402

__all__ = ["main"]

TEMPLATE = (ROOT / "tests" / "data" / "aware" / "bat_alert_grb230228a.xml").read_bytes()
IVORN = b"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1156572-727"
TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"


def packets(tag: str, count: int) -> list[bytes]:
    return [TEMPLATE.replace(IVORN, IVORN + f"-{tag}{i}".encode()) for i in range(count)]


def figures(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (f"{name:<34} n={len(ms):>6}  p50={statistics.median(ms):7.2f} ms  p99={p99:7.2f} ms  "
            f"max={ms[-1]:7.2f} ms")


class Timed:
    """``on_packet`` wrapper: archive through the intake, note when each IVORN was archived."""

    def __init__(self, intake: Intake):
        self.intake, self.done, self.event = intake, {}, threading.Event()

    def __call__(self, data: bytes, source: str):
        notice = self.intake.receive(data, source)
        self.done[notice.ivorn] = time.perf_counter()
        self.event.set()
        return notice


def _timed(path: Path) -> Timed:
    # SQLite connections belong to one thread: open the archive on the reactor's, where it is used.
    return threads.blockingCallFromThread(reactor, lambda: Timed(Intake(Archive(path))))


def vtp_run(count: int, workdir: Path) -> None:
    factory = BrokerFactory("ivo://gcnmon/bench")
    port = reactor.listenTCP(0, factory, interface="127.0.0.1").getHost().port
    timed = _timed(workdir / "vtp.sqlite")
    service = make_subscriber_service([("127.0.0.1", port)], timed, link=LinkState("vtp"),
                                      local_ivorn="ivo://gcnmon/bench-sub")
    reactor.callFromThread(service.startService)
    pygcn_seen: dict[str, float] = {}
    threading.Thread(target=_pygcn, args=(port, pygcn_seen), daemon=True).start()
    threads.blockingCallFromThread(reactor, factory.wait_for_subscribers, 2)
    sent: dict[str, float] = {}
    for i, payload in enumerate(packets("vtp", count)):
        sent[(IVORN + f"-vtp{i}".encode()).decode()] = time.perf_counter()
        acks = threads.blockingCallFromThread(reactor, factory.broadcast, payload)
        assert acks == 2, f"packet {i}: {acks} acks"
    ours = [timed.done[k] - t for k, t in sent.items()]
    theirs = [pygcn_seen[k] - t for k, t in sent.items() if k in pygcn_seen]
    print(figures("VTP -> gcnmon archived", ours))
    print(figures("VTP -> pygcn handler (no archive)", theirs))
    reactor.callFromThread(service.stopService)


def _pygcn(port: int, seen: dict) -> None:
    import gcn.voeventclient

    def handler(payload, root):
        seen[root.attrib["ivorn"]] = time.perf_counter()

    gcn.voeventclient.listen(host="127.0.0.1", port=port, handler=handler,
                             log=logging.getLogger("pygcn"))


def kafka_run(count: int, workdir: Path) -> None:
    from kafka_mock import MockCluster

    cluster = MockCluster()
    cluster.create_topic(TOPIC)
    timed = _timed(workdir / "kafka.sqlite")
    source = KafkaSource({"bootstrap": cluster.bootstrap, "topics": [TOPIC], "group_id": "bench",
                          "offset_reset": "earliest", "poll_interval": 0.01,
                          "fetch_wait_max_ms": 5}, timed,
                         link=LinkState("kafka"), reactor=reactor)
    source.start()
    latencies = []
    for i, payload in enumerate(packets("kafka", count)):
        ivorn = (IVORN + f"-kafka{i}".encode()).decode()
        timed.event.clear()
        start = time.perf_counter()
        cluster.publish(TOPIC, [payload], flush=False)
        cluster.producer.flush(10)
        while ivorn not in timed.done:
            timed.event.wait(10)
            timed.event.clear()
        latencies.append(timed.done[ivorn] - start)
    print(figures("Kafka (mock cluster) -> archived", latencies))
    print("  (fetch.wait.max.ms=5: the mock broker holds every fetch for the full wait; real brokers answer")
    print("   a waiting fetch as soon as a message arrives)")
    threads.blockingCallFromThread(reactor, source.stop)
    cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    workdir = Path(tempfile.mkdtemp(prefix="gcnmon-bench-"))

    def drive():
        try:
            vtp_run(args.count, workdir)
            kafka_run(args.count, workdir)
        finally:
            reactor.callFromThread(reactor.stop)

    reactor.callInThread(drive)
    print(f"{args.count} notices each way, one at a time; archive in {workdir}")
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
