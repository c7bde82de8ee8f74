"""Every input has a bounded cost: repeated bad lines, very long lines."""

from __future__ import annotations

import json
import time
from collections import Counter

import zstandard

from lima_curate.config import RedditConfig
from lima_curate.rejects import MALFORMED_SAMPLES, Rejects
from lima_curate.sources.reddit import extract as reddit
from lima_curate.sources.reddit import pushshift


def _bad(rejects, number, rule="bad_json_line"):
    rejects.drop({"id": f"f.ndjson:{number}", "source": "reddit"}, stage="extract", rule=rule,
                 detail=f"f.ndjson:{number}: not valid JSON", aggregate=True)


def test_repeated_malformed_lines_are_counted_with_a_few_samples(tmp_path):
    rejects = Rejects(tmp_path / "rejected.jsonl")
    for number in range(1, 1001):
        _bad(rejects, number)
    _bad(rejects, 1001, rule="invalid_utf8")
    rejects.drop({"id": "kept-in-full", "source": "reddit"}, stage="extract", rule="nsfw")
    rejects.close()
    rows = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert [row["id"] for row in rows] == [
        *(f"f.ndjson:{n}" for n in range(1, MALFORMED_SAMPLES + 1)), "f.ndjson:1001", "kept-in-full",
        "reddit:extract:bad_json_line:more",
    ]
    assert rows[-1]["count"] == 1000 - MALFORMED_SAMPLES
    assert rows[-1]["detail"].startswith(f"{1000 - MALFORMED_SAMPLES} more drops of this kind")
    assert rejects.reasons_for("extract") == {"bad_json_line": 1000, "invalid_utf8": 1, "nsfw": 1}


def test_few_malformed_lines_are_written_as_before(tmp_path):
    rejects = Rejects(tmp_path / "rejected.jsonl")
    for number in range(1, MALFORMED_SAMPLES + 1):
        _bad(rejects, number)
    rejects.close()
    rows = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert len(rows) == MALFORMED_SAMPLES and all("count" not in row for row in rows)


def test_merged_collectors_share_one_sample_budget():
    total = Rejects()
    for _ in range(3):
        worker = Rejects()
        for number in range(4):
            _bad(worker, number)
        total.merge(worker)
    total.close()
    assert len(total.rows) == MALFORMED_SAMPLES + 1
    assert total.rows[-1]["count"] == 12 - MALFORMED_SAMPLES
    assert total.reasons_for("extract") == {"bad_json_line": 12}


def test_a_tiny_zst_of_bad_lines_makes_a_tiny_rejects_file(tmp_path):
    root = tmp_path / "reddit"
    root.mkdir()
    lines = b"this is not json\n" * 300_000 + b'{"kind": "t5"}\n' * 100_000
    blob = zstandard.ZstdCompressor(level=19).compress(lines)
    assert len(blob) < 2_000
    (root / "WritingPrompts_comments.zst").write_bytes(blob)
    rejects, stats = Rejects(tmp_path / "rejected.jsonl"), Counter()
    list(reddit.extract(root, RedditConfig(), rejects, stats=stats))
    rejects.close()
    assert (tmp_path / "rejected.jsonl").stat().st_size < 10_000
    assert rejects.reasons_for("extract") == {"bad_json_line": 300_000, "unknown_record": 100_000}
    counted = [json.loads(line).get("count") for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert sorted(c for c in counted if c) == [100_000 - MALFORMED_SAMPLES, 300_000 - MALFORMED_SAMPLES]


def test_a_line_of_sixty_megabytes_is_read_in_linear_time(tmp_path):
    path = tmp_path / "RS_long.ndjson"
    text = "x" * (60 << 20)
    path.write_text(json.dumps({"id": "s1", "title": "t", "selftext": text}) + "\n" + '{"id": "s2", "title": "u"}\n')
    started = time.perf_counter()
    records = [record for _, record in pushshift.iter_records(path)]
    elapsed = time.perf_counter() - started
    assert [r["id"] for r in records] == ["s1", "s2"] and len(records[0]["selftext"]) == len(text)
    assert elapsed < 10, f"{elapsed:.1f} s for one 60 MB line: not linear"  # about 0.5 s; quadratic took about 40 s
