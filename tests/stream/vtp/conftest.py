"""Fixtures for the VTP tests."""

from __future__ import annotations

import pytest
from vtp_helpers import Wired


@pytest.fixture
def wired():
    w = Wired()
    yield w
    if w.proto.timeOut is not None:
        w.proto.setTimeout(None)


@pytest.fixture
def voevent(data_file):
    return data_file("aware/bat_alert_grb230228a.xml").read_bytes()
