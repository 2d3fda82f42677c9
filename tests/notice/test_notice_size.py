"""4 MiB end to end: the parser, the archive, the relay envelope and the VTP frame limits agree."""

from __future__ import annotations

import pytest

from gcnmon.archive import Archive
from gcnmon.config import load_config
from gcnmon.intake import Intake
from gcnmon.limits import MAX_FRAME, MAX_NOTICE, envelope_cap
from gcnmon.notice import MAX_SIZE, NoticeError, parse, wrap_json

EXT = "lvk-userguide/MS181101ab-ext-update.json"


def padded(raw: bytes, size: int) -> bytes:
    """The JSON document ``raw`` grown to exactly ``size`` bytes with trailing whitespace (still valid)."""
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


def test_defaults_agree():
    cfg = load_config(None, [])
    assert MAX_SIZE == MAX_NOTICE == 4 * 1024 * 1024
    assert cfg.get("vtp.max_frame") == cfg.get("relay.max_frame") == MAX_FRAME == 6 * 1024 * 1024
    assert envelope_cap(MAX_NOTICE) <= MAX_FRAME


def test_four_mebibytes_parse_one_more_byte_is_refused(data_file):
    raw = data_file(EXT).read_bytes()
    assert parse(padded(raw, MAX_NOTICE)).event_key == ("LVK", "MS181101ab")
    with pytest.raises(NoticeError, match="packet of 4194305 bytes exceeds the 4194304-byte limit"):
        parse(padded(raw, MAX_NOTICE + 1))


def test_envelope_of_the_largest_notice_fits_the_frame_and_comes_back(data_file):
    notice = parse(padded(data_file(EXT).read_bytes(), MAX_NOTICE))
    envelope = wrap_json(notice)
    assert len(envelope) <= MAX_FRAME
    back = parse(envelope)
    assert (back.ivorn, back.raw) == (notice.ivorn, notice.raw)


def test_archive_keeps_two_megabytes_and_the_oversized_reject(tmp_path, data_file):
    archive = Archive(tmp_path / "a.sqlite")
    intake = Intake(archive)
    raw = data_file(EXT).read_bytes()
    notice = intake.receive(raw, "kafka:igwn.gwalert")
    assert archive.get(notice.ivorn).raw == raw
    too_big = padded(raw, MAX_NOTICE + 1)
    with pytest.raises(NoticeError, match="exceeds the 4194304-byte limit"):
        intake.receive(too_big, "kafka:igwn.gwalert")
    [reject] = archive.rejects()
    assert reject.raw == too_big and "4194305 bytes" in reject.reason
    archive.close()
