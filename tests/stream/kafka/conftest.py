"""Fixtures for the Kafka tests: a fresh mock cluster per test."""

from __future__ import annotations

import pytest
from kafka_mock import MockCluster


@pytest.fixture
def cluster():
    mock = MockCluster()
    yield mock
    mock.close()
