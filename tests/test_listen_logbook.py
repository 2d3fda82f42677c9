"""The observatory log-book line and writer."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

import pytest

from gcnmon.logbook import LogBook, describe, error_text, format_line, sexagesimal_dec, sexagesimal_ra, stamp
from gcnmon.notice import Notice, parse

WHEN = 1415866320.0  # 2014-11-13 08:12:00 UTC


def test_sao_example_line():
    notice = Notice(ivorn="ivo://nasa.gsfc.gcn/INTEGRAL#Weak_6808", role="observation", raw=b"",
                    mission="INTEGRAL", packet_type=56, trigger_id="6808", significance=6.44,
                    ra=285.7597083, dec=8.5316111, error_radius=3.666 / 60,
                    time=datetime(2014, 11, 13, 8, 11, 55, 800000, tzinfo=UTC))
    assert format_line(notice, WHEN) == (
        f"{time.strftime('%a %b %d %H:%M:%S %Y', time.localtime(WHEN))} INTEGRAL(Weak) GRB Position "
        "(6.44sigma) trigger: ID=6808 RA=19:03:02.33 Dec=+08:31:53.8, ErrBox=3.666' at 2014-11-13 08:11:55.8")


@pytest.mark.parametrize("ra, text", [(0.0, "00:00:00.00"), (359.99999999, "00:00:00.00"),
                                      (285.7597083, "19:03:02.33"), (15.0, "01:00:00.00")])
def test_ra(ra, text):
    assert sexagesimal_ra(ra) == text


@pytest.mark.parametrize("dec, text", [(-0.5, "-00:30:00.0"), (8.5316111, "+08:31:53.8"),
                                       (-89.99999999, "-90:00:00.0"), (45.999999, "+46:00:00.0")])
def test_dec(dec, text):
    assert sexagesimal_dec(dec) == text


def test_error_units():
    assert error_text(3.666 / 60) == "3.666'"
    assert error_text(3.5 / 3600) == '3.50"'


def test_real_packets(data_file):
    xrt = parse(data_file("aware/xrt_alert_1165948.xml").read_bytes())
    assert describe(xrt).startswith("Swift(XRT) Position") and 'ErrBox=' in describe(xrt)
    assert describe(xrt).split("ErrBox=")[1].split()[0].endswith('"')
    gbm = parse(data_file("aware/gbm_alert.xml").read_bytes())
    assert "no position" in describe(gbm) and describe(gbm).startswith("Fermi(GBM) Alert")
    assert describe(dataclasses.replace(gbm, is_test=True)).startswith("TEST Fermi(GBM)")


def test_logbook_writes_flushed_lines(tmp_path, data_file):
    book = LogBook(tmp_path / "logs" / "gcn_client_BTA.log")
    notice = parse(data_file("aware/bat_alert_grb230228a.xml").read_bytes())
    book.write_notice(notice, WHEN)
    book.write("observer: slew sent\nto TCS", WHEN + 60)
    lines = book.path.read_text().splitlines()  # readable before close: line-flushed
    assert lines == [format_line(notice, WHEN), f"{stamp(WHEN + 60)} observer: slew sent to TCS"]
    book.close()


def test_logbook_unwritable_logs_and_goes_on(tmp_path, caplog):
    (tmp_path / "file").write_text("")
    LogBook(tmp_path / "file" / "gcn_client_BTA.log").write("x", WHEN)
    assert "cannot write" in caplog.text
