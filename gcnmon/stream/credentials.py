"""GCN Kafka client credentials: the environment, then the config file, then the system keyring."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

__all__ = ["KEYRING_SERVICE", "ENV_ID", "ENV_SECRET", "kafka_credentials"]

log = logging.getLogger(__name__)

KEYRING_SERVICE = "gcnmon-kafka"
ENV_ID = "GCNMON_KAFKA_CLIENT_ID"
ENV_SECRET = "GCNMON_KAFKA_CLIENT_SECRET"


def _from_keyring(client_id: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, client_id)
    except Exception as exc:  # no backend, locked wallet, D-Bus gone: all mean "not there"
        log.info("no Kafka secret from the system keyring (%s)", type(exc).__name__)
        return None


def kafka_credentials(section: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(client_id, client_secret)``; either may be None. The secret is never logged.

    The environment wins over the file (so a service unit can override it); the keyring is asked
    only for a secret the environment and the file do not hold (``keyring set gcnmon-kafka <id>``).
    """
    client_id = os.environ.get(ENV_ID) or section.get("client_id") or None
    secret = os.environ.get(ENV_SECRET) or section.get("client_secret") or None
    if client_id and not secret:
        secret = _from_keyring(client_id)
    return client_id, secret
