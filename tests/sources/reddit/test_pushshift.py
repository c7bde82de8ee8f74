"""Streaming Pushshift NDJSON reader: plain and .zst files, broken input, chunk boundaries."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import zstandard

from lima_curate.errors import InputError
from lima_curate.sources.reddit.pushshift import (
    check_zstd_frames,
    BAD_JSON_LINE,
    INVALID_UTF8,
    BadLine,
    iter_lines,
    iter_records,
)

ROWS = [
    {"id": "a1", "subreddit": "WritingPrompts", "title": "[WP] Caf\u00e9 \u2615 na\u00efve \U0001f30a"},
    {"id": "a2", "subreddit": "AskReddit", "body": "\u65e5\u672c\u8a9e \u2014 \u00fc\u00df", "link_id": "t3_a1", "parent_id": "t3_a1"},
    {"id": "a3", "subreddit": "AskReddit", "title": "Plain ASCII?"},
]
NDJSON = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS).encode("utf-8")


def zst(data: bytes, **kwargs) -> bytes:
    return zstandard.ZstdCompressor(level=3, write_checksum=True, **kwargs).compress(data)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def records(path: Path, **kwargs) -> list:
    return [record for _, record in iter_records(path, **kwargs)]


def test_plain_and_zst_give_the_same_records(tmp_path: Path) -> None:
    plain = records(write(tmp_path, "RS_2016-04.ndjson", NDJSON))
    packed = records(write(tmp_path, "RS_2016-04.zst", zst(NDJSON)))
    assert plain == packed == ROWS


def test_zst_is_recognised_by_magic_without_suffix(tmp_path: Path) -> None:
    assert records(write(tmp_path, "RC_2016-04", zst(NDJSON))) == ROWS


def test_several_frames_are_read_as_one_stream(tmp_path: Path) -> None:
    head, tail = NDJSON[:40], NDJSON[40:]  # the split falls inside a line
    assert records(write(tmp_path, "multi.zst", zst(head) + zst(tail))) == ROWS


def test_frames_with_a_2gib_window_are_accepted(tmp_path: Path) -> None:
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=31, enable_ldm=True)
    buffer = io.BytesIO()
    with zstandard.ZstdCompressor(compression_params=params).stream_writer(buffer, closefd=False) as writer:
        writer.write(NDJSON)  # streamed: no content size, so the frame declares the full 2 GiB window
    blob = buffer.getvalue()
    with pytest.raises(zstandard.ZstdError):
        zstandard.ZstdDecompressor().decompressobj().decompress(blob)  # the library default refuses it
    assert records(write(tmp_path, "long.zst", blob)) == ROWS


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 7, 64])
@pytest.mark.parametrize("packed", [False, True])
def test_multibyte_characters_across_chunk_boundaries(tmp_path: Path, chunk_bytes: int, packed: bool) -> None:
    path = write(tmp_path, "s.zst" if packed else "s.ndjson", zst(NDJSON) if packed else NDJSON)
    assert records(path, chunk_bytes=chunk_bytes) == ROWS


def test_truncated_zst_is_an_input_error(tmp_path: Path) -> None:
    blob = zst(NDJSON * 50)
    path = write(tmp_path, "RC_cut.zst", blob[: len(blob) // 2])
    with pytest.raises(InputError, match="truncated zstandard stream") as error:
        records(path)
    assert error.value.path == str(path)


def test_zst_missing_only_its_checksum_is_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, "RC_cut.zst", zst(NDJSON)[:-2])
    with pytest.raises(InputError, match="truncated"):
        records(path)


def test_corrupt_zst_is_an_input_error(tmp_path: Path) -> None:
    blob = bytearray(zst(NDJSON * 50))
    for offset in range(len(blob) // 2, len(blob) // 2 + 4):
        blob[offset] ^= 0xFF
    path = write(tmp_path, "RC_flip.zst", bytes(blob))
    with pytest.raises(InputError, match="corrupt zstandard data") as error:
        records(path)
    assert str(path) in str(error.value)


def test_garbage_after_the_last_frame_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="corrupt"):
        records(write(tmp_path, "tail.zst", zst(NDJSON) + b"not zstd"))


def test_bad_json_line_is_skipped_and_reported(tmp_path: Path) -> None:
    lines = NDJSON.split(b"\n")
    data = b"\n".join([lines[0], b'{"id": "cut", "title": "half a li', lines[1], b"[1, 2]", lines[2]]) + b"\n"
    result = list(iter_records(write(tmp_path, "mixed.ndjson", data)))
    assert [record for _, record in result if isinstance(record, dict)] == ROWS
    bad = [record for _, record in result if isinstance(record, BadLine)]
    assert [(b.line, b.rule) for b in bad] == [(2, BAD_JSON_LINE), (4, BAD_JSON_LINE)]
    assert "not valid JSON" in bad[0].detail and "not an object" in bad[1].detail


@pytest.mark.parametrize("packed", [False, True])
def test_invalid_utf8_line_is_skipped_and_reported(tmp_path: Path, packed: bool) -> None:
    lines = NDJSON.split(b"\n")
    data = b"\n".join([lines[0], b'{"id": "x", "title": "caf\xe9 latin-1"}', lines[1], lines[2]]) + b"\n"
    path = write(tmp_path, "latin.zst" if packed else "latin.ndjson", zst(data) if packed else data)
    for chunk_bytes in (3, 1 << 16):
        result = list(iter_records(path, chunk_bytes=chunk_bytes))
        assert [record for _, record in result if isinstance(record, dict)] == ROWS
        assert [(n, r.rule) for n, r in result if isinstance(r, BadLine)] == [(2, INVALID_UTF8)]


def test_invalid_utf8_in_an_unterminated_last_line(tmp_path: Path) -> None:
    result = list(iter_lines(write(tmp_path, "end.ndjson", NDJSON + b'{"id": "\xc3')))
    assert result[-1] == (4, None)
    assert len(result) == 4


def test_line_numbers_count_blank_lines_and_crlf_is_accepted(tmp_path: Path) -> None:
    data = NDJSON.replace(b"\n", b"\r\n", 1).replace(b"\n", b"\n\n", 1)
    result = list(iter_records(write(tmp_path, "crlf.ndjson", data)))
    assert [number for number, _ in result] == [1, 3, 4]
    assert [record for _, record in result] == ROWS


def test_last_line_without_newline(tmp_path: Path) -> None:
    assert records(write(tmp_path, "nonl.ndjson", NDJSON.rstrip(b"\n"))) == ROWS


def test_empty_plain_file_has_no_records(tmp_path: Path) -> None:
    assert records(write(tmp_path, "empty.ndjson", b"")) == []
    assert records(write(tmp_path, "blank.ndjson", b"\n \n")) == []


def test_empty_zst_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty file"):
        records(write(tmp_path, "empty.zst", b""))


def test_zst_of_nothing_has_no_records(tmp_path: Path) -> None:
    assert records(write(tmp_path, "nothing.zst", zst(b""))) == []


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        records(tmp_path / "absent.ndjson")


@pytest.mark.realdata
def test_real_dump_lines_parse(realdata: Path) -> None:
    folder = realdata / "reddit" / "pushshift_ndjson"
    for name, key, expected in (("test_comments.ndjson", "body", 27), ("test_submissions.ndjson", "title", 31)):
        path = folder / name
        independent = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        parsed = records(path)
        assert len(parsed) == len(independent) == expected
        assert parsed == independent
        assert all(key in record for record in parsed)


@pytest.mark.realdata
def test_real_dump_lines_parse_from_zst_in_tiny_chunks(realdata: Path, tmp_path: Path) -> None:
    source = realdata / "reddit" / "pushshift_ndjson" / "test_comments.ndjson"
    path = write(tmp_path, "RC_real.zst", zst(source.read_bytes()))
    assert records(path, chunk_bytes=7) == records(source)


def test_zst_cut_inside_the_frame_header_is_truncated(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="truncated"):
        records(write(tmp_path, "head.zst", zst(NDJSON)[:6]))
    with pytest.raises(InputError, match="truncated"):
        records(write(tmp_path, "magic.zst", zst(NDJSON)[:2]))


def test_skippable_frames_are_allowed(tmp_path: Path) -> None:
    skippable = (0x184D2A50).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"notes"
    path = write(tmp_path, "skip.zst", skippable + zst(NDJSON) + skippable)
    with open(path, "rb") as handle:
        assert check_zstd_frames(handle, path) == 3
    assert records(path) == ROWS


def test_reserved_block_type_is_corrupt(tmp_path: Path) -> None:
    blob = bytearray(zst(NDJSON))
    header = zstandard.frame_header_size(bytes(blob))
    blob[header] |= 0b110  # block type 3 is reserved
    with pytest.raises(InputError, match="reserved block type"):
        records(write(tmp_path, "reserved.zst", bytes(blob)))


def test_truncated_zst_fails_before_any_record(tmp_path: Path) -> None:
    blob = zst(NDJSON * 50)
    lines = iter_records(write(tmp_path, "cut.zst", blob[:-10]))
    with pytest.raises(InputError, match="truncated"):
        next(lines)


def test_the_default_parser_gives_what_json_gives(tmp_path: Path) -> None:
    data = b'{"id": "s", "title": "lone \\ud83d surrogate"}\n{"id": "t", "title": "pair \\ud83d\\udc40"}\n'
    path = write(tmp_path, "escapes.ndjson", data)
    assert records(path) == records(path, loads=json.loads)
    assert records(path)[0]["title"] == "lone \ud83d surrogate"
