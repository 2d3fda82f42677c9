"""Fixtures for the TCS driver tests: simulators on 127.0.0.1:0 and drivers pointed at them."""

from __future__ import annotations

import pytest
from tcs_support import DRIVERS, SLEWER

from tcs_drivers.sim import start_simulator


@pytest.fixture
def sims(wait_for):
    """``start(kind, **kwargs)`` starts a simulator; all are stopped after the test."""
    started = []

    def start(kind, **kwargs):
        sim = start_simulator(kind, 0, "127.0.0.1", **kwargs)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        wait_for(sim.stop(), 5)


@pytest.fixture
def driver_for():
    """``driver_for(sim, account, **kwargs)``: the matching driver aimed at ``sim``."""

    def make(sim, account=None, **kwargs):
        user, password = account or SLEWER[sim.kind]
        url = sim.url if sim.kind == "zeiss" else sim.base_url  # both forms must work
        kwargs.setdefault("timeout", 5.0)
        return DRIVERS[sim.kind](url, user=user, password=password, **kwargs)

    return make
