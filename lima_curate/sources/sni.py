"""Super-NaturalInstructions task files -> one candidate per generation task (LIMA §2.2).

Reads ``task*.json`` under ``root`` (2021 layout: ``Definition`` a string; v2: a list, with
languages, ``Instance License`` and instance ids). Each task gives one instance with an output,
chosen by ``random.Random("<seed>:<task>")``; the ``sni`` quota (50 in the recipe) picks the tasks.
A malformed file is an InputError naming it.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from lima_curate import safe_json
from lima_curate.config import SNIConfig
from lima_curate.errors import InputError
from lima_curate.executor import Unit
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_NONCOMMERCIAL,
    META_QUALITY,
    META_QUOTA,
    META_TERMS,
    META_URL,
    Example,
    make_id,
)
from lima_curate.rejects import Rejects
from lima_curate.rules import first_failure, rule
from lima_curate.sources.outcome import Outcome, Rejected, run_units
from lima_curate.sources.rows import Row, table_outcomes
from lima_curate.sources.table import TableCache, input_key

SOURCE = "sni"
DEFAULT_LICENSE = "Apache-2.0"  # the natural-instructions repository's, for files without one
TASK_URL = "https://github.com/allenai/natural-instructions/blob/master/tasks/{task}.json"
QUALITY_CAP_CHARS = 2048  # quality: the output's length up to this, so long-form outputs rank first
SHARDS = 8  # work units for the task files
#: the measurements table's version: bump it with any change to reading or measuring
VERSION = "sni-table-2"

NON_GENERATION_KEYWORDS = (
    "classification", "detection", "identification", "recognition", "verification",
    "categorization", "sentiment analysis", "entailment", "matching", "tagging",
    "evaluation", "tracking", "ordering", "resolution", "probing", "prediction",
    "understanding", "extraction", "selection",
)
NON_GENERATION_CATEGORIES = (
    "Program Execution", "Word Analogy", "Fill in The Blank", "Mathematics",
    "Number Conversion", "Word Semantics", "Misc.", "Wrong Candidate Generation",
    "Incorrect Answer Generation", "Answerability Classification",
)
_NONCOMMERCIAL = re.compile(r"\bNC\b|non-?commercial", re.IGNORECASE)  # "CC BY-NC 4.0"


@dataclass(frozen=True)
class Instance:
    id: str
    input: str
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class Task:
    """One task file, read and checked."""

    name: str
    file: str
    layout: str  # "2021" or "v2"
    definition: str
    categories: tuple[str, ...]
    sources: tuple[str, ...]
    instances: tuple[Instance, ...]
    license: str
    input_languages: tuple[str, ...] = ()
    output_languages: tuple[str, ...] = ()


# ---------------------------------------------------------------- reading


def _strings(value: Any, path: Path, key: str) -> tuple[str, ...]:
    """A string or a list of strings as a tuple; InputError otherwise."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(path, f"'{key}' must be a string or a list of strings")


def read_task(path: Path, relative: str = "") -> Task:
    """Read one task file in either layout; InputError naming the file when malformed."""
    path = Path(path)
    try:
        data = safe_json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text (byte {error.start})") from None
    except safe_json.JSONError as error:
        raise InputError(path, f"not valid JSON ({error.msg})", error.place) from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object with Definition and Instances")
    for key in ("Definition", "Instances"):
        if key not in data:
            raise InputError(path, f"missing key '{key}'")
    definition = "\n".join(d.strip() for d in _strings(data["Definition"], path, "Definition"))
    if not definition.strip():
        raise InputError(path, "empty 'Definition'")
    raw_instances = data["Instances"]
    if not isinstance(raw_instances, list):
        raise InputError(path, "'Instances' must be a list")
    name = path.stem
    instances = []
    for index, item in enumerate(raw_instances):
        where = f"Instances[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("input"), str):
            raise InputError(path, f"{where}: expected an object with a string 'input'")
        outputs = _strings(item.get("output"), path, f"{where}.output")
        instance_id = item.get("id")
        if instance_id is not None and not isinstance(instance_id, (str, int)):
            raise InputError(path, f"{where}: 'id' must be a string")
        instances.append(Instance(str(instance_id) if instance_id is not None else f"{name}-{index}",
                                  item["input"], outputs))
    licenses = _strings(data.get("Instance License"), path, "Instance License")
    v2 = isinstance(data["Definition"], list) or any(
        key in data for key in ("Instance License", "Input_language", "Output_language")
    )
    return Task(
        name=name,
        file=relative or path.name,
        layout="v2" if v2 else "2021",
        definition=definition.strip(),
        categories=_strings(data.get("Categories"), path, "Categories"),
        sources=_strings(data.get("Source"), path, "Source"),
        instances=tuple(instances),
        license=", ".join(l.strip() for l in licenses if l.strip()) or DEFAULT_LICENSE,
        input_languages=_strings(data.get("Input_language"), path, "Input_language"),
        output_languages=_strings(data.get("Output_language"), path, "Output_language"),
    )


def task_files(root: Path) -> list[Path]:
    """``task*.json`` under ``root`` (hidden folders skipped), in path order."""
    return sorted(
        (p for p in root.rglob("task*.json")
         if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)),
        key=lambda p: p.relative_to(root).as_posix(),
    )


# ---------------------------------------------------------------- examples


def is_generation(categories: tuple[str, ...], extra_non_generation: tuple[str, ...] = ()) -> bool:
    """True unless a category is classification-style: one of :data:`NON_GENERATION_CATEGORIES` or
    ``extra_non_generation``, or containing a :data:`NON_GENERATION_KEYWORDS` word."""
    named = {c.casefold() for c in (*NON_GENERATION_CATEGORIES, *extra_non_generation)}
    for category in categories:
        key = category.strip().casefold()
        if key in named or any(word in key for word in NON_GENERATION_KEYWORDS):
            return False
    return bool(categories)


def choose_instance(task: Task, seed: int) -> "Instance | None":
    """A seeded choice among the instances with a non-empty first output."""
    usable = [i for i in task.instances if i.outputs and i.outputs[0].strip()]
    if not usable:
        return None
    return random.Random(f"{seed}:{task.name}").choice(usable)


def to_example(task: Task, config: SNIConfig, seed: int) -> Example:
    """The task's candidate (with an empty response when no instance has an output)."""
    instance = choose_instance(task, seed)
    output = instance.outputs[0].strip() if instance else ""
    group = task.categories[0] if task.categories else "uncategorized"
    meta = {
        META_LICENSE: task.license,
        META_NONCOMMERCIAL: bool(_NONCOMMERCIAL.search(task.license)),
        META_TERMS: SOURCE,
        META_URL: TASK_URL.format(task=task.name),
        META_QUOTA: SOURCE,
        META_GROUP: group,
        META_QUALITY: min(len(output), QUALITY_CAP_CHARS) / QUALITY_CAP_CHARS,
        "task": task.name,
        "instance_id": instance.id if instance else "",
        "source_datasets": list(task.sources),
        "categories": list(task.categories),
        "file": task.file,
        "layout": task.layout,
        "generation": is_generation(task.categories, config.non_generation_categories),
        "languages": sorted({*task.input_languages, *task.output_languages}),
    }
    # plain replacement, so braces inside task text never break the template
    prompt = config.prompt_template.replace("{definition}", task.definition)
    prompt = prompt.replace("{input}", (instance.input if instance else "").strip()).strip()
    return Example(
        id=make_id(SOURCE, task.name, instance.id if instance else ""),
        source=SOURCE,
        domain=group,
        messages=({"role": "user", "content": prompt}, {"role": "assistant", "content": output}),
        meta=meta,
    )


# ---------------------------------------------------------------- rules


def measure(example: Example) -> dict[str, Any]:
    """What the rules read: ``generation``, ``categories``, ``languages`` (from meta) and
    ``output_chars``."""
    meta = example.meta
    return {"generation": meta["generation"], "categories": meta["categories"], "languages": meta["languages"],
            "output_chars": len(example.response)}


@rule("not_generation_task", reads=("generation", "categories"))
def not_generation_task(measured: Mapping[str, Any], config: SNIConfig) -> "str | None":
    """Task category is classification-style, not generation (with generation_only)."""
    if not config.generation_only or measured["generation"]:
        return None
    return f"categories {', '.join(measured['categories']) or 'none'}"


@rule("not_english", reads=("languages",))
def not_english(measured: Mapping[str, Any], config: SNIConfig) -> "str | None":
    """Task input or output language is not English (with english_only)."""
    if not config.english_only:
        return None
    other = [lang for lang in measured["languages"] if lang.strip().casefold() != "english"]
    return f"language {other[0]}" if other else None


@rule("empty_output", reads=("output_chars",))
def empty_output(measured: Mapping[str, Any], config: SNIConfig) -> "str | None":
    """No instance with a non-empty output."""
    return None if measured["output_chars"] else "no instance has an output"


RULES = (not_generation_task, not_english, empty_output)


# ---------------------------------------------------------------- work units


def units(root: Path, config: SNIConfig, seed: int = 0, tables: "TableCache | None" = None) -> list[Unit]:
    """The task files under ``root`` in :data:`SHARDS` units (by a hash of their path)."""
    root = Path(root)
    shards: list[list[Path]] = [[] for _ in range(SHARDS)]
    for path in task_files(root):
        shards[zlib.crc32(path.relative_to(root).as_posix().encode("utf-8")) % SHARDS].append(path)
    return [Unit(partial(tasks_outcomes, files, root, number, config, seed, tables),
                 size=sum(path.stat().st_size for path in files))
            for number, files in enumerate(shards) if files]


def tasks_outcomes(
    files: list[Path], root: Path, shard: int, config: SNIConfig, seed: int, tables: "TableCache | None" = None
) -> Iterator[Outcome]:
    """The candidate of each task of ``files``, kept or rejected."""
    settings = {"seed": seed, "prompt_template": config.prompt_template,
                "non_generation_categories": list(config.non_generation_categories)}
    key = input_key(SOURCE, VERSION, settings, files) if tables is not None else ""

    def measure_tasks() -> Iterator[Row]:
        for path in files:
            example = to_example(read_task(path, path.relative_to(root).as_posix()), config, seed)
            yield Row(example, measure(example))

    def decide(rows: Iterable[Row]) -> Iterator[Outcome]:
        for row in rows:
            drop = first_failure(row.measured, RULES, config)
            yield row.record if drop is None else Rejected.by(drop, row.record)

    yield from table_outcomes(tables, SOURCE, root / f"tasks-shard{shard}", key, measure_tasks, decide)


def extract(
    root: Path, config: SNIConfig, rejects: Rejects, *, seed: int = 0, tables: "TableCache | None" = None
) -> Iterator[Example]:
    """Yield one candidate per eligible task file under ``root``; drop the others."""
    yield from run_units(units(root, config, seed, tables), rejects)
