"""Pipeline files: YAML loaded into frozen, typed config objects.

Every section is a frozen dataclass whose fields carry their defaults and a help text
(``field(metadata={"help": ...})``). :func:`load_pipeline` reports an unknown key, a
wrong type or a missing file in one line that names the file and the key path, as a
:class:`ConfigError`. Relative paths inside a pipeline file are resolved against the
folder that holds the file.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import hashlib
import json
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml


class ConfigError(ValueError):
    """A pipeline file (or an override) that cannot be used; the message is one line."""


def _help(
    text: str,
    default: Any = dataclasses.MISSING,
    *,
    choices: "tuple[Any, ...] | None" = None,
    minimum: "float | None" = None,
    maximum: "float | None" = None,
    **kwargs: Any,
) -> Any:
    """A config field with its help text and optional allowed values or bounds."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or default_factory for mutable defaults")
    metadata = {"help": text, "choices": choices, "minimum": minimum, "maximum": maximum}
    if default is dataclasses.MISSING:
        return field(metadata=metadata, **kwargs)
    return field(default=default, metadata=metadata, **kwargs)


def _check_bounds(value: Any, meta: Mapping[str, Any], where: str) -> None:
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(f"{where}: must be one of {', '.join(map(str, choices))}, got {value!r}")
    if meta.get("minimum") is not None and value < meta["minimum"]:
        raise ConfigError(f"{where}: must be at least {meta['minimum']}, got {value!r}")
    if meta.get("maximum") is not None and value > meta["maximum"]:
        raise ConfigError(f"{where}: must be at most {meta['maximum']}, got {value!r}")


# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class StackExchangeConfig:
    enabled: bool = _help("Extract from raw/stackexchange/<site>/ folders or <site>.7z files.", True)
    sites: tuple[str, ...] = _help("Only these sites (folder names); empty means every site found.", ())
    min_answer_score: int = _help("An answer is kept only with at least this score (paper: 10).", 10)
    min_answer_chars: int = _help("Shortest answer kept, on the cleaned text (paper: 1200).", 1200)
    max_answer_chars: int = _help("Longest answer kept, on the cleaned text (paper: 4096).", 4096)
    title_prompt_probability: float = _help(
        "Chance that the prompt is the title alone rather than the question body.", 0.5,
        minimum=0.0, maximum=1.0,
    )
    default_domain: str = _help("Domain ('stem' or 'other') for sites missing from the table.", "other",
        choices=("stem", "other"))
    stem_sites: tuple[str, ...] = _help("Sites to count as STEM in addition to the shipped table.", ())
    other_sites: tuple[str, ...] = _help("Sites to count as 'other' in addition to the shipped table.", ())
    workers: int = _help("Parallel processes for many sites (0: one per core).", 0)
    include_meta_sites: bool = _help("Also read per-site meta sites (meta.*), skipped by default.", False)
    max_archive_member_gib: float = _help(
        "A file inside a .7z dump may expand to at most this many GiB (archives are streamed, "
        "never extracted to disk; Stack Overflow's Posts.xml is about 100 GiB).", 256.0, minimum=0.0,
    )


@dataclass(frozen=True)
class WikiHowConfig:
    enabled: bool = _help("Extract from raw/wikihow/ (HTML pages, CSVs, plain text).", True)
    min_response_chars: int = _help("Shortest article body kept, on the cleaned text.", 1200, minimum=0)
    max_response_chars: int = _help("Longest article body kept, on the cleaned text.", 4096, minimum=1)
    pruned_sections: tuple[str, ...] = _help(
        "Section headings removed from article bodies.",
        ("Tips", "Warnings", "Things You'll Need", "References", "Ingredients", "Video",
         "Related wikiHows", "Sources and Citations", "Community Q&A", "Reader Success Stories"),
    )
    lowercase_prompt: bool = _help(
        "Lower-case plain capitalised title words in the prompt ('How to cook an omelette?', "
        "as LIMA's prompts read); acronyms and brands (CPR, YouTube) keep their case.", True
    )
    assume_published_before_2025_change: bool = _help(
        "For articles whose input gives no date: treat them as published before wikiHow's "
        "2025-03-24 terms change (licence CC BY-NC-SA 3.0); false records the post-change terms.", True
    )


@dataclass(frozen=True)
class RedditConfig:
    enabled: bool = _help("Extract from raw/reddit/ (Pushshift NDJSON/.zst, thread JSON, WritingPrompts).", True)
    include_nsfw: bool = _help("Keep over_18 submissions (excluded by default).", False)
    min_story_score: int = _help("Lowest WritingPrompts story score kept (when scores are known).", 10)
    min_story_chars: int = _help("Shortest WritingPrompts story kept.", 1200)
    max_story_chars: int = _help("Longest WritingPrompts story kept.", 4096)
    min_askreddit_score: int = _help("Lowest AskReddit submission score for a test prompt.", 100)
    askreddit_min_words: int = _help("Fewest words an AskReddit title needs to stand alone as a test prompt.", 4)
    writingprompts_dataset: bool = _help(
        "Also read WritingPrompts dataset files under raw/reddit (*.wp_source/*.wp_target pairs, "
        "CSV with prompt/story columns); unscored, ranked by a length proxy.", True
    )


@dataclass(frozen=True)
class SNIConfig:
    enabled: bool = _help("Extract from raw/super_natural_instructions/ task files.", True)
    generation_only: bool = _help(
        "Only generation tasks: a task is dropped (not_generation_task) when one of its "
        "categories is classification-style (see lima_curate.sources.sni).", True
    )
    non_generation_categories: tuple[str, ...] = _help(
        "More category names (case-insensitive) to treat as non-generation.", ()
    )
    english_only: bool = _help(
        "Drop tasks whose Input_language/Output_language (v2 files) is not English.", True
    )
    prompt_template: str = _help(
        "Prompt layout: '{definition}' and '{input}' are replaced by the task definition "
        "and the instance input.", "{definition}\n\n{input}"
    )


@dataclass(frozen=True)
class SourcesConfig:
    stackexchange: StackExchangeConfig = _help("Stack Exchange dumps.", default_factory=StackExchangeConfig)
    wikihow: WikiHowConfig = _help("wikiHow articles.", default_factory=WikiHowConfig)
    reddit: RedditConfig = _help("Reddit: r/WritingPrompts and r/AskReddit.", default_factory=RedditConfig)
    sni: SNIConfig = _help("Super-NaturalInstructions tasks.", default_factory=SNIConfig)


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class QuotaConfig:
    size: int = _help("How many items this quota selects.", minimum=0)
    temperature: float = _help(
        "Spread across groups (meta 'group', e.g. site): group g gets a share proportional to "
        "n_g ** (1 / temperature); 1 is proportional, .inf is uniform.", 1.0, minimum=1e-6
    )
    split: str = _help("Split the selected items go to: train, dev or test.", "train",
                       choices=("train", "dev", "test"))


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = _help("Local path or installed model name; 'default' is the packaged all-MiniLM-L6-v2.", "default")
    batch_size: int = _help("Texts per forward pass.", 64, minimum=1)
    device: str = _help("'auto' (CUDA when present), 'cpu' or 'cuda'.", "auto", choices=("auto", "cpu", "cuda"))
    cache_dir: str = _help("Embedding cache folder (by content hash and model); '' disables it.", "output/.cache/embeddings")


@dataclass(frozen=True)
class SelectConfig:
    quotas: Mapping[str, QuotaConfig] = _help("Quota name -> size and spread.", default_factory=dict)
    method: str = _help("Diversity method: 'kcenter' (quality-weighted k-center greedy) or 'score'.", "kcenter",
                        choices=("kcenter", "score"))
    quality_weight: float = _help(
        "Weight w of the quality rank against diversity (0..1) in k-center: argmax (1-w)*min cosine "
        "distance + w*quality rank. 0.3 beats random on coverage and spread of real questions; "
        "0.5 and above mostly follow quality.", 0.3, minimum=0.0, maximum=1.0)
    near_duplicate_threshold: float = _help("Cosine similarity at or above which two texts are near duplicates.", 0.92,
                                            minimum=-1.0, maximum=1.0)
    decontaminate_threshold: float = _help("Cosine similarity to an evaluation prompt at or above which a candidate is dropped.", 0.9,
                                           minimum=-1.0, maximum=1.0)
    eval_files: tuple[str, ...] = _help(
        "Extra evaluation prompt files (JSONL with conversations/messages/prompt/question/instruction) "
        "to decontaminate against.", ()
    )
    near_duplicate_search: str = _help(
        "'exact' (blocked, quadratic) or 'ivf' (approximate: k-means cells, for millions of items).", "exact",
        choices=("exact", "ivf"),
    )
    block_size: int = _help("Rows per block in similarity searches (memory grows with its square).", 4096, minimum=1)
    exact_runners_up: int = _help(
        "Runners-up ranked by continuing the greedy exactly; the rest follow by one-step look-ahead.", 50, minimum=0
    )
    report_draws: int = _help("Random samples averaged for the diversity baseline in the report.", 5, minimum=1)
    embedding: EmbeddingConfig = _help("Embedding model and cache.", default_factory=EmbeddingConfig)


# ---------------------------------------------------------------- authoring, review, export


@dataclass(frozen=True)
class AuthoredConfig:
    dir: str = _help("Folder of hand-written examples (one Markdown file each, or JSONL/CSV).", "")
    train_target: int = _help("Hand-written train examples the recipe expects (paper: 200).", 200)
    dev_target: int = _help("Dev examples the recipe expects (paper: 50).", 50)
    test_target: int = _help("Hand-written (Group B) test prompts the recipe expects (paper: 230).", 230)
    min_response_chars: int = _help("Shortest authored response accepted by the checker.", 200)
    max_response_chars: int = _help("Longest authored response accepted by the checker.", 8000)
    ignore: tuple[str, ...] = _help(
        "Finding codes `lima-curate author check` does not report (e.g. [style-filler-closing]).", ()
    )


@dataclass(frozen=True)
class ReviewConfig:
    decisions: str = _help("Review decisions file; '' means '<pipeline>.review.jsonl' beside the pipeline.", "")
    reviewer: str = _help("Name stored with each decision ('' stores none; --reviewer overrides it).", "")
    editor: str = _help("Editor command for edits; '' uses $VISUAL or $EDITOR, else asks inline.", "")


@dataclass(frozen=True)
class ExportConfig:
    lima_layout: bool = _help("Also write lima.jsonl ({conversations, source}), the train split in GAIR/lima's layout.", True)
    parquet: bool = _help("Also write parquet/<split>.parquet.", False)
    save_to_disk: bool = _help("Also write hf_dataset/, a datasets save_to_disk folder.", False)
    commercial: bool = _help("Refuse non-commercial items (NC licences, Reddit's terms) and say how many.", False)
    pretty_name: str = _help("Title of the dataset card; '' means '<name>: a LIMA-style alignment set'.", "")
    report: bool = _help("Also write report.html at the end of the build (as `lima-curate report` does).", False)
    report_projection: str = _help(
        "How the report maps prompts to 2-D: 'auto' (sentence embeddings, else TF-IDF), 'embedding', "
        "'tfidf' or 'none'.", "auto", choices=("auto", "embedding", "tfidf", "none"),
    )
    report_max_points: int = _help("Most candidates drawn on the report's map (all selected ones first).", 2000,
                                   minimum=1)


@dataclass(frozen=True)
class PipelineConfig:
    name: str = _help("Build name: outputs go to <out>/<name>/.", "sample")
    seed: int = _help("Seed for every random choice.", 0, minimum=0)
    raw: str = _help("Folder laid out like shared/realdata (stackexchange/, wikihow/, ...).", "raw")
    sources: SourcesConfig = _help("Extractors.", default_factory=SourcesConfig)
    select: SelectConfig = _help("Dedup, decontamination and diverse selection.", default_factory=SelectConfig)
    authored: AuthoredConfig = _help("Hand-written examples.", default_factory=AuthoredConfig)
    review: ReviewConfig = _help("Review decisions.", default_factory=ReviewConfig)
    export: ExportConfig = _help("Output formats and licence gate.", default_factory=ExportConfig)


# ---------------------------------------------------------------- loading

PATH_KEYS = {"raw", "dir", "decisions", "eval_files", "cache_dir"}


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _convert(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against the annotation ``tp`` and convert containers."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
        return build(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in args:
            if option is type(None) and value is None:
                return None
            try:
                return _convert(value, option, where)
            except ConfigError as error:
                errors.append(str(error))
        raise ConfigError(errors[-1] if errors else f"{where}: bad value")
    if origin in (tuple, list):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
        item_type = args[0] if args else Any
        return tuple(_convert(item, item_type, f"{where}[{i}]") for i, item in enumerate(value))
    if origin in (dict, collections.abc.Mapping) or tp in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
        key_type, item_type = args if args else (str, Any)
        return types.MappingProxyType(
            {str(k): _convert(v, item_type, f"{where}.{k}") for k, v in value.items()}
        )
    if tp is Any:
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise TypeError(f"unsupported config type {tp!r} at {where}")


def build(cls: type, data: Mapping[str, Any], where: str = "") -> Any:
    """Build the frozen dataclass ``cls`` from ``data``, naming any bad key by its path."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields))
        raise ConfigError(f"{_join(where, unknown[0])}: unknown key (known here: {known})")
    values = {}
    for name, f in fields.items():
        if name in data:
            values[name] = _convert(data[name], hints[name], _join(where, name))
            _check_bounds(values[name], f.metadata, _join(where, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{_join(where, name)}: missing required key")
    return cls(**values)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _resolve_paths(data: Any, base: Path) -> Any:
    """Make the path-valued keys of a raw mapping absolute against ``base``."""
    if isinstance(data, Mapping):
        out = {}
        for key, value in data.items():
            if key in PATH_KEYS and isinstance(value, str) and value:
                out[key] = str((base / value).resolve())
            elif key in PATH_KEYS and isinstance(value, list):
                out[key] = [str((base / v).resolve()) if isinstance(v, str) else v for v in value]
            else:
                out[key] = _resolve_paths(value, base)
        return out
    return data


def read_yaml_mapping(path: Path, kind: str = "config file") -> dict[str, Any]:
    """The top-level mapping of a YAML file; ConfigError (one line, with the place) otherwise."""
    if not path.is_file():
        raise ConfigError(f"{path}: {kind} not found")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}{place}: {problem}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return dict(loaded)


def load_pipeline(path: "Path | None" = None, overrides: "Mapping[str, Any] | None" = None) -> PipelineConfig:
    """Load a pipeline file (or the defaults) and apply ``overrides`` (dotted keys).

    Raises ConfigError with one line naming the file and the key.
    """
    data: dict[str, Any] = {}
    label = "defaults"
    if path is not None:
        path = Path(path)
        label = str(path)
        loaded = read_yaml_mapping(path, "pipeline file")
        data = _resolve_paths(loaded, path.parent.resolve())
    for dotted, value in (overrides or {}).items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    try:
        return build(PipelineConfig, data)
    except ConfigError as error:
        raise ConfigError(f"{label}: {error}") from None


def to_dict(config: Any) -> Any:
    """A plain, JSON-ready copy of a config object (for the manifest)."""
    if dataclasses.is_dataclass(config):
        return {f.name: to_dict(getattr(config, f.name)) for f in dataclasses.fields(config)}
    if isinstance(config, Mapping):
        return {k: to_dict(v) for k, v in sorted(config.items())}
    if isinstance(config, tuple):
        return [to_dict(v) for v in config]
    if isinstance(config, float) and math.isinf(config):
        return "inf"
    return config


def portable_config(config: Any) -> dict[str, Any]:
    """The resolved config as plain data, absolute paths made relative to the working folder,
    so that two checkouts of the same project describe (and hash) the same build alike."""
    cwd = Path.cwd()

    def relative(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: relative(v) for k, v in value.items()}
        if isinstance(value, list):
            return [relative(v) for v in value]
        if isinstance(value, str) and os.path.isabs(value):
            try:
                return Path(os.path.relpath(value, cwd)).as_posix()
            except ValueError:
                return value
        return value

    return relative(to_dict(config))


def config_hash(config: PipelineConfig) -> str:
    """A short hash of the resolved, portable config, for the manifest and the dataset card."""
    blob = json.dumps(portable_config(config), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]
