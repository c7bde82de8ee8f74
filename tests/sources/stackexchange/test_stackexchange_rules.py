"""The Stack Exchange rules and measurements: a keep and a drop for each rule, with the reason,
on their own and in a dump; the order of the rules, written once."""

from __future__ import annotations

from pathlib import Path

import pytest
import se_factory as f

from lima_curate.config import StackExchangeConfig
from lima_curate.rejects import Rejects
from lima_curate.rules import Drop, first_failure
from lima_curate.sources.stackexchange import measure as se_measure
from lima_curate.sources.stackexchange.extract import RANKING_RULES, extract
from lima_curate.sources.stackexchange.rules import RULES
from lima_curate.text.html import clean_html, html_to_text, prose_only

CONFIG = StackExchangeConfig(workers=1)


def rule(name: str):
    found = next(r for r in RULES if r.name == name)
    return lambda **measured: found(measured, CONFIG)


def test_rule_names_and_order():
    assert [r.name for r in RULES] == [
        "no_answer", "answer_score_below_min", "answer_too_short", "answer_too_long", "first_person",
        "refers_to_other_answers", "question_not_self_contained", "not_english",
    ]
    assert [r.name for r in RANKING_RULES] == ["no_answer", "answer_score_below_min"]
    assert [r.name for r in se_measure.ANSWER_RULES] == [
        "answer_too_short", "answer_too_long", "first_person", "refers_to_other_answers"]
    assert [r.name for r in se_measure.ANSWER_AND_LANGUAGE_RULES] == [
        "answer_too_short", "answer_too_long", "first_person", "refers_to_other_answers", "not_english"]


# ---------------------------------------------------------------- each rule, keep and drop


def test_no_answer():
    assert rule("no_answer")(answer_id=None) == "question has no answer"
    assert rule("no_answer")(answer_id=7, answer_score=12) is None


def test_answer_score_below_min():
    assert rule("answer_score_below_min")(answer_id=7, answer_score=9) == "top answer score 9 < 10"
    assert rule("answer_score_below_min")(answer_id=7, answer_score=-3) == "top answer score -3 < 10"
    assert rule("answer_score_below_min")(answer_id=7, answer_score=10) is None


def test_answer_length_bounds_are_inclusive():
    short, long_ = rule("answer_too_short"), rule("answer_too_long")
    assert short(answer_chars=1199) == "1199 chars < 1200"
    assert short(answer_chars=1200) is None
    assert long_(answer_chars=4096) is None
    assert long_(answer_chars=4097) == "4097 chars > 4096"


@pytest.mark.parametrize(
    "prose, hit",
    [
        ("I think the answer is no.", "I"),
        ("In short, I'm not sure it matters.", "I'm"),
        ("So I've tested both approaches.", "I've"),
        ("That is my experience.", "my"),
        ("It helped me a lot.", "me"),
        ("Me too, as it happens.", "Me"),
        ("A friend of mine tried it.", "of mine"),
        ("The choice was mine alone.", "was mine"),
    ],
)
def test_first_person_drops(prose, hit):
    assert se_measure.first_person_hit(prose) == hit
    assert rule("first_person")(first_person=hit) == hit


@pytest.mark.parametrize(
    "prose",
    [
        "We can write the state as a sum of two terms.",
        "A Type I error rejects a true null hypothesis.",
        "Disk I/O is the bottleneck, not the CPU.",
        "An I-beam resists bending.",
        "World War I ended in 1918.",
        "The coal mine closed in 1990; mines elsewhere stayed open.",
        "Memory and mycology are unrelated words.",
    ],
)
def test_first_person_keeps(prose):
    assert se_measure.first_person_hit(prose) == ""


def test_first_person_ignores_code_math_and_quotes():
    text = html_to_text(
        "<p>The identity $I$ and <code>my_list</code> are fine.</p>"
        "<blockquote><p>I asked this before.</p></blockquote><pre><code>me = I\n</code></pre>"
    )
    assert se_measure.first_person_hit(prose_only(text)) == ""
    assert se_measure.measure_wording(text)["first_person"] == ""
    assert se_measure.measure_wording(text + "\n\nI disagree.")["first_person"] == "I"


@pytest.mark.parametrize(
    "prose, hit",
    [
        ("As mentioned above, the pump fails.", "As mentioned"),
        ("As others have said, use less salt.", "As others have said"),
        ("The other answer covers the history.", "other answer"),
        ("Unlike the accepted answer, this works offline.", "accepted answer"),
        ("This is a common topic on Stack Overflow.", "Stack Overflow"),
        ("Search Stack Exchange for more.", "Stack Exchange"),
        ("Edit: fixed the formula.", "Edit:"),
        ("UPDATE 2: the API changed.", "UPDATE 2:"),
        ("Thanks @maria for the tip.", "@maria"),
        ("This question comes up often.", "This question"),
        ("The OP wants a faster method.", "OP"),
        ("Rules of this site forbid it.", "this site"),
        ("See the comments below.", "comments below"),
    ],
)
def test_refers_to_other_answers_drops(prose, hit):
    assert se_measure.reference_hit(prose) == hit
    assert rule("refers_to_other_answers")(refers_to=hit) == hit


@pytest.mark.parametrize(
    "prose",
    [
        "The binding site of the enzyme is small.",
        "Write to help@example.org for details.",
        "An op-amp amplifies the difference.",
        "The question of free will is old.",
        "Stacks exchange items in a loop.",
        "As expected, the reaction slows down.",
    ],
)
def test_refers_to_other_answers_keeps(prose):
    assert se_measure.reference_hit(prose) == ""
    assert rule("refers_to_other_answers")(refers_to="") is None


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Why is the sky blue?", True),
        ("How to temper chocolate", True),
        ("Explain the Coriolis effect", True),
        ("What's the difference between ale and lager", True),
        ("Coriolis effect in sinks", False),
        ("Pan sauces after searing", False),
    ],
)
def test_title_is_question(title, expected):
    assert se_measure.title_is_question(title) is expected


@pytest.mark.parametrize(
    "title, body, kind, reason",
    [
        ("Why?", '<p>Look at it <img src="a.png"></p>', "body", "body has an image"),
        ("Is it reliable?", '<p><a href="https://example.org/recipe">https://example.org/recipe</a></p>', "body",
         "body is only a link"),
        ("What is wrong?", "<p>See the picture below; the crust cracks every time.</p>", "body",
         "body refers to 'picture below'"),
        ("Why does it crack?", "<p>The result is shown below, where the crust cracks.</p>", "body",
         "body refers to 'shown below'"),
        ("Why does it crack?", "<p>There is a screenshot of the error message.</p>", "body",
         "body refers to 'screenshot'"),
        ("Sourdough hydration", "<p>How much water should a sourdough dough have?</p>", "title",
         "title is not a question"),
        ("What does this error mean?", "<p>The compiler prints an error about types.</p>", "title",
         "title refers to the body ('this')"),
    ],
)
def test_question_not_self_contained_drops(title, body, kind, reason):
    assert se_measure.not_self_contained(title, clean_html(body), kind) == reason
    assert rule("question_not_self_contained")(not_self_contained=reason) == reason


@pytest.mark.parametrize(
    "title, body, kind",
    [
        ("Why does bread go stale?", "<p>Bread left out gets hard within a day. What causes it?</p>", "title"),
        ("Sourdough hydration", "<p>How much water should a sourdough dough have?</p>", "body"),
        ("What does this error mean?", "<p>The compiler prints an error about types.</p>", "body"),
        ("Is the guide right?", '<p>The <a href="https://example.org">baking guide</a> says to proof for two '
         'hours at room temperature. Is that too long for a warm kitchen?</p>', "body"),
    ],
)
def test_question_not_self_contained_keeps(title, body, kind):
    assert se_measure.not_self_contained(title, clean_html(body), kind) == ""
    assert rule("question_not_self_contained")(not_self_contained="") is None


def test_not_english():
    english = html_to_text(f.prose_html(600))
    french = (
        "La photosynthèse est le processus par lequel les plantes transforment la lumière du soleil en "
        "énergie chimique. Elle se déroule dans les chloroplastes, grâce à la chlorophylle, et produit de "
        "l'oxygène à partir de l'eau et du dioxyde de carbone."
    )
    assert se_measure.measure_language(english) == {"language": "en"}
    assert se_measure.measure_language(french) == {"language": "fr"}
    assert se_measure.measure_language("") == {"language": "und"}
    assert rule("not_english")(language="en") is None
    assert rule("not_english")(language="fr") == "fr"
    assert rule("not_english")(language="und") == "und"



def test_answer_measurements_stop_where_the_rules_drop():
    text, measured = se_measure.measure_answer(f.prose_html(800), CONFIG, 0, language=True)
    assert measured == {"answer_chars": len(text)}  # too short: neither wording nor language taken
    text, measured = se_measure.measure_answer(f.prose_html(1500, "I think so. "), CONFIG, 0, language=True)
    assert measured == {"answer_chars": len(text), "first_person": "I", "refers_to": ""}  # no language
    text, now = se_measure.measure_answer(f.prose_html(1500), CONFIG, 0)
    assert now == {"answer_chars": len(text), "first_person": "", "refers_to": ""}
    # measured ahead in a helper: the same, plus the language
    assert se_measure.measure_batch([(7, f.prose_html(1500))], CONFIG, 0) == [(7, text, {**now, "language": "en"})]


def test_a_candidate_is_decided_by_the_one_ordered_list():
    measured = {"answer_id": 7, "answer_score": 30, "answer_chars": 1500, "first_person": "I", "refers_to": "OP"}
    assert first_failure(measured, RULES, CONFIG) == Drop("first_person", "I")
    assert first_failure({"answer_id": None, "answer_score": 0}, RULES, CONFIG) == Drop("no_answer", "question has no answer")

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
        f.question(12, 35, "How do rivers form?"), f.answer(13, 12, 20, f.prose_html(1500, "As mentioned, yes. ")),
        f.question(14, 34, "Why is this river brown?", '<p><img src="river.png"></p>'), f.answer(15, 14, 20),
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
        6: ("answer_too_short", "802 chars < 1200"),
        8: ("answer_too_long", "4513 chars > 4096"),
        10: ("first_person", "I"),
        12: ("refers_to_other_answers", "As mentioned"),
        14: ("question_not_self_contained", "body has an image"),
        16: ("not_english", "es"),
    }
    assert all(row["stage"] == "extract" and row["source"] == "stackexchange" for row in rejects.rows)
    assert rejects.kept[("stackexchange", "extract")] == 1


def test_thresholds_come_from_the_config(tmp_path: Path):
    rows = [f.question(1, 5, "What drives the water cycle?"), f.answer(2, 1, 4, f.prose_html(900))]
    f.write_dump(tmp_path / "earthscience.stackexchange.com", rows)
    strict = list(extract(tmp_path, CONFIG, Rejects()))
    loose = list(extract(tmp_path, StackExchangeConfig(workers=1, min_answer_score=3, min_answer_chars=500), Rejects()))
    assert strict == [] and [ex.meta["answer_id"] for ex in loose] == [2]
