"""Training data and a tokenizer made from the repository's own ``raw/`` samples.

The GPU machine gets only the repository, so the training benchmark and the GPU check
cannot read ``../shared/realdata``. This module turns the small samples in ``raw/``
(hand-written examples, Stack Exchange questions with their answers, Super-NaturalInstructions
instances, wikiHow and WritingPrompts texts) into conversations, and stretches them to a
LIMA-like length distribution (log-normal, median about 450 tokens, a long tail to the
sequence limit) by repeating answer paragraphs, so packed rows fill the way real data does.
Text content does not change the speed of a step; lengths do.
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "raw"
sys.path.insert(0, str(REPO / "tests"))  # the model and tokenizer builders live with the tests

TAG = re.compile(r"<[^>]+>")


def _text(markup: str) -> str:
    return html.unescape(TAG.sub(" ", markup)).strip()


def _pair(prompt: str, response: str, source: str) -> "dict[str, Any] | None":
    if not prompt.strip() or not response.strip():
        return None
    return {"source": source, "messages": [{"role": "user", "content": prompt.strip()},
                                           {"role": "assistant", "content": response.strip()}]}


def raw_conversations(raw: Path = RAW) -> list[dict[str, Any]]:
    """Every prompt/response pair the samples in ``raw/`` hold, in a fixed order."""
    rows: list[dict[str, Any]] = []
    for path in sorted((raw / "authored").glob("*.md")):
        parts = re.split(r"^## (Prompt|Response)\s*$", path.read_text(encoding="utf-8"), flags=re.M)
        prompts = [parts[i + 1] for i in range(1, len(parts) - 1, 2) if parts[i] == "Prompt"]
        responses = [parts[i + 1] for i in range(1, len(parts) - 1, 2) if parts[i] == "Response"]
        rows += [r for r in (_pair(p, a, "authored") for p, a in zip(prompts, responses)) if r]
    for path in sorted((raw / "authored").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else None
            if record and record.get("messages"):
                rows.append({"source": "authored", "messages": record["messages"]})
    for posts in sorted((raw / "stackexchange").glob("*/Posts.xml")):
        items = [row.attrib for row in ElementTree.parse(posts).getroot()]
        questions = {q["Id"]: q for q in items if q.get("PostTypeId") == "1"}
        for answer in (a for a in items if a.get("PostTypeId") == "2" and a.get("ParentId") in questions):
            question = questions[answer["ParentId"]]
            pair = _pair(f"{question.get('Title', '')}\n\n{_text(question.get('Body', ''))}", _text(answer["Body"]),
                         "stackexchange")
            rows += [pair] if pair else []
    for task in sorted((raw / "super_natural_instructions").glob("*.json")):
        spec = json.loads(task.read_text(encoding="utf-8"))
        for instance in spec.get("Instances", []):
            pair = _pair(f"{spec['Definition'][0]}\n\n{instance['input']}", instance["output"][0], "sni")
            rows += [pair] if pair else []
    for page in sorted((raw / "wikihow" / "plaintext").glob("*.txt")):
        title = page.stem.replace("-", " ")
        rows += [r for r in [_pair(f"How to {title.lower()}?", page.read_text(encoding="utf-8"), "wikihow")] if r]
    for source in sorted((raw / "reddit" / "writingprompts").glob("*.wp_source")):
        target = source.with_suffix(".wp_target")
        if target.is_file():
            for prompt, story in zip(source.read_text(encoding="utf-8").splitlines(),
                                     target.read_text(encoding="utf-8").splitlines()):
                rows += [r for r in [_pair(prompt, story.replace("<newline>", "\n"), "writingprompts")] if r]
    return rows


def lima_like(rows: list[dict[str, Any]], count: int, *, seed: int = 0, median_chars: int = 1800,
              max_chars: int = 12000) -> list[dict[str, Any]]:
    """``count`` build-output rows whose answers follow a LIMA-like length distribution."""
    generator = random.Random(seed)
    out = []
    for index in range(count):
        base = rows[index % len(rows)]
        target = min(max_chars, int(generator.lognormvariate(0, 0.8) * median_chars))
        answer = base["messages"][-1]["content"]
        pieces = [answer]
        while sum(len(p) for p in pieces) < target:
            pieces.append(rows[generator.randrange(len(rows))]["messages"][-1]["content"])
        messages = [dict(m) for m in base["messages"][:-1]] + [{"role": "assistant", "content": "\n\n".join(pieces)[:max(target, 1)]}]
        out.append({"id": f"raw-{index}", "source": base["source"], "messages": messages, "meta": {"split": "train"}})
    return out


def texts(rows: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for row in rows for m in row["messages"]]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    from lima_curate.records import dumps

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def build(folder: Path, *, preset: str, vocab: int, examples: int, max_positions: int = 2048,
          attn: str = "sdpa", dtype: str = "float32", dev: int = 0, device: str = "cpu") -> tuple[Path, Path, "Path | None"]:
    """Model folder (random weights of a Llama shape, ``vocab`` rows) + train.jsonl (+ dev.jsonl) from raw/."""
    from train import tiny

    base = raw_conversations()
    tokenizer = tiny.train_tokenizer(texts(base), vocab_size=vocab)
    model = tiny.build_model(folder / "model", tokenizer, family="llama", preset=preset, vocab_size=vocab,
                             max_positions=max_positions, attn_implementation=attn, dtype=dtype, device=device)
    rows = lima_like(base, examples + dev)
    data = write_jsonl(folder / "train.jsonl", rows[:examples])
    dev_file = write_jsonl(folder / "dev.jsonl", rows[examples:]) if dev else None
    return model, data, dev_file
