"""The librdkafka/gcn-kafka settings of gcnmon's consumer, from the ``[kafka]`` table.

Two defaults carry the no-loss recipe of gcn-kafka's README and GCN's docs: a group that never
committed on a topic starts at the earliest retained message (a rare stream's notice published
while gcnmon was down is read when it starts), and the group id names the station and the host,
so two workstations of one telescope never share a group (in one group, a one-partition topic
reaches only one member). Commits are ours, made once the archive holds the notice.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Mapping
from typing import Any

from .credentials import kafka_credentials

__all__ = ["consumer_config", "group_id", "LIBRDKAFKA_LOG"]


class _OnlyWhenDebugging(logging.Filter):
    """librdkafka logs every failed reconnect; ``error_cb`` already gave the one clear line. Show its
    own chatter only with ``-vv``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return logging.getLogger("gcnmon").isEnabledFor(logging.DEBUG)


LIBRDKAFKA_LOG = logging.getLogger("gcnmon.stream.kafka.librdkafka")
LIBRDKAFKA_LOG.addFilter(_OnlyWhenDebugging())


def consumer_config(section: Mapping[str, Any], station: str = "gcnmon") -> tuple[dict, dict]:
    """``(config, gcn_kafka keyword arguments)`` for ``gcn_kafka.Consumer``; holds the secret: never log."""
    # After a crash the group waits this long for the dead member before the restarted one gets the
    # partitions; librdkafka's 45 s default is long for an observer waiting on a restart.
    from ..config import with_defaults

    section = with_defaults("kafka", section)  # a validated [kafka] already has them all; tests pass parts
    session_ms = section["session_timeout_ms"]
    config = {
        "logger": LIBRDKAFKA_LOG,
        "group.id": group_id(section, station),
        "enable.auto.commit": False,  # we commit after the archive has the notice
        "auto.offset.reset": section["offset_reset"],
        "session.timeout.ms": session_ms,
        "heartbeat.interval.ms": max(100, session_ms // 3),
        # GCN's brokers carry messages up to ~4 MiB (gcnmon.limits): fetch one whole at the first try.
        "fetch.message.max.bytes": 8 << 20,
    }
    if section.get("fetch_wait_max_ms"):  # brokers that do not answer a fetch early (librdkafka's mock)
        config["fetch.wait.max.ms"] = int(section["fetch_wait_max_ms"])
    if section.get("bootstrap"):
        # A self-hosted mirror or a test broker: plaintext, no credentials (gcn-kafka would otherwise
        # default to NASA's cluster and SASL/OIDC).
        config.update({"bootstrap.servers": section["bootstrap"], "security.protocol": "plaintext"})
        return config, {}
    client_id, secret = kafka_credentials(section)
    return config, {"client_id": client_id, "client_secret": secret,
                    "domain": section["domain"]}


def group_id(section: Mapping[str, Any], station: str, host: str | None = None) -> str:
    """``[kafka] group_id``, else ``<client id>-gcnmon-<station>-<host>`` (``gcnmon-<station>-<host>``)."""
    if section.get("group_id"):
        return str(section["group_id"])
    client_id, _ = kafka_credentials(section) if not section.get("bootstrap") else (None, None)
    host = host if host is not None else _short_host()
    name = f"gcnmon-{station}-{host}" if host else f"gcnmon-{station}"
    return f"{client_id}-{name}" if client_id else name


def _short_host() -> str:
    """This machine's name without its domain, in characters a group id may hold."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname().partition(".")[0])
