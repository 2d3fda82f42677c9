"""Loopback SMTP and HTTP servers for the notification tests."""

from __future__ import annotations

import pytest
from loopback_servers import SmtpServer, WebhookServer


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture
def webhook():
    servers = []

    def make(fail: int = 0) -> WebhookServer:
        servers.append(WebhookServer(fail))
        return servers[-1]

    yield make
    for server in servers:
        server.close()
