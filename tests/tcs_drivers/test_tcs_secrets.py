"""No password reaches a log record: Python logging (caplog at DEBUG, every logger) and Twisted's log,
over logins, sends, slews, refusals and faults of every driver and simulator."""

from __future__ import annotations

import base64
import logging

import pytest
from tcs_support import HIGH, LOW
from twisted.logger import globalLogPublisher

from tcs_drivers.sim import Account

PASSWORDS = {"zeiss": ("pw-zeiss-send-51", "pw-zeiss-slew-52"), "bta": ("pw-bta-send-53", "pw-bta-slew-54")}


def _accounts(kind):
    send, slew = PASSWORDS[kind]
    user = kind == "zeiss"
    return [Account("observer" if user else "", send, 2), Account("astronomer" if user else "", slew, 4)]


# XML-RPC is POST only; the BTA CGI may be asked over GET too, the password then in the query string.
@pytest.mark.parametrize("kind, method", [("zeiss", "POST"), ("bta", "POST"), ("bta", "GET")])
def test_no_password_in_any_log_record(kind, method, sims, driver_for, wait_for, caplog):
    caplog.set_level(logging.DEBUG)
    twisted_events = []
    globalLogPublisher.addObserver(twisted_events.append)
    try:
        sim = sims(kind, accounts=_accounts(kind))
        users = ("observer", "astronomer") if kind == "zeiss" else ("", "")
        options = {"http_method": method} if kind == "bta" else {}
        for user, password in zip(users, PASSWORDS[kind], strict=True):
            driver = driver_for(sim, (user, password), options=options)
            wait_for(driver.connect())
            wait_for(driver.send_and_slew(**HIGH))
            wait_for(driver.send_coordinates(**LOW))
        wait_for(driver_for(sim, (users[0], PASSWORDS[kind][0] + "-wrong"), options=options).connect())
        sim.telescope.fault = "garbage"
        wait_for(driver_for(sim, (users[1], PASSWORDS[kind][1]), options=options).connect())
    finally:
        globalLogPublisher.removeObserver(twisted_events.append)
    assert len(sim.telescope.commands) >= 4 and caplog.records
    texts = [r.getMessage() + repr(r.args) + (r.exc_text or "") for r in caplog.records]
    texts += [repr(event) for event in twisted_events]
    for password in PASSWORDS[kind]:
        assert not [t for t in texts if password in t]


def test_url_credentials_become_basic_auth():
    from tcs_drivers.http import _credentials

    url, header = _credentials("http://astro:p%40ss@tcs.example:8080/cgi-bin/bta_send.cgi")
    assert url == "http://tcs.example:8080/cgi-bin/bta_send.cgi"
    assert header == b"Basic " + base64.b64encode(b"astro:p@ss")
    assert _credentials("http://tcs.example:8080") == ("http://tcs.example:8080", None)
