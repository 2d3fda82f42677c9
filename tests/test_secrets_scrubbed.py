"""A password typed into a URL never reaches stdout, stderr, the log or the log book.

Commands run as a user runs them (subprocess, fresh HOME, a config file holding such URLs); afterwards
every byte they printed and every file they wrote is searched for the password.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from listen_helpers import Listener, gcnmon_env

from gcnmon import scrub as scrubbing
from gcnmon.logbook import LogBook

SECRET = "Zq7hunter2pw"  # distinctive: found nowhere else


def test_scrub_masks_url_passwords_with_or_without_scheme():
    s = scrubbing.scrub
    assert s(f"--host http://astro:{SECRET}@tcs.sao.ru:8080/cgi") == "--host http://astro:***@tcs.sao.ru:8080/cgi"
    assert s(f"bootstrap user:{SECRET}@10.0.0.5:9092 down") == "bootstrap user:***@10.0.0.5:9092 down"
    assert s(f"'vtp://a:{SECRET}@[::1]:8099'") == "'vtp://a:***@[::1]:8099'"
    assert s("mailtos://me:p%40ss%2Fword@mail.example.org") == "mailtos://me:***@mail.example.org"
    assert s("http://host:8080/path and me@example.org") == "http://host:8080/path and me@example.org"


def test_a_remembered_password_is_masked_even_bare():
    scrubbing.remember(f"http://astro:{SECRET}x@tcs")
    assert scrubbing.scrub(f"login refused for {SECRET}x") == "login refused for ***"
    scrubbing.remember("http://u:ab@h")  # too short to hunt for bare, still masked inside URLs
    assert scrubbing.scrub("a tab b") == "a tab b"


def test_the_log_filter_scrubs_message_arguments_and_traceback():
    record_stream = []

    class Keep(logging.Handler):
        def emit(self, record):
            record_stream.append(self.format(record))

    handler = Keep()
    handler.addFilter(scrubbing.ScrubFilter())
    log = logging.getLogger("gcnmon.test.scrub")
    log.addHandler(handler)
    try:
        try:
            raise ConnectionError(f"cannot reach http://astro:{SECRET}@tcs")
        except ConnectionError:
            log.exception("TCS %s failed", f"http://astro:{SECRET}@tcs")
    finally:
        log.removeHandler(handler)
    [text] = record_stream
    assert SECRET not in text and "http://astro:***@tcs failed" in text and "ConnectionError" in text


def test_the_log_book_is_scrubbed(tmp_path):
    book = LogBook(tmp_path / "gcn_client_T.log")
    book.write(f"PROBLEM TCS http://astro:{SECRET}@tcs refused", 0)
    book.close()
    assert SECRET not in book.path.read_text() and "astro:***@tcs" in book.path.read_text()


@pytest.fixture
def station(tmp_path):
    config = tmp_path / "gcnmon.toml"
    config.write_text(f'[tcs]\ndriver = "zeiss"\nurl = "http://astro:{SECRET}@127.0.0.1:9"\nuser = "astro"\n')
    return config


def _run(tmp_path, *args, timeout=90):
    return subprocess.run([sys.executable, "-m", "gcnmon", *args], env=gcnmon_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)


def _files_mentioning(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()
            and p.suffix != ".toml"]  # the station's own config file holds it, of course


def test_every_output_of_commands_given_such_urls_is_clean(tmp_path, station, wait_until):
    host = f"http://astro:{SECRET}@127.0.0.1:9"
    outputs = []
    for args in (
        ["config", "--config", str(station)],
        ["config", "--check", "--config", str(station), "--set", "tcs.timeout=-1"],
        ["tcs", "level", "--tel", "zeiss", "--host", host, "--user", "astro", "-vv"],
        ["tcs", "send", "--tel", "bta", "--host", host, "--ra", "1", "--dec", "2", "--name", "x", "-vv"],
        ["tcs", "level", "--tel", "nosuchdriver", "--host", host],
        ["demo", "--tel", host],  # argparse's own error quotes the value
    ):
        done = _run(tmp_path, *args)
        outputs.append((args, done.returncode, done.stdout + done.stderr))
        assert "Traceback" not in done.stderr, (args, done.stderr)
    for args, hint in ((["listen", "--vtp", f"astro:{SECRET}@127.0.0.1:9"], "VTP: cannot connect"),
                       (["listen", "--kafka-bootstrap", f"astro:{SECRET}@127.0.0.1:9", "--kafka-topic", "t"],
                        "kafka.bootstrap")):
        listener = Listener(tmp_path, *args, "-vv")
        try:
            wait_until(lambda listener=listener, hint=hint: listener.logged(hint), 60)
            if listener.proc.poll() is None:
                listener.terminate()
        finally:
            listener.close()
        outputs.append((args, listener.proc.returncode, "\n".join(listener.out + listener.err)))
    for args, code, text in outputs:
        assert SECRET not in text, (args, text)
        assert "***" in text or code != 0, (args, text)
    assert ":***@" in outputs[0][2]  # `gcnmon config` shows the URL, masked
    assert _files_mentioning(tmp_path, SECRET) == []

