"""Fixtures for the relay tests: no user config, an archive and intake in tmp_path, payloads."""

from __future__ import annotations

import os

import pytest

from gcnmon.intake import Intake


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)


@pytest.fixture
def intake(archive):
    return Intake(archive)


@pytest.fixture
def voevents(data_file):
    """The eight VOEvent 2.0 packets of tests/data/aware, raw bytes, distinct IVORNs."""
    return [p.read_bytes() for p in sorted(data_file("aware").glob("*.xml"))]
