"""The rule runner: the first failing rule names the drop; measurements are taken when first read."""

from dataclasses import dataclass

from lima_curate.rules import Drop, Rule, first_failure, length_window, rule


@dataclass(frozen=True)
class Limits:
    shortest: int = 3
    longest: int = 5
    banned: str = "x"


@rule("too_short", reads=("chars",))
def too_short(measured, config):
    """Fewer characters than the config's shortest."""
    return f"{measured['chars']} chars" if measured["chars"] < config.shortest else None


@rule("has_banned", reads=("text",))
def has_banned(measured, config):
    return f"contains {config.banned}" if config.banned in measured["text"] else None


@rule("not_english", reads=("language",))
def not_english(measured, config):
    return None if measured["language"] == "en" else measured["language"]


RULES = (too_short, has_banned, not_english)


def test_the_decorator_makes_a_named_rule_described_by_its_docstring():
    assert isinstance(too_short, Rule)
    assert (too_short.name, too_short.reads) == ("too_short", ("chars",))
    assert too_short.description == "Fewer characters than the config's shortest."
    assert too_short({"chars": 2}, Limits()) == "2 chars" and too_short({"chars": 3}, Limits()) is None


def test_first_failing_rule_names_the_drop():
    both = {"chars": 1, "text": "x", "language": "en"}
    assert first_failure(both, RULES, Limits()) == Drop("too_short", "1 chars")
    assert first_failure({"chars": 9, "text": "x", "language": "en"}, RULES, Limits()) == Drop("has_banned", "contains x")
    assert first_failure({"chars": 9, "text": "ok", "language": "en"}, RULES, Limits()) is None


def test_thresholds_come_from_the_config():
    measured = {"chars": 9, "text": "y", "language": "en"}
    assert first_failure(dict(measured), RULES, Limits(banned="y")) == Drop("has_banned", "contains y")
    assert first_failure(dict(measured), RULES, Limits(shortest=10)) == Drop("too_short", "9 chars")


def test_measurements_are_taken_when_a_rule_first_reads_them_and_only_then():
    taken = []

    def language():
        taken.append("language")
        return {"language": "fr", "script": "Latn"}  # one measurement may take several keys

    dropped_early = {"chars": 1, "text": "ok"}
    assert first_failure(dropped_early, RULES, Limits(), {"language": language}) == Drop("too_short", "1 chars")
    assert taken == [] and dropped_early == {"chars": 1, "text": "ok"}

    reached = {"chars": 9, "text": "ok"}
    assert first_failure(reached, RULES, Limits(), {"language": language}) == Drop("not_english", "fr")
    assert taken == ["language"] and reached == {"chars": 9, "text": "ok", "language": "fr", "script": "Latn"}

    given = {"chars": 9, "text": "ok", "language": "en"}
    assert first_failure(given, RULES, Limits(), {"language": language}) is None
    assert taken == ["language"]  # already measured: not taken again


def test_length_window_keeps_the_inclusive_window_and_names_each_side():
    short, long = length_window("chars", lambda config: (config.shortest, config.longest),
                                too_short="too_short", too_long="too_long", what="Body")
    assert (short.name, long.name, short.reads, long.reads) == ("too_short", "too_long", ("chars",), ("chars",))
    limits = Limits()
    assert short({"chars": 2}, limits) == "2 chars < 3" and long({"chars": 2}, limits) is None
    assert short({"chars": 3}, limits) is None and long({"chars": 5}, limits) is None
    assert long({"chars": 6}, limits) == "6 chars > 5" and short({"chars": 6}, limits) is None


def test_a_window_without_an_upper_bound():
    short, long = length_window("chars", lambda config: (config.shortest, None),
                                too_short="too_short", too_long="too_long", what="Body")
    assert long({"chars": 10**9}, Limits()) is None and short({"chars": 2}, Limits()) == "2 chars < 3"


def test_vector_forms_decide_whole_columns_like_the_checks_row_by_row():
    import numpy as np

    from lima_curate.rules import Details, first_failures

    short, long = length_window("chars", lambda config: (config.shortest, config.longest),
                                too_short="too_short", too_long="too_long", what="Body")
    chars = np.array([1, 3, 4, 5, 6, 9, 2])
    drops, kept, rest = first_failures({"chars": chars}, (short, long, has_banned), Limits())
    assert rest == (has_banned,) and kept.tolist() == [1, 2, 3]
    decided = {int(p): (name, d) for where, name, details in drops for p, d in zip(where, details.strings())}
    for row, value in enumerate(chars.tolist()):
        drop = first_failure({"chars": value}, (short, long), Limits())
        assert decided.get(row) == (None if drop is None else (drop.rule, drop.detail))
    assert Details("no answer", count=2).strings() == ["no answer", "no answer"]
