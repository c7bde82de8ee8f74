"""The Stack Exchange rules and measurements: a keep and a drop for each rule, with the reason,
on their own and in a dump; the order of the rules, written once; the vector forms agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import se_factory as f

from lima_curate.config import StackExchangeConfig
from lima_curate.rejects import Rejects
from lima_curate.rules import Drop, first_failure, first_failures
from lima_curate.sources.stackexchange.extract import extract
from lima_curate.sources.stackexchange.measure import MEASURES, Candidate, answer_measurements
from lima_curate.sources.stackexchange.rules import RULES, active_rules

CONFIG = StackExchangeConfig(workers=1)
LONG = "A plain, well written explanation of the method. " * 30  # 1,500 chars of prose


def rule(name: str, config: StackExchangeConfig = CONFIG):
    found = next(r for r in RULES if r.name == name)
    return lambda **measured: found(measured, config)


def measured(answer: str = LONG, *, title: str = "How does it work?", body: str = "", kind: bool = True,
             form: str = "title_or_body") -> Candidate:
    """A candidate whose answer text is ``answer`` (no HTML) and whose question is ``title``/``body``."""
    html = {"question_html": body}
    return Candidate({"answer_text": answer}, title=title, html=html.get, title_is_prompt=kind, prompt_form=form)


def test_rule_names_and_order():
    assert [r.name for r in RULES] == [
        "no_answer", "answer_score_below_min", "answer_html_too_short", "answer_html_too_long", "answer_too_short",
        "answer_too_long", "first_person_i_my", "first_person_me_mine", "refers_to_site", "thread_talk",
        "removed_image", "bare_link", "prompt_refers_to_thread", "prompt_removed_image", "prompt_link_only",
        "not_english",
    ]
    assert [r.name for r in active_rules(CONFIG)] == [
        "no_answer", "answer_score_below_min", "answer_html_too_short", "answer_html_too_long", "first_person_i_my",
        "refers_to_site", "thread_talk", "removed_image", "bare_link", "prompt_refers_to_thread",
        "prompt_removed_image", "prompt_link_only", "not_english",
    ]
    text = StackExchangeConfig(length_measure="text", first_person_me_mine=True, english_only=False)
    names = [r.name for r in active_rules(text)]
    assert "answer_too_short" in names and "answer_html_too_short" not in names
    assert "first_person_me_mine" in names and "not_english" not in names


# ---------------------------------------------------------------- each rule, keep and drop


def test_no_answer_and_score():
    assert rule("no_answer")(answer_id=None) == "question has no answer"
    assert rule("no_answer")(answer_id=7) is None
    assert rule("answer_score_below_min")(answer_score=9) == "top answer score 9 < 10"
    assert rule("answer_score_below_min")(answer_score=-3) == "top answer score -3 < 10"
    assert rule("answer_score_below_min")(answer_score=10) is None


def test_length_bounds_are_inclusive_on_either_measure():
    for short, long_, key in (("answer_html_too_short", "answer_html_too_long", "answer_html_chars"),
                              ("answer_too_short", "answer_too_long", "answer_chars")):
        assert rule(short)(**{key: 1199}) == "1199 chars < 1200"
        assert rule(short)(**{key: 1200}) is None
        assert rule(long_)(**{key: 4096}) is None
        assert rule(long_)(**{key: 4097}) == "4097 chars > 4096"


@pytest.mark.parametrize(
    "name, answer, reason",
    [
        ("first_person_i_my", LONG + " I think so.", "first person: 'I'"),
        ("first_person_i_my", LONG + " That is my view.", "first person: 'my'"),
        ("first_person_me_mine", LONG + " It helped me.", "first person: 'me'"),
        ("refers_to_site", LONG + " Ask on Stack Overflow.", "refers to the site: 'Stack Overflow'"),
        ("refers_to_site", LONG + " As mentioned in the other answer, yes.",
         "refers to the site: 'As mentioned in the other answer'"),
        ("refers_to_site", LONG + "\n\nEdit: fixed a typo.", "refers to the site: 'Edit:'"),
        ("thread_talk", LONG + " Please leave a comment.", "talks to the thread: 'Please leave a comment'"),
        ("removed_image", LONG + " Notice in the above picture the lines.",
         "points at a removed image: 'in the above picture'"),
        ("bare_link", LONG + "\n\nSourced from http://example.com/", "bare link line: 'Sourced from http://example.com/'"),
    ],
)
def test_answer_rules_drop_and_keep(name: str, answer: str, reason: str):
    config = StackExchangeConfig(first_person_me_mine=True)
    check = next(r for r in RULES if r.name == name)
    dropping, keeping = measured(answer), measured()
    for candidate in (dropping, keeping):
        for key in check.reads:
            candidate.get(key)
    assert check(dropping.measured, config) == reason
    assert check(keeping.measured, config) is None


def test_the_paper_words_only_and_no_false_pronoun():
    keeps = ["I'm sure it works.", "Use I/O carefully.", "Press Ctrl+Shift+I.", "A Type I error.",
             "I.e. the same thing.", 'The quote "I loved it" is common.', "It helped me a lot."]
    for prose in keeps:
        assert measured(prose).get("first_person") == (), prose


def test_questions_and_other_answers_do_not_drop_by_default():
    candidate = measured(LONG + " To answer your question, another answer suggests X, as does Bob's answer.")
    assert rule("refers_to_site")(site_references=candidate.get("site_references")) is None
    wide = StackExchangeConfig(site_reference_kinds=("other_answers", "named_answer"))
    assert rule("refers_to_site", wide)(site_references=candidate.get("site_references")) == \
        "refers to the site: 'another answer'"
    assert candidate.get("question_references") == ("your question",)


def test_prompt_rules_read_the_part_that_is_the_prompt():
    body = "<p>This is a follow-up question to @heather's answer. What about the attached photo?</p>"
    as_body, as_title = measured(body=body, kind=False), measured(body=body, kind=True)
    assert as_body.get("prompt_kind") == "body" and as_title.get("prompt_kind") == "title"
    assert rule("prompt_refers_to_thread")(prompt_thread=as_body.get("prompt_thread")) == \
        "the question talks to the thread: 'follow-up question'"
    assert rule("prompt_refers_to_thread")(prompt_thread=as_title.get("prompt_thread")) is None
    assert as_body.get("prompt_removed_images") == ("the attached photo",)
    assert "body_text" not in as_title.measured  # the body is not cleaned when the title is the prompt
    both = measured(body=body, kind=False, form="title_or_title_and_body")
    assert both.get("prompt_kind") == "title_and_body" and both.get("prompt_thread")


def test_prompt_removed_image_and_link_only():
    image = measured(body='<p>Why is this river brown?</p><p><img src="river.png"></p>', kind=False)
    assert rule("prompt_removed_image")(prompt_removed_images=image.get("prompt_removed_images")) == \
        "the question points at a removed image: '1 image in the body'"
    link = measured(body='<p><a href="http://example.org/x">http://example.org/x</a></p>', kind=False)
    assert rule("prompt_link_only")(prompt_link_only=link.get("prompt_link_only")) == "the question body is only a link"
    assert rule("prompt_link_only")(prompt_link_only=measured(body="<p>A real question?</p>", kind=False)
                                    .get("prompt_link_only")) is None


def test_an_empty_body_makes_the_title_the_prompt():
    assert measured(body="<p> </p>", kind=False).get("prompt_kind") == "title"


def test_not_english_keeps_undetermined():
    german = ("Es gibt im heutigen Deutschen keinen semantischen Unterschied zwischen den drei Frageadverbien, "
              "die alle dasselbe bedeuten und gleich verwendet werden. ") * 3
    assert rule("not_english")(language=measured(german).get("language")) == "language de"
    assert rule("not_english")(language=measured(LONG).get("language")) is None
    assert rule("not_english")(language="und") is None


def test_language_reads_enough_prose_past_code():
    code = "\n\n```\n" + "x = 1\n" * 50 + "```\n\n"
    answer = "With" + code + "Has" + code + ("The relation is loaded once for the whole collection of models. " * 8)
    assert measured(answer).get("language") == "en"


def test_every_measurement_has_a_function_and_answer_measurements_takes_them_all():
    assert set(MEASURES) >= {key for each in RULES for key in each.reads} - {"answer_id", "answer_score",
                                                                             "answer_html_chars"}
    taken = answer_measurements(f.prose_html(1500, "I think so. "))
    assert taken["first_person"] == ("I",) and taken["language"] == "en" and taken["answer_chars"] == 1503


def test_a_candidate_is_decided_by_the_one_ordered_list():
    found = {"answer_id": 7, "answer_score": 30, "answer_html_chars": 1500, "first_person": ("I",),
             "site_references": (("op", "OP"),)}
    assert first_failure(found, active_rules(CONFIG), CONFIG) == Drop("first_person_i_my", "first person: 'I'")
    assert first_failure({"answer_id": None}, active_rules(CONFIG), CONFIG) == Drop("no_answer", "question has no answer")


def test_vector_forms_agree_with_the_checks():
    rng = np.random.default_rng(0)
    columns = {"answer_id": rng.integers(-1, 3, 500), "answer_score": rng.integers(-5, 30, 500),
               "answer_html_chars": rng.integers(0, 6000, 500)}
    drops, alive, rest = first_failures(columns, active_rules(CONFIG), CONFIG)
    assert rest[0].name == "first_person_i_my"
    vector = {int(p): (name, detail) for where, name, details in drops for p, detail in zip(where, details.strings())}
    for row in range(500):
        values = {key: int(column[row]) for key, column in columns.items()}
        values["answer_id"] = values["answer_id"] if values["answer_id"] >= 0 else None
        drop = first_failure(values, active_rules(CONFIG)[: len(active_rules(CONFIG)) - len(rest)], CONFIG)
        assert vector.get(row) == (None if drop is None else (drop.rule, drop.detail))
    assert sorted([*vector, *alive.tolist()]) == list(range(500))


# ---------------------------------------------------------------- every rule inside one dump


def test_each_rule_drops_its_case_in_a_dump(tmp_path: Path):
    spanish = (
        "<p>El ciclo del agua describe cómo el agua se mueve entre el océano, la atmósfera y la tierra. "
        "El sol calienta el agua de los océanos y de los lagos, que se evapora y sube a la atmósfera, "
        "donde se enfría y forma las nubes. Cuando las gotas crecen lo suficiente, caen como lluvia o nieve "
        "y el agua vuelve a los ríos, a los acuíferos y finalmente al mar.</p>\n"
    ) * 4
    rows = [
        f.question(1, 50, "What drives the water cycle?"), f.answer(2, 1, 30),  # kept
        f.question(3, 40, "Why do lakes freeze from the top?"),  # no answer
        f.question(4, 39, "Why is seawater salty?"), f.answer(5, 4, 9),  # low score
        f.question(6, 38, "What is humidity?"), f.answer(7, 6, 20, f.prose_html(800)),  # too short
        f.question(8, 37, "How do clouds form?"), f.answer(9, 8, 20, f.prose_html(4500)),  # too long
        f.question(10, 36, "Where does rain come from?"), f.answer(11, 10, 20, f.prose_html(1500, "I think so. ")),
        f.question(12, 35, "How do rivers form?"), f.answer(13, 12, 20, f.prose_html(1500, "As others have said, yes. ")),
        f.question(16, 33, "¿Qué es el ciclo del agua?"), f.answer(17, 16, 20, spanish),
    ]
    f.write_dump(tmp_path / "earthscience.stackexchange.com", rows)
    rejects = Rejects()
    kept = list(extract(tmp_path, CONFIG, rejects))
    assert [ex.meta["question_id"] for ex in kept] == [1]
    reasons = {row["record"]["meta"]["question_id"]: (row["rule"], row["detail"]) for row in rejects.rows}
    assert reasons == {
        3: ("no_answer", "question has no answer"),
        4: ("answer_score_below_min", "top answer score 9 < 10"),
        6: ("answer_html_too_short", "816 chars < 1200"),
        8: ("answer_html_too_long", "4569 chars > 4096"),
        10: ("first_person_i_my", "first person: 'I'"),
        12: ("refers_to_site", "refers to the site: 'As others have said'"),
        16: ("not_english", "language es"),
    }
    assert all(row["stage"] == "extract" and row["source"] == "stackexchange" for row in rejects.rows)
    assert rejects.kept[("stackexchange", "extract")] == 1


def test_thresholds_come_from_the_config(tmp_path: Path):
    rows = [f.question(1, 5, "What drives the water cycle?"), f.answer(2, 1, 4, f.prose_html(900))]
    f.write_dump(tmp_path / "earthscience.stackexchange.com", rows)
    strict = list(extract(tmp_path, CONFIG, Rejects()))
    loose = list(extract(tmp_path, StackExchangeConfig(workers=1, min_answer_score=3, min_answer_chars=500), Rejects()))
    assert strict == [] and [ex.meta["answer_id"] for ex in loose] == [2]
