"""Training data: chat format, end-of-turn token, assistant-only targets, packing.

Chat format (LIMA section 3): ``[BOS] user text <|EOT|> assistant text <|EOT|> ...``, no role
markers. Targets are the assistant utterances and the EOT closing each. An example longer
than ``max_seq_len`` is cut at the end; one whose prompt alone fills it is an InputError.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from lima_curate.errors import InputError
from lima_curate.records import ROLES, numbered_jsonl

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Conversation:
    """A validated record of a build output: its id, messages and line number."""

    id: str
    messages: tuple[dict[str, str], ...]
    line: int


@dataclass(frozen=True)
class Encoded:
    """One tokenized conversation; ``targets[i]`` says token i is trained on."""

    id: str
    input_ids: tuple[int, ...]
    targets: tuple[bool, ...]
    trimmed: bool = False

    def __len__(self) -> int:
        return len(self.input_ids)

    def labels(self) -> list[int]:
        """Next-token labels aligned with ``input_ids`` (IGNORE_INDEX where nothing is learnt)."""
        ids, targets = self.input_ids, self.targets
        return [ids[i + 1] if targets[i + 1] else IGNORE_INDEX for i in range(len(ids) - 1)] + [IGNORE_INDEX]

    @property
    def loss_tokens(self) -> int:
        return sum(self.targets[1:])


@dataclass(frozen=True)
class TrainSet:
    examples: tuple[Encoded, ...]
    trimmed: int
    fingerprint: str

    @property
    def lengths(self) -> list[int]:
        return [len(e) for e in self.examples]


# ---------------------------------------------------------------- reading


def read_conversations(path: "Path | str", *, require_assistant: bool = True) -> list[Conversation]:
    """Read and check a build output (train.jsonl / dev.jsonl); InputError on anything else."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    rows = [
        Conversation(_record_id(record, number), _check_messages(record, path, f"line {number}", require_assistant), number)
        for number, record in numbered_jsonl(path)
    ]
    if not rows:
        raise InputError(path, "no examples (the file is empty)")
    return rows


def _record_id(record: Any, number: int) -> str:
    value = record.get("id") if isinstance(record, dict) else None
    return str(value) if value not in (None, "") else f"line-{number}"


def _check_messages(record: Any, path: Path, place: str, require_assistant: bool) -> tuple[dict[str, str], ...]:
    hint = "not a `lima-curate build` output"
    if not isinstance(record, dict) or not isinstance(record.get("messages"), list) or not record["messages"]:
        raise InputError(path, f"{hint}: no 'messages' list", place)
    messages = []
    for index, message in enumerate(record["messages"]):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:
            raise InputError(path, f"{hint}: message {index} has role {role!r} (expected user, assistant or system)", place)
        if not isinstance(message.get("content"), str):
            raise InputError(path, f"{hint}: message {index} has no text 'content'", place)
        if role == "system" and index != 0:
            raise InputError(path, f"{hint}: a system message may only come first (message {index})", place)
        messages.append({"role": role, "content": message["content"]})
    if require_assistant and not any(m["role"] == "assistant" for m in messages):
        raise InputError(path, f"{hint}: no assistant message to learn from", place)
    return tuple(messages)


# ---------------------------------------------------------------- chat format


def eot_id(tokenizer: Any, eot_token: str) -> int:
    """Add ``eot_token`` to the tokenizer as a special token (once) and return its id."""
    if eot_token not in tokenizer.get_vocab():
        try:  # transformers 5 names them "extra" special tokens
            tokenizer.add_special_tokens({"extra_special_tokens": [eot_token]}, replace_extra_special_tokens=False)
        except (TypeError, ValueError):  # transformers 4
            tokenizer.add_special_tokens(
                {"additional_special_tokens": [eot_token]}, replace_additional_special_tokens=False
            )
    token_id = tokenizer.convert_tokens_to_ids(eot_token)
    if token_id is None or token_id == tokenizer.unk_token_id:
        raise RuntimeError(f"could not add {eot_token!r} to the tokenizer")
    return int(token_id)


def _tokenize(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    if not texts:
        return []
    # each utterance on its own (no token straddles two turns); a literal "<|EOT|>" in a text is plain text
    return tokenizer(list(texts), add_special_tokens=False, split_special_tokens=True)["input_ids"]


def encode(
    messages: Sequence[dict[str, str]], tokenizer: Any, eot: int, *, pieces: "list[list[int]] | None" = None
) -> tuple[list[int], list[bool]]:
    """Token ids and target flags of one conversation in the LIMA chat format."""
    if pieces is None:
        pieces = _tokenize(tokenizer, [m["content"] for m in messages])
    ids: list[int] = []
    targets: list[bool] = []
    if tokenizer.bos_token_id is not None:
        ids.append(int(tokenizer.bos_token_id))
        targets.append(False)
    for message, piece in zip(messages, pieces):
        is_target = message["role"] == "assistant"
        ids.extend(piece)
        ids.append(eot)
        targets.extend([is_target] * (len(piece) + 1))
    return ids, targets


def prompt_messages(messages: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The context a response is generated for: everything before the last assistant turn."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=len(messages))
    return list(messages[:last])


def encode_prompt(messages: Sequence[dict[str, str]], tokenizer: Any, eot: int, max_len: int) -> list[int]:
    """Prompt ids for generation (ends with the EOT of the last user turn), keeping the last ``max_len``."""
    ids, _ = encode(prompt_messages(messages), tokenizer, eot)
    return ids[-max_len:]


def load_train_set(path: "Path | str", tokenizer: Any, eot: int, max_seq_len: int) -> TrainSet:
    """Read, check, tokenize and trim a train.jsonl; InputError on bad data."""
    path = Path(path)
    conversations = read_conversations(path)
    flat = [m["content"] for c in conversations for m in c.messages]
    pieces = iter(_tokenize(tokenizer, flat))
    examples = []
    trimmed = 0
    digest = hashlib.sha256()
    for conv in conversations:
        ids, targets = encode(conv.messages, tokenizer, eot, pieces=[next(pieces) for _ in conv.messages])
        cut = len(ids) > max_seq_len
        if cut:
            trimmed += 1
            ids, targets = ids[:max_seq_len], targets[:max_seq_len]
            if not any(targets[1:]):
                raise InputError(
                    path,
                    f"example {conv.id!r}: the prompt alone fills the {max_seq_len}-token window, so trimming "
                    "would leave no assistant token; shorten it or raise --max-seq-len",
                    f"line {conv.line}",
                )
        example = Encoded(conv.id, tuple(ids), tuple(targets), cut)
        digest.update(json.dumps([example.input_ids, [int(t) for t in targets]]).encode())
        examples.append(example)
    return TrainSet(tuple(examples), trimmed, digest.hexdigest()[:16])


# ---------------------------------------------------------------- data order and batching


def steps_per_epoch(n_examples: int, examples_per_step: int) -> int:
    """Optimiser steps in one epoch; the last step of an epoch may hold fewer examples."""
    return math.ceil(n_examples / examples_per_step)


def epoch_order(n_examples: int, seed: int, epoch: int) -> list[int]:
    """The example order of one epoch: a permutation that depends only on (seed, epoch)."""
    order = list(range(n_examples))
    random.Random(f"lima-curate-train:{seed}:{epoch}").shuffle(order)
    return order


def step_indices(order: Sequence[int], step: int, examples_per_step: int) -> list[int]:
    return list(order[step * examples_per_step:(step + 1) * examples_per_step])


def split_across_ranks(indices: Sequence[int], lengths: Sequence[int], world_size: int) -> list[list[int]]:
    """Deal a step's examples to ranks longest-first onto the least-loaded rank (balanced tokens)."""
    shares: list[list[int]] = [[] for _ in range(world_size)]
    loads = [0] * world_size
    for index in sorted(indices, key=lambda i: (-lengths[i], i)):
        rank = min(range(world_size), key=lambda r: (loads[r], r))
        shares[rank].append(index)
        loads[rank] += lengths[index]
    return shares


def pack(indices: Sequence[int], lengths: Sequence[int], capacity: int) -> list[list[int]]:
    """First-fit-decreasing packing of whole examples into rows of at most ``capacity`` tokens."""
    rows: list[list[int]] = []
    room: list[int] = []
    for index in sorted(indices, key=lambda i: (-lengths[i], i)):
        size = lengths[index]
        if size > capacity:
            raise ValueError(f"example of {size} tokens does not fit a row of {capacity}")
        slot = next((r for r, free in enumerate(room) if free >= size), None)
        if slot is None:
            rows.append([index])
            room.append(capacity - size)
        else:
            rows[slot].append(index)
            room[slot] -= size
    return rows


def chunk(indices: Sequence[int], lengths: Sequence[int], size: int, group_by_length: bool) -> list[list[int]]:
    """Padded batching: consecutive groups of ``size`` examples (sorted by length when grouping)."""
    ordered = sorted(indices, key=lambda i: (-lengths[i], i)) if group_by_length else list(indices)
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


# ---------------------------------------------------------------- tensors


def collate_packed(examples: Sequence[Encoded], pad_to: int = 0, pad_id: int = 0) -> dict[str, Any]:
    """One packed row: input_ids, position_ids restarting per example, labels, seq_lens.

    With ``pad_to``, one more unlabelled sequence of ``pad_id`` fills the row to that length.
    """
    import torch

    examples = list(examples)
    filler = pad_to - sum(len(e) for e in examples)
    if filler > 0:
        examples.append(Encoded("filler", (pad_id,) * filler, (False,) * filler))
    ids: list[int] = []
    positions: list[int] = []
    labels: list[int] = []
    for example in examples:
        ids.extend(example.input_ids)
        positions.extend(range(len(example)))
        labels.extend(example.labels())
    return {
        "input_ids": torch.tensor([ids], dtype=torch.long),
        "position_ids": torch.tensor([positions], dtype=torch.long),
        "labels": torch.tensor([labels], dtype=torch.long),
        "seq_lens": [len(e) for e in examples],
    }


def collate_padded(examples: Sequence[Encoded], pad_id: int) -> dict[str, Any]:
    """Right-padded rows with a 2D attention mask; padding carries no label."""
    import torch

    width = max(len(e) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        n = len(example)
        ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels())
        mask[row, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def packed_inputs(examples: Sequence[Encoded], attention: str, *, pad_to: int = 0, pad_id: int = 0) -> dict[str, Any]:
    """Model inputs for one packed row that keep its examples apart, for the kernel ``attention``.

    Other kernels than ``lima_packed_sdpa`` get no mask: transformers derives theirs from the
    restarting ``position_ids``.
    """
    from lima_curate.train.attention import PACKED_SDPA, boundaries_mask

    packed = collate_packed(examples, pad_to=pad_to, pad_id=pad_id)
    seq_lens = packed.pop("seq_lens")
    if attention == PACKED_SDPA:
        packed["attention_mask"] = boundaries_mask(seq_lens)
    packed["use_cache"] = False  # with a KV cache transformers stops looking for packed sequences
    return packed
