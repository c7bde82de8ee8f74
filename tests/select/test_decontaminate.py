from dataclasses import replace

import numpy as np
import pytest

from lima_curate.rejects import Rejects
from lima_curate.select.decontaminate import RULE, contamination, decontaminate
from lima_curate.select.evalset import EvalPrompt, load_eval_prompts


def run(examples, vectors, evals, eval_vectors, threshold=0.9):
    rejects = Rejects()
    kept = decontaminate(examples, vectors, evals, eval_vectors, threshold=threshold, rejects=rejects)
    return kept, {row["id"]: row for row in rejects.rows}


def test_a_close_candidate_is_dropped_and_a_far_one_kept(make_item, make_vectors):
    vectors = make_vectors(3, seed=1)
    evals = [EvalPrompt("an eval prompt", "eval.jsonl:7")]
    eval_vectors = (vectors[1] * 0.8 + vectors[0] * 0.2)[None, :]  # cosine ~0.97
    eval_vectors /= np.linalg.norm(eval_vectors)
    kept, dropped = run([make_item(i) for i in range(3)], vectors, evals, eval_vectors)
    assert kept == [0, 2]
    row = dropped["stackexchange-0001"]
    assert row["rule"] == RULE and row["stage"] == "decontaminate"
    assert row["detail"].startswith("cosine 0.9") and "eval prompt eval.jsonl:7: 'an eval prompt'" in row["detail"]


def test_same_normalised_text_is_dropped_whatever_the_vectors(make_item, make_vectors):
    examples = [make_item(0, prompt="What is the capital of France?"), make_item(1, prompt="Something else")]
    evals = [EvalPrompt("what is the CAPITAL of france", "test.jsonl:1")]
    kept, dropped = run(examples, make_vectors(2, seed=2), evals, make_vectors(1, seed=3))
    assert kept == [1]
    assert dropped["stackexchange-0000"]["detail"] == "same normalised text as eval prompt test.jsonl:1"


def test_an_item_never_matches_itself(make_item, make_vectors):
    dev = make_item(5, prompt="A dev prompt", split="dev")
    other = make_item(6, prompt="A dev prompt, reworded")
    vectors = np.repeat(make_vectors(1, seed=4), 2, axis=0)
    evals = [EvalPrompt(dev.prompt, f"dev {dev.id}", id=dev.id)]
    kept, dropped = run([dev, other], vectors, evals, vectors[:1])
    assert kept == [0] and list(dropped) == ["stackexchange-0006"]


def test_nothing_to_check_keeps_everything(make_item, make_vectors):
    kept, dropped = run([make_item(0)], make_vectors(1), [], np.zeros((0, 16), dtype=np.float32))
    assert kept == [0] and dropped == {}


@pytest.mark.slow
@pytest.mark.realdata
def test_a_planted_lima_test_prompt_is_removed(realdata, se_questions, se_vectors, embedder, embedding_config):
    from lima_curate.select.embed import embed_texts

    evals = load_eval_prompts(realdata / "lima" / "lima_test_set.jsonl")[:60]  # 60 keep the test quick
    eval_vectors = embed_texts([p.text for p in evals], embedding_config, embedder=embedder, cache=False)
    short = min(range(len(evals)), key=lambda i: len(evals[i].text))
    answer = se_questions[0].messages[1]
    planted = replace(se_questions[0], id="stackexchange-planted", messages=(
        {"role": "user", "content": "Quick question: " + evals[short].text}, answer))  # lightly reworded
    verbatim = replace(se_questions[0], id="stackexchange-verbatim", messages=(
        {"role": "user", "content": evals[40].text.upper()}, answer))
    examples = [*se_questions, planted, verbatim]
    extra = embed_texts([planted.prompt, verbatim.prompt], embedding_config, embedder=embedder, cache=False)
    kept, dropped = run(examples, np.concatenate([se_vectors, extra]), evals, eval_vectors)
    assert dropped["stackexchange-planted"]["rule"] == RULE
    assert dropped["stackexchange-planted"]["detail"].startswith(("cosine ", "n-gram overlap "))
    assert f"lima_test_set.jsonl:{short + 1}" in dropped["stackexchange-planted"]["detail"]
    assert dropped["stackexchange-verbatim"]["detail"] == "same normalised text as eval prompt lima_test_set.jsonl:41"
    assert len(kept) >= len(se_questions) - 2  # real Stack Exchange titles are not LIMA test prompts


# ---------------------------------------------------------------- parts of a question, n-grams


TEST = "How can I make new friends as an adult who works from home and has just moved to a new city?"


def question(make_item, number: int, prompt: str, title: str, body: str):
    return make_item(number, prompt=prompt, question_title=title, question_body=body)


@pytest.mark.parametrize("placement", ["title", "body", "title and body", "greeting"])
def test_a_test_prompt_anywhere_in_the_question_is_caught(make_item, make_vectors, placement):
    first, rest = "How can I make new friends as an adult?", "I work from home and have just moved to a new city."
    title, body = {
        "title": (TEST, "Some context about the situation, written by the asker at length."),
        "body": ("Making friends", TEST),
        "title and body": (first, rest),
        "greeting": ("Friends", f"Hi everyone, {TEST} Thanks in advance!"),
    }[placement]
    prompt = title if placement == "body" else body  # the prompt is never the part holding the test prompt
    examples = [question(make_item, 0, prompt, title, body), make_item(1, prompt="How do magnets work?")]
    evals = [EvalPrompt(TEST if placement != "title and body" else f"{first} {rest}", "lima_test_set.jsonl:9")]
    kept, dropped = run(examples, make_vectors(2, seed=5), evals, make_vectors(1, seed=6))
    assert kept == [1]
    found = dropped["stackexchange-0000"]["detail"]
    assert "lima_test_set.jsonl:9" in found
    if placement in ("title", "body"):
        assert found == f"same normalised text as eval prompt lima_test_set.jsonl:9 (the question's {placement})"
    elif placement == "title and body":
        assert found.endswith("(the question's title and body)")
    else:
        assert found.startswith("n-gram overlap ")


def test_a_short_test_prompt_must_appear_whole(make_item, make_vectors):
    evals = [EvalPrompt("Tell me a good joke about cats", "test.jsonl:1")]
    examples = [make_item(0, prompt="Please tell me a good joke about cats, thanks"),
                make_item(1, prompt="Tell me a joke about dogs")]
    kept, dropped = run(examples, make_vectors(2, seed=7), evals, make_vectors(1, seed=8))
    assert kept == [1] and dropped["stackexchange-0000"]["detail"].startswith("n-gram overlap 1/1 ")


def test_cosine_on_parts_when_the_parts_are_embedded(make_item, make_vectors):
    vectors = make_vectors(3, seed=9)
    example = question(make_item, 0, "A title", "A title", "a body that is nearly the eval prompt")

    def embed(texts):  # the body (and title + body) sit next to the eval prompt, the rest far away
        return np.stack([vectors[1] if "body" in text else vectors[2] for text in texts])

    evals = [EvalPrompt("an unrelated eval prompt", "e.jsonl:3")]
    kept = decontaminate([example], vectors[:1], evals, vectors[1:2], threshold=0.9, rejects=Rejects())
    assert kept == [0]  # the whole prompt is far from it
    rejects = Rejects()
    kept = decontaminate([example], vectors[:1], evals, vectors[1:2], threshold=0.9, rejects=rejects,
                         embed_parts=embed)
    assert kept == [] and rejects.rows[0]["detail"].startswith("cosine 1.000 to eval prompt e.jsonl:3 (the question's body)")


@pytest.mark.realdata
def test_every_planted_lima_test_prompt_is_caught_and_real_questions_are_not(realdata, se_questions, make_vectors):
    """The 300 LIMA test prompts planted in real questions as the title, the body, or split over
    title and body (first sentence / the rest), the prompt being the other part or the body:
    every one is caught by the exact and n-gram tests alone; the real questions are not."""
    import re

    from select_helpers import item

    evals = load_eval_prompts(realdata / "lima" / "lima_test_set.jsonl")
    hosts = [e for e in se_questions if len(e.prompt) > 20]
    planted, split = [], 0
    for number, (test, host) in enumerate(zip(evals, hosts * 2)):
        other = f"{host.prompt} Some more detail about the question, as an asker would add."
        planted.append(question(item, 10_000 + number, other, test.text, other))  # as the title
        planted.append(question(item, 20_000 + number, host.prompt, host.prompt, test.text))  # as the body
        first, dot, rest = test.text.partition(". ")
        if dot and rest.strip():  # over title and body
            planted.append(question(item, 30_000 + number, rest, first + ".", rest))
            split += 1
    vectors = make_vectors(len(planted) + len(se_questions), seed=11)
    candidates = planted + list(se_questions)
    details = contamination(candidates, vectors, evals, make_vectors(len(evals), seed=12), threshold=0.99)
    assert sorted(details) == list(range(len(planted)))
    assert len(evals) == 300 and split > 50 and len(planted) == 600 + split
    assert all(re.search(r"lima_test_set\.jsonl:\d+", detail) for detail in details.values())


def test_punctuation_alone_is_not_the_same_text(make_item, make_vectors):
    examples = [make_item(0, prompt="...")]
    kept, dropped = run(examples, make_vectors(1, seed=2), [EvalPrompt("???", "test.jsonl:1")], make_vectors(1, seed=3))
    assert kept == [0] and not dropped
