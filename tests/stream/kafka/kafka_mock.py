"""librdkafka's mock Kafka cluster, driven through its C API (ctypes) so tests can take it down and up.

``{"test.mock.num.brokers": 1}`` on a Producer gives the same in-process broker, but Python cannot
reach the cluster behind it. Here the cluster is made with ``rd_kafka_mock_cluster_new`` on a handle
of our own, from the very librdkafka that confluent-kafka loaded, which adds what the tests need:
``broker_down()``/``broker_up()`` (``rd_kafka_mock_broker_set_down/up``: the broker refuses
connections while down) and a zero group rebalance delay, so ``subscribe()`` joins in milliseconds
instead of the mock's default 3 s.
"""

from __future__ import annotations

import ctypes
import glob
import os

import confluent_kafka

__all__ = ["MockCluster"]

_VP, _I32 = ctypes.c_void_p, ctypes.c_int32
_SIGNATURES = {
    "rd_kafka_conf_new": (_VP, []),
    "rd_kafka_new": (_VP, [ctypes.c_int, _VP, ctypes.c_char_p, ctypes.c_size_t]),
    "rd_kafka_destroy": (None, [_VP]),
    "rd_kafka_mock_cluster_new": (_VP, [_VP, ctypes.c_int]),
    "rd_kafka_mock_cluster_destroy": (None, [_VP]),
    "rd_kafka_mock_cluster_bootstraps": (ctypes.c_char_p, [_VP]),
    "rd_kafka_mock_broker_set_down": (ctypes.c_int, [_VP, _I32]),
    "rd_kafka_mock_broker_set_up": (ctypes.c_int, [_VP, _I32]),
    "rd_kafka_mock_group_initial_rebalance_delay_ms": (None, [_VP, _I32]),
    "rd_kafka_mock_topic_create": (ctypes.c_int, [_VP, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]),
}


def _librdkafka() -> ctypes.CDLL:
    libs = os.path.join(os.path.dirname(confluent_kafka.__file__), os.pardir, "confluent_kafka.libs")
    found = glob.glob(os.path.join(libs, "librdkafka*.so*")) or ["librdkafka.so.1"]
    lib = ctypes.CDLL(found[0])  # already loaded by confluent_kafka: the same library, not a copy
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


class MockCluster:
    """A one-broker Kafka cluster on 127.0.0.1 (random port) with a producer to publish into it."""

    def __init__(self, partitions: int = 1):
        self._lib = _librdkafka()
        err = ctypes.create_string_buffer(512)
        self._rk = self._lib.rd_kafka_new(0, self._lib.rd_kafka_conf_new(), err, len(err))
        if not self._rk:
            raise RuntimeError(err.value.decode())
        self._mc = self._lib.rd_kafka_mock_cluster_new(self._rk, 1)
        self._lib.rd_kafka_mock_group_initial_rebalance_delay_ms(self._mc, 0)
        self.bootstrap = self._lib.rd_kafka_mock_cluster_bootstraps(self._mc).decode()
        self.partitions = partitions
        self.topics: set[str] = set()
        self.producer = confluent_kafka.Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 0})

    def create_topic(self, topic: str) -> None:
        """Create ``topic`` with ``partitions`` partitions (auto-created ones would get the mock's 4)."""
        if topic not in self.topics:
            self._lib.rd_kafka_mock_topic_create(self._mc, topic.encode(), self.partitions, 1)
            self.topics.add(topic)

    def publish(self, topic: str, payloads, flush: bool = True) -> None:
        self.create_topic(topic)
        for payload in payloads:
            self.producer.produce(topic, payload)
            self.producer.poll(0)
        if flush:
            assert self.producer.flush(10) == 0, "mock cluster did not take every message"

    def broker_down(self) -> None:
        self._lib.rd_kafka_mock_broker_set_down(self._mc, 1)

    def broker_up(self) -> None:
        self._lib.rd_kafka_mock_broker_set_up(self._mc, 1)

    def close(self) -> None:
        if self._mc:
            self.producer.flush(5)
            del self.producer
            self._lib.rd_kafka_mock_cluster_destroy(self._mc)
            self._lib.rd_kafka_destroy(self._rk)
            self._mc = self._rk = None
