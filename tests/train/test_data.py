from __future__ import annotations

import copy
import json

import pytest

from lima_curate.errors import InputError
from lima_curate.train import data

from .helpers import write_set

EOT = "<|EOT|>"


@pytest.fixture
def tok(tokenizer):
    t = copy.deepcopy(tokenizer)
    return t, data.eot_id(t, EOT)


def test_eot_is_one_new_special_token(tok):
    t, eot = tok
    assert eot == len(t) - 1 and t.convert_ids_to_tokens(eot) == EOT
    assert data.eot_id(t, EOT) == eot and len(t) == eot + 1  # adding it again changes nothing


def test_targets_are_exactly_the_assistant_tokens_and_their_eot(tok):
    t, eot = tok
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another?"},
        {"role": "assistant", "content": "Green, like grass."},
    ]
    ids, targets = data.encode(messages, t, eot)
    assert ids[0] == t.bos_token_id and not targets[0]
    # walk the sequence turn by turn, token by token
    position = 1
    for message in messages:
        piece = t(message["content"], add_special_tokens=False)["input_ids"]
        span = ids[position:position + len(piece) + 1]
        assert span == piece + [eot], message["content"]
        expected = message["role"] == "assistant"
        assert targets[position:position + len(piece) + 1] == [expected] * (len(piece) + 1), message["role"]
        position += len(piece) + 1
    assert position == len(ids)
    assert [i for i, x in enumerate(ids) if x == eot] == [i for i, (x, y) in enumerate(zip(ids, targets)) if x == eot]
    assert sum(1 for x, y in zip(ids, targets) if x == eot and y) == 2  # only the assistant EOTs are targets
    assert t.decode([x for x, y in zip(ids, targets) if y]) == f"Blue.{EOT}Green, like grass.{EOT}"


def test_labels_are_next_tokens_only_where_the_next_token_is_a_target(tok):
    t, eot = tok
    ids, targets = data.encode([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"}], t, eot)
    example = data.Encoded("x", tuple(ids), tuple(targets))
    labels = example.labels()
    for i in range(len(ids)):
        expected = ids[i + 1] if i + 1 < len(ids) and targets[i + 1] else data.IGNORE_INDEX
        assert labels[i] == expected
    assert labels[-2] == eot and example.loss_tokens == sum(targets)


def test_literal_eot_text_inside_a_message_is_not_the_control_token(tok):
    t, eot = tok
    ids, _ = data.encode([{"role": "user", "content": f"type {EOT} here"}, {"role": "assistant", "content": "ok"}], t, eot)
    assert ids.count(eot) == 2  # only the two turn ends


def test_long_example_is_trimmed_and_counted(tmp_path, tok):
    t, eot = tok
    rows = [{"id": "long", "messages": [{"role": "user", "content": "Why?"}, {"role": "assistant", "content": "because " * 200}]},
            {"id": "short", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}]
    train = data.load_train_set(write_set(tmp_path, rows), t, eot, max_seq_len=64)
    long, short = train.examples
    assert (len(long), long.trimmed, train.trimmed) == (64, True, 1)
    assert not short.trimmed and short.input_ids[-1] == eot


def test_prompt_that_fills_the_window_is_an_error_naming_the_line(tmp_path, tok):
    t, eot = tok
    rows = [{"id": "ok", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
            {"id": "huge", "messages": [{"role": "user", "content": "word " * 200}, {"role": "assistant", "content": "x"}]}]
    with pytest.raises(InputError) as caught:
        data.load_train_set(write_set(tmp_path, rows), t, eot, max_seq_len=64)
    assert caught.value.place == "line 2" and "'huge'" in caught.value.message and "--max-seq-len" in caught.value.message


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "prompt": "x", "response": "y"}', "no 'messages' list"),
    ('{"messages": [{"role": "bot", "content": "x"}]}', "role 'bot'"),
    ('{"messages": [{"role": "user", "content": "x"}]}', "no assistant message"),
    ('{"messages": [{"role": "user", "content": 3}, {"role": "assistant", "content": "y"}]}', "no text 'content'"),
    ('{"messages": [{"role": "user", "content": "x"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "y"}]}',
     "system message may only come first"),
    ("{not json", "not valid JSON"),
])
def test_not_a_build_output_is_a_one_line_input_error(tmp_path, line, message):
    good = json.dumps({"id": "g", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
    path = tmp_path / "train.jsonl"
    path.write_text(good + "\n" + line + "\n")
    with pytest.raises(InputError) as caught:
        data.read_conversations(path)
    assert caught.value.place == "line 2" and message in str(caught.value) and "\n" not in str(caught.value)


def test_build_output_is_read_and_empty_file_is_refused(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps({"id": "g", "source": "s", "meta": {}, "messages": [
        {"role": "system", "content": "s"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}) + "\n\n")
    (conv,) = data.read_conversations(path)
    assert conv.id == "g" and conv.line == 1 and len(conv.messages) == 3
    path.write_text("\n")
    with pytest.raises(InputError, match="no examples"):
        data.read_conversations(path)
    with pytest.raises(InputError, match="file not found"):
        data.read_conversations(tmp_path / "missing.jsonl")


def test_dev_prompt_is_the_conversation_before_the_last_answer(tok):
    t, eot = tok
    messages = [{"role": "user", "content": "A"}, {"role": "assistant", "content": "B"}, {"role": "user", "content": "C"},
                {"role": "assistant", "content": "D"}]
    assert data.prompt_messages(messages) == messages[:3]
    ids = data.encode_prompt(messages, t, eot, max_len=100)
    assert ids[-1] == eot and t.decode(ids, skip_special_tokens=False).endswith(f"C{EOT}")
    assert data.prompt_messages(messages[:1]) == messages[:1]  # a prompt-only dev row


def test_epoch_order_is_seeded_and_each_epoch_covers_every_example_once():
    a, b = data.epoch_order(50, seed=1, epoch=0), data.epoch_order(50, seed=1, epoch=1)
    assert a == data.epoch_order(50, seed=1, epoch=0) and a != b and sorted(a) == list(range(50))
    assert a != data.epoch_order(50, seed=2, epoch=0)
    steps = data.steps_per_epoch(50, 16)
    assert steps == 4
    seen = [i for s in range(steps) for i in data.step_indices(a, s, 16)]
    assert seen == a and len(data.step_indices(a, 3, 16)) == 2


def test_ranks_get_every_example_once_with_balanced_tokens():
    lengths = [10, 50, 30, 40, 10, 30, 20, 10]
    shares = data.split_across_ranks(range(8), lengths, 2)
    assert sorted(i for s in shares for i in s) == list(range(8))
    assert [sum(lengths[i] for i in s) for s in shares] == [100, 100]
    assert data.split_across_ranks([0], lengths, 2) == [[0], []]  # a rank may get nothing


def test_packing_keeps_examples_whole_and_under_capacity():
    lengths = [60, 50, 40, 30, 20, 10]
    rows = data.pack(range(6), lengths, capacity=100)
    assert sorted(i for r in rows for i in r) == list(range(6))
    assert all(sum(lengths[i] for i in r) <= 100 for r in rows) and len(rows) == 3
    with pytest.raises(ValueError):
        data.pack([0], [101], capacity=100)


def test_packed_row_restarts_positions_and_carries_only_its_example_boundaries():
    a = data.Encoded("a", (1, 2, 3), (False, True, True))
    b = data.Encoded("b", (4, 5), (False, True))
    row = data.collate_packed([a, b])
    assert row["position_ids"].tolist() == [[0, 1, 2, 0, 1]]
    assert row["labels"].tolist() == [[2, 3, -100, 5, -100]] and row["seq_lens"] == [3, 2]
    assert data.packed_inputs([a, b], "lima_packed_sdpa")["attention_mask"].tolist() == [[[[0, 3, 5]]]]
    assert "attention_mask" not in data.packed_inputs([a, b], "flex_attention")
    padded = data.collate_padded([a, b], pad_id=0)
    assert padded["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]] and padded["labels"][1].tolist() == [5, -100, -100]
