"""Super-NaturalInstructions extractor: both task layouts, rules, seeded choice, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lima_curate.config import SNIConfig, load_pipeline
from lima_curate.errors import InputError
from lima_curate.records import make_id
from lima_curate.rejects import Rejects
from lima_curate.sources.sni import choose_instance, extract, is_generation, read_task

REAL_TASKS = {
    "task137_detoxifying-lms_classification_toxicity": 390,
    "task318_stereoset_classification_gender": 723,
    "task321_stereoset_classification_religion": 228,
}


def _run(root: Path, config: "SNIConfig | None" = None, seed: int = 0) -> tuple[list, Rejects]:
    rejects = Rejects()
    return list(extract(root, config or SNIConfig(), rejects, seed=seed)), rejects


def _drops(rejects: Rejects) -> list[tuple[str, str, str]]:
    return [(row["record"]["meta"]["task"], row["rule"], row["detail"]) for row in rejects.rows]


def _task(root: Path, name: str, **fields) -> Path:
    """A small v2 task file; ``fields`` override its keys."""
    data = {
        "Contributors": ["test"],
        "Source": ["test"],
        "Categories": ["Summarization"],
        "Definition": ["Summarise the given paragraph in one sentence."],
        "Input_language": ["English"],
        "Output_language": ["English"],
        "Instances": [
            {"id": f"{name}-a", "input": "The shop opens at nine and closes at five on weekdays.", "output": ["The shop is open nine to five on weekdays."]},
            {"id": f"{name}-b", "input": "Rain is expected all weekend, so the fair moves indoors.", "output": ["Rain moves the fair indoors."]},
        ],
        "Instance License": ["CC BY 4.0"],
    }
    data.update(fields)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# ---------------------------------------------------------------- real data (2021 layout)


@pytest.mark.realdata
def test_real_task_files_are_read_with_all_instances(realdata: Path) -> None:
    folder = realdata / "super_natural_instructions"
    for name, count in REAL_TASKS.items():
        task = read_task(folder / f"{name}.json")
        independent = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))["Instances"]
        assert len(task.instances) == len(independent) == count
        assert task.layout == "2021"
        assert task.categories == ("Classification",)
        assert task.instances[3].id == f"{name}-3"
        assert task.license == "Apache-2.0"


@pytest.mark.realdata
def test_real_classification_tasks_are_dropped_with_the_reason(realdata: Path) -> None:
    examples, rejects = _run(realdata / "super_natural_instructions")
    assert examples == []
    assert sorted(_drops(rejects)) == [(name, "not_generation_task", "categories Classification")
                                       for name in sorted(REAL_TASKS)]  # in shard order: sorted to compare


@pytest.mark.realdata
def test_real_tasks_without_the_generation_filter_give_one_example_each(realdata: Path) -> None:
    config = SNIConfig(generation_only=False)
    examples, _ = _run(realdata / "super_natural_instructions", config)
    assert sorted(e.meta["task"] for e in examples) == sorted(REAL_TASKS)
    for example in examples:
        task = read_task(realdata / "super_natural_instructions" / f"{example.meta['task']}.json")
        instance = next(i for i in task.instances if i.id == example.meta["instance_id"])
        assert example.prompt == f"{task.definition}\n\n{instance.input.strip()}"
        assert example.response == instance.outputs[0]
        assert example.id == make_id("sni", task.name, instance.id)
        assert example.meta["url"] == f"https://github.com/allenai/natural-instructions/blob/master/tasks/{task.name}.json"
        assert (example.meta["license"], example.meta["noncommercial"], example.meta["terms"], example.meta["quota"]) == (
            "Apache-2.0", False, "sni", "sni")
        assert example.domain == example.meta["group"] == "Classification"
    stereoset = examples[1]
    assert stereoset.meta["source_datasets"] == ["stereoset (https://arxiv.org/abs/2004.09456)"]


# ---------------------------------------------------------------- our samples (both layouts)


def test_sample_folder_both_layouts(repo_root: Path) -> None:
    examples, rejects = _run(repo_root / "raw" / "super_natural_instructions")
    by_task = {e.meta["task"]: e for e in examples}
    assert sorted(by_task) == ["task9101_sample_recipe_title_generation", "task9102_sample_formal_rewrite",
                               "task9201_sample_explain_proverb", "task9202_sample_sentence_simplification"]
    v2 = by_task["task9101_sample_recipe_title_generation"]
    assert v2.meta["layout"] == "v2" and v2.meta["license"] == "CC BY 4.0"
    assert v2.meta["instance_id"].startswith("task9101-")
    assert v2.prompt.startswith("In this task, you are given the instructions of a home recipe.")
    assert v2.domain == "Title Generation"
    old = by_task["task9201_sample_explain_proverb"]
    assert old.meta["layout"] == "2021" and old.meta["license"] == "Apache-2.0"
    assert old.meta["instance_id"].startswith("task9201_sample_explain_proverb-")
    assert 0 < old.meta["quality"] <= 1
    assert {(rule, detail) for _, rule, detail in _drops(rejects)} == {
        ("not_generation_task", "categories Sentiment Analysis"),
        ("not_generation_task", "categories Verification"),
        ("not_english", "language French"),
    }


def test_choice_is_seeded_and_deterministic(repo_root: Path) -> None:
    folder = repo_root / "raw" / "super_natural_instructions"
    first = [e.to_dict() for e in _run(folder, seed=0)[0]]
    assert first == [e.to_dict() for e in _run(folder, seed=0)[0]]
    task = read_task(folder / "task9102_sample_formal_rewrite.json")
    picks = {choose_instance(task, seed).id for seed in range(20)}
    assert len(picks) > 1  # the seed matters
    assert picks <= {i.id for i in task.instances}


# ---------------------------------------------------------------- rules: a drop and a keep each


def test_not_generation_task_drop_and_keep(tmp_path: Path) -> None:
    _task(tmp_path, "task1_summary")
    _task(tmp_path, "task2_topic", Categories=["Text Categorization"])
    examples, rejects = _run(tmp_path)
    assert [e.meta["task"] for e in examples] == ["task1_summary"]
    assert _drops(rejects) == [("task2_topic", "not_generation_task", "categories Text Categorization")]


def test_extra_non_generation_categories_from_config(tmp_path: Path) -> None:
    _task(tmp_path, "task1_summary")
    examples, rejects = _run(tmp_path, SNIConfig(non_generation_categories=("summarization",)))
    assert examples == [] and _drops(rejects)[0][1] == "not_generation_task"


def test_not_english_drop_and_keep(tmp_path: Path) -> None:
    _task(tmp_path, "task1_summary")
    _task(tmp_path, "task2_resume", Input_language=["French"])
    examples, rejects = _run(tmp_path)
    assert [e.meta["task"] for e in examples] == ["task1_summary"]
    assert _drops(rejects) == [("task2_resume", "not_english", "language French")]
    examples, _ = _run(tmp_path, SNIConfig(english_only=False))
    assert len(examples) == 2


def test_empty_output_drop_and_keep(tmp_path: Path) -> None:
    _task(tmp_path, "task1_summary")
    _task(tmp_path, "task2_blank", Instances=[{"id": "x", "input": "Some text.", "output": ["  "]},
                                             {"id": "y", "input": "More text.", "output": []}])
    examples, rejects = _run(tmp_path)
    assert [e.meta["task"] for e in examples] == ["task1_summary"]
    assert _drops(rejects) == [("task2_blank", "empty_output", "no instance has an output")]


def test_only_instances_with_an_output_are_chosen(tmp_path: Path) -> None:
    path = _task(tmp_path, "task1_summary", Instances=[
        {"id": "empty", "input": "A.", "output": [""]},
        {"id": "full", "input": "B.", "output": ["Bee."]},
    ])
    for seed in range(10):
        assert choose_instance(read_task(path), seed).id == "full"


@pytest.mark.parametrize(
    ("categories", "generation"),
    [
        (("Summarization",), True),
        (("Paraphrasing",), True),
        (("Style Transfer",), True),
        (("Question Generation",), True),
        (("Answer Generation",), True),
        (("Minimal Text Modification",), True),
        (("Classification",), False),
        (("Sentiment Analysis",), False),
        (("Textual Entailment",), False),
        (("Answer Verification",), False),
        (("Toxic Language Detection",), False),
        (("Named Entity Recognition",), False),
        (("Wrong Candidate Generation",), False),
        (("Program Execution",), False),
        (("Title Generation", "Text Categorization"), False),
        ((), False),
    ],
)
def test_is_generation(categories: tuple[str, ...], generation: bool) -> None:
    assert is_generation(categories) is generation


def test_prompt_template_and_noncommercial_licence(tmp_path: Path) -> None:
    _task(tmp_path, "task1_summary", **{"Instance License": ["CC BY-NC 4.0"]})
    config = load_pipeline(overrides={"sources.sni.prompt_template": "{definition}\n\nInput: {input}"}).sources.sni
    (example,) = _run(tmp_path, config)[0]
    assert example.prompt.startswith("Summarise the given paragraph in one sentence.\n\nInput: ")
    assert (example.meta["license"], example.meta["noncommercial"]) == ("CC BY-NC 4.0", True)


def test_other_files_in_the_folder_are_ignored(repo_root: Path, tmp_path: Path) -> None:
    shutil.copy(repo_root / "raw" / "super_natural_instructions" / "task9201_sample_explain_proverb.json", tmp_path)
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    (tmp_path / "splits.json").write_text("[]", encoding="utf-8")
    assert len(_run(tmp_path)[0]) == 1


# ---------------------------------------------------------------- malformed task files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"Definition": "x",\n "Instances": [', r"task9_bad\.json:2:\d+: not valid JSON"),
        (b"[]", r"task9_bad\.json: expected a JSON object"),
        (b'{"Definition": "x"}', r"task9_bad\.json: missing key 'Instances'"),
        (b'{"Definition": 3, "Instances": []}', r"task9_bad\.json: 'Definition' must be a string or a list"),
        (b'{"Definition": "x", "Instances": {}}', r"task9_bad\.json: 'Instances' must be a list"),
        (b'{"Definition": "x", "Instances": [{"input": "a", "output": 5}]}',
         r"task9_bad\.json: 'Instances\[0\]\.output' must be a string or a list"),
        (b'{"Definition": "x", "Instances": ["a"]}', r"task9_bad\.json: Instances\[0\]: expected an object"),
        (b'{"Definition": "caf\xe9", "Instances": []}', r"task9_bad\.json: not UTF-8 text"),
        (b'{"Definition": " ", "Instances": []}', r"task9_bad\.json: empty 'Definition'"),
    ],
)
def test_malformed_task_file_is_an_input_error_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "task9_bad.json").write_bytes(content)
    with pytest.raises(InputError, match=message):
        _run(tmp_path)


# ---------------------------------------------------------------- the rules on their own


def test_rules_in_order_each_keeping_and_dropping_with_its_reason() -> None:
    from lima_curate.sources.sni import RULES, empty_output, not_english, not_generation_task

    config = SNIConfig()
    good = {"generation": True, "categories": ["Summarization"], "languages": ["English"], "output_chars": 40}
    assert [r.name for r in RULES] == ["not_generation_task", "not_english", "empty_output"]
    assert all(rule(good, config) is None for rule in RULES)
    assert not_generation_task({**good, "generation": False, "categories": ["Sentiment Analysis"]}, config) == (
        "categories Sentiment Analysis")
    assert not_generation_task({**good, "generation": False, "categories": []}, config) == "categories none"
    assert not_english({**good, "languages": ["English", "Hindi"]}, config) == "language Hindi"
    assert empty_output({**good, "output_chars": 0}, config) == "no instance has an output"
    relaxed = SNIConfig(generation_only=False, english_only=False)
    assert not_generation_task({**good, "generation": False}, relaxed) is None
    assert not_english({**good, "languages": ["Hindi"]}, relaxed) is None
