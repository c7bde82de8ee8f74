"""Pipeline files: YAML loaded into frozen, strictly typed pydantic sections with help text.

Also loads the training recipe's settings (:mod:`lima_curate.train.config`). A bad file or key
is a :class:`ConfigError` in one line naming the file and the dotted key; relative paths in a
file are resolved against its folder.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, ConfigDict, Field, Strict, TypeAdapter, ValidationError, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from lima_curate.splits import SPLITS


class ConfigError(ValueError):
    """A pipeline file (or an override) that cannot be used; the message is one line."""


#: the quotas the sources fill (``meta["quota"]`` of their candidates); a pipeline may
#: name no other. The source registry declares the same names per source.
QUOTA_NAMES = ("stackexchange_stem", "stackexchange_other", "wikihow", "writingprompts", "sni", "askreddit")

#: longest config file read (a pipeline file is a few KiB)
MAX_FILE_BYTES = 1 << 20

# strict scalar types: no "1" for an int, no true for an int, no int-valued strings
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]  # an int is a fine float; NaN and inf are refused (see SECTION)
Bool = Annotated[bool, Strict()]
Str = Annotated[str, Strict()]
Names = tuple[Str, ...]

#: every section: frozen, unknown keys refused, NaN and inf refused unless a field allows them
SECTION = ConfigDict(extra="forbid", allow_inf_nan=False)
section = pydantic_dataclass(frozen=True, config=SECTION)


def setting(help: str, default: Any = ..., **constraints: Any) -> Any:
    """A config field: its help text, its default (none: required) and its constraints."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or default_factory for mutable defaults")
    return Field(default, description=help, **constraints)


def subsection(help: str, factory: Any) -> Any:
    """A nested section, built from its own defaults when the file leaves it out."""
    return Field(default_factory=factory, description=help)


class Invalid(ValueError):
    """A cross-field check that failed: ``key`` (inside the section) and what is wrong."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(message)


# ---------------------------------------------------------------- sources


def _site_key(site: str) -> str:
    """``coffee.stackexchange.com`` and ``coffee`` name the same site (as in sources' se_sites)."""
    site = site.lower()
    return site[: -len(".stackexchange.com")] if site.endswith(".stackexchange.com") else site


def _window(low: str, high: str) -> Any:
    """A section check refusing ``low > high`` (a window that keeps nothing); a None ``high`` is no bound."""

    def check(self: Any) -> Any:
        if getattr(self, high) is not None and getattr(self, low) > getattr(self, high):
            raise Invalid(low, f"must be at most {high} ({getattr(self, high)}), got {getattr(self, low)}")
        return self

    return model_validator(mode="after")(check)


#: families of an answer's pointers at the site (see lima_curate.text.wording.site_references)
SiteReferenceKind = Literal["mention", "edit_mark", "update_mark", "site", "as_others_said", "comments", "op",
                            "other_answers", "named_answer"]


@section
class StackExchangeConfig:
    enabled: Bool = setting("Extract from raw/stackexchange/<site>/ folders or <site>.7z files.", True)
    sites: Names = setting("Only these sites (folder names); empty means every site found.", ())
    min_answer_score: Int = setting("An answer is kept only with at least this score (paper: 10).", 10)
    length_measure: Literal["html", "text"] = setting(
        "What the answer length window measures: 'html', the answer's HTML as the dump holds it (the "
        "measure LIMA's picks fit), or 'text', its clean text.", "html")
    min_answer_chars: Int = setting("Shortest answer kept, in characters of length_measure (paper: 1200).", 1200,
                                    ge=0)
    max_answer_chars: Int = setting("Longest answer kept, in characters of length_measure (paper: 4096).", 4096,
                                    ge=1)
    prompt: Literal["title_or_body", "title_or_title_and_body"] = setting(
        "The prompt: the title alone or the question body alone (LIMA's prompts), or the title alone or "
        "the title and body together.", "title_or_body")
    title_prompt_probability: Float = setting(
        "Chance that the prompt is the title rather than the body (LIMA: about 0.3; 141 of its 400 Stack "
        "Exchange prompts read like a title). The title whenever the body is empty.", 0.3, ge=0.0, le=1.0
    )
    first_person_me_mine: Bool = setting(
        "Also drop answers saying 'me', 'myself' or 'mine' (rule first_person_me_mine); the paper names "
        "only 'I' and 'my'.", False)
    site_reference_kinds: tuple[SiteReferenceKind, ...] = setting(
        "Pointers at the site that drop an answer (rule refers_to_site): mention (@name), edit_mark "
        "(Edit:), update_mark (Update:), site (Stack Exchange, this site), as_others_said, comments, op, "
        "other_answers (another answer), named_answer (Bob's answer).",
        ("mention", "edit_mark", "site", "as_others_said", "comments", "op"))
    english_only: Bool = setting(
        "Drop answers whose prose is not English (rule not_english). LIMA kept 9 answers in Portuguese, "
        "Spanish and German.", True)
    default_domain: Literal["stem", "other"] = setting(
        "Domain ('stem' or 'other') for sites missing from the table.", "other")
    stem_sites: Names = setting("Sites to count as STEM in addition to the shipped table.", ())
    other_sites: Names = setting("Sites to count as 'other' in addition to the shipped table.", ())
    workers: Int = setting("Parallel processes for many sites (0: one per core).", 0, ge=0)
    include_meta_sites: Bool = setting("Also read per-site meta sites (meta.*), skipped by default.", False)
    max_archive_member_gib: Float = setting(
        "A file inside a .7z dump may expand to at most this many GiB (archives are streamed, "
        "never extracted to disk; Stack Overflow's Posts.xml is about 100 GiB).", 256.0, gt=0.0)

    _check_window = _window("min_answer_chars", "max_answer_chars")

    @model_validator(mode="after")
    def _check(self) -> "StackExchangeConfig":
        both = sorted({_site_key(s) for s in self.stem_sites} & {_site_key(s) for s in self.other_sites})
        if both:
            raise Invalid("other_sites", f"{both[0]!r} is in both stem_sites and other_sites")
        return self


@section
class WikiHowConfig:
    enabled: Bool = setting("Extract from raw/wikihow/ (HTML pages, CSVs, plain text).", True)
    min_response_chars: Int = setting(
        "Shortest article body kept, on the cleaned text (LIMA's shortest wikiHow answer: 883).", 1000, ge=0)
    max_response_chars: "Int | None" = setting(
        "Longest article body kept, on the cleaned text; null: no bound (the paper sets none; LIMA's "
        "wikiHow answers average 7,005 characters).", None, ge=1)
    pruned_sections: Names = setting(
        "Section headings removed from article bodies.",
        ("Tips", "Warnings", "Things You'll Need", "References", "Ingredients", "Video",
         "Related wikiHows", "Sources and Citations", "Community Q&A", "Reader Success Stories"),
    )
    lowercase_prompt: Bool = setting(
        "Lower-case plain capitalised title words in the prompt ('How to cook an omelette?', "
        "as LIMA's prompts read); acronyms and brands (CPR, YouTube) keep their case.", True
    )
    assume_published_before_2025_change: Bool = setting(
        "For articles whose input gives no date: treat them as published before wikiHow's "
        "2025-03-24 terms change (licence CC BY-NC-SA 3.0); false records the post-change terms.", True
    )

    _check_window = _window("min_response_chars", "max_response_chars")


@section
class RedditConfig:
    enabled: Bool = setting("Extract from raw/reddit/ (Pushshift NDJSON/.zst, thread JSON, WritingPrompts).", True)
    include_nsfw: Bool = setting("Keep over_18 submissions (excluded by default).", False)
    min_story_score: Int = setting("Lowest WritingPrompts story score kept (when scores are known).", 10)
    min_story_chars: Int = setting(
        "Shortest WritingPrompts story kept (LIMA's stories: 5th percentile 169 characters).", 150, ge=0)
    max_story_chars: Int = setting(
        "Longest WritingPrompts story kept (LIMA's: mean 1,030, 95th percentile 1,873 characters).", 2100, ge=1)
    min_askreddit_score: Int = setting("Lowest AskReddit submission score for a test prompt.", 100)
    askreddit_min_words: Int = setting(
        "Fewest words an AskReddit title needs to stand alone as a test prompt.", 4, ge=0)
    writingprompts_dataset: Bool = setting(
        "Also read WritingPrompts dataset files under raw/reddit (*.wp_source/*.wp_target pairs, "
        "CSV with prompt/story columns); unscored, so they rank below every scored story and "
        "the selection picks among them for diversity alone.", True
    )

    _check_window = _window("min_story_chars", "max_story_chars")


@section
class SNIConfig:
    enabled: Bool = setting("Extract from raw/super_natural_instructions/ task files.", True)
    generation_only: Bool = setting(
        "Only generation tasks: a task is dropped (not_generation_task) when one of its "
        "categories is classification-style (see lima_curate.sources.sni).", True
    )
    non_generation_categories: Names = setting(
        "More category names (case-insensitive) to treat as non-generation.", ()
    )
    english_only: Bool = setting(
        "Drop tasks whose Input_language/Output_language (v2 files) is not English.", True
    )
    prompt_template: Str = setting(
        "Prompt layout: '{definition}' and '{input}' are replaced by the task definition "
        "and the instance input.", "{definition}\n\n{input}"
    )


@section
class SourcesConfig:
    stackexchange: StackExchangeConfig = subsection("Stack Exchange dumps.", StackExchangeConfig)
    wikihow: WikiHowConfig = subsection("wikiHow articles.", WikiHowConfig)
    reddit: RedditConfig = subsection("Reddit: r/WritingPrompts and r/AskReddit.", RedditConfig)
    sni: SNIConfig = subsection("Super-NaturalInstructions tasks.", SNIConfig)


# ---------------------------------------------------------------- selection


@section
class QuotaConfig:
    size: Int = setting("How many items this quota selects.", ge=0)
    temperature: Float = setting(
        "Spread across groups (meta 'group', e.g. site): group g gets a share proportional to "
        "n_g ** (1 / temperature); 1 is proportional, .inf is uniform.", 1.0, ge=1e-6, allow_inf_nan=True
    )
    split: Literal[SPLITS] = setting("Split the selected items go to: train, dev or test.", "train")


@section
class EmbeddingConfig:
    model: Str = setting("Local path or installed model name; 'default' is the packaged all-MiniLM-L6-v2.",
                         "default")
    batch_size: Int = setting("Texts per forward pass.", 64, ge=1)
    device: Literal["auto", "cpu", "cuda"] = setting("'auto' (CUDA when present), 'cpu' or 'cuda'.", "auto")
    cache_dir: "Str | None" = setting(
        "Embedding cache folder (by content hash and model). Unset: <out>/.cache/embeddings beside "
        "the build's outputs (no cache when embedding outside a build); '' disables it.", None)


Quotas = Annotated[dict[Str, QuotaConfig], AfterValidator(lambda quotas: types.MappingProxyType(dict(quotas)))]


@section
class SelectConfig:
    quotas: Quotas = Field(default_factory=dict, validate_default=True,
                           description="Quota name -> size and spread.")
    method: Literal["kcenter", "score"] = setting(
        "Diversity method: 'kcenter' (quality-weighted k-center greedy) or 'score'.", "kcenter")
    quality_weight: Float = setting(
        "Weight w of the quality rank against diversity (0..1) in k-center: argmax (1-w)*min cosine "
        "distance + w*quality rank. 0.3 beats random on coverage and spread of real questions; "
        "0.5 and above mostly follow quality.", 0.3, ge=0.0, le=1.0)
    near_duplicate_threshold: Float = setting(
        "Cosine similarity at or above which two texts are near duplicates.", 0.92, ge=-1.0, le=1.0)
    decontaminate_threshold: Float = setting(
        "Cosine similarity to an evaluation prompt at or above which a candidate is dropped (besides "
        "the same text, or half of its word 8-grams, in the prompt, the title, the body or both).", 0.9,
        ge=-1.0, le=1.0)
    eval_files: Names = setting(
        "Extra evaluation prompt files (JSONL with conversations/messages/prompt/question/instruction) "
        "to decontaminate against; `lima-curate build --eval FILE` adds more.", ()
    )
    warn_without_eval_files: Bool = setting(
        "Warn (and note in the manifest) when no external evaluation file is given: the build then "
        "holds out only its own dev/test prompts.", False)
    near_duplicate_search: Literal["exact", "ivf"] = setting(
        "'exact' (blocked, quadratic) or 'ivf' (approximate: a faiss inverted-file index, for millions "
        "of items).", "exact")
    block_size: Int = setting("Rows per block in similarity searches (memory grows with its square).", 4096,
                              ge=1)
    exact_runners_up: Int = setting(
        "Runners-up ranked by continuing the greedy exactly; the rest follow by one-step look-ahead.", 50, ge=0
    )
    report_draws: Int = setting("Random samples averaged for the diversity baseline in the report.", 5, ge=1)
    embedding: EmbeddingConfig = subsection("Embedding model and cache.", EmbeddingConfig)

    @model_validator(mode="after")
    def _check(self) -> "SelectConfig":
        for name in self.quotas:
            if name not in QUOTA_NAMES:
                raise Invalid(f"quotas.{name}",
                               f"unknown quota (the sources fill: {', '.join(sorted(QUOTA_NAMES))})")
        return self

    @property
    def quota_splits(self) -> dict[str, str]:
        """Quota name -> the split its selected items go to."""
        return {name: quota.split for name, quota in self.quotas.items()}


# ---------------------------------------------------------------- authoring, review, export


@section
class AuthoredConfig:
    dir: Str = setting("Folder of hand-written examples (one Markdown file each, or JSONL/CSV).", "")
    train_target: Int = setting("Hand-written train examples the recipe expects (paper: 200).", 200, ge=0)
    dev_target: Int = setting("Dev examples the recipe expects (paper: 50).", 50, ge=0)
    test_target: Int = setting("Hand-written (Group B) test prompts the recipe expects (paper: 230).", 230, ge=0)
    min_response_chars: Int = setting("Shortest authored response accepted by the checker.", 200, ge=0)
    max_response_chars: Int = setting("Longest authored response accepted by the checker.", 8000, ge=1)
    ignore: Names = setting(
        "Finding codes `lima-curate author check` does not report (e.g. [style-filler-closing]).", ()
    )

    _check_window = _window("min_response_chars", "max_response_chars")


@section
class ReviewConfig:
    decisions: Str = setting("Review decisions file; '' means '<pipeline>.review.jsonl' beside the pipeline.", "")
    reviewer: Str = setting("Name stored with each decision ('' stores none; --reviewer overrides it).", "")
    editor: Str = setting("Editor command for edits; '' uses $VISUAL or $EDITOR, else asks inline.", "")


@section
class ExportConfig:
    lima_layout: Bool = setting(
        "Also write lima.jsonl ({conversations, source}), the train split in GAIR/lima's layout.", True)
    parquet: Bool = setting("Also write parquet/<split>.parquet.", False)
    save_to_disk: Bool = setting("Also write hf_dataset/, a datasets save_to_disk folder.", False)
    commercial: Bool = setting("Refuse non-commercial items (NC licences, Reddit's terms) and say how many.",
                               False)
    pretty_name: Str = setting("Title of the dataset card; '' means '<name>: a LIMA-style alignment set'.", "")
    report: Bool = setting("Also write report.html at the end of the build (as `lima-curate report` does).",
                           False)
    report_projection: Literal["auto", "embedding", "tfidf", "none"] = setting(
        "How the report maps prompts to 2-D: 'auto' (sentence embeddings, else TF-IDF), 'embedding', "
        "'tfidf' or 'none'.", "auto")
    report_max_points: Int = setting("Most candidates drawn on the report's map (all selected ones first).",
                                     2000, ge=1)


#: a build name is one plain folder inside --out: never '', '.', '..', a path, or hidden
_PLAIN_NAME = re.compile(r"\w[\w.-]*")


def _plain_name(name: str) -> str:
    if not _PLAIN_NAME.fullmatch(name) or len(name) > 100:
        raise ValueError(f"must be a plain folder name (letters, digits, '.', '-', '_'; not starting "
                         f"with '.'; at most 100 characters), got {name!r}")
    return name


@section
class PipelineConfig:
    name: Annotated[Str, AfterValidator(_plain_name)] = setting(
        "Build name: outputs go to <out>/<name>/ (a plain folder name).", "sample")
    seed: Int = setting("Seed for every random choice.", 0, ge=0, le=2**32 - 1)  # numpy and scikit-learn take 32 bits
    raw: Str = setting("Folder laid out like shared/realdata (stackexchange/, wikihow/, ...).", "raw")
    sources: SourcesConfig = subsection("Extractors.", SourcesConfig)
    select: SelectConfig = subsection("Dedup, decontamination and diverse selection.", SelectConfig)
    authored: AuthoredConfig = subsection("Hand-written examples.", AuthoredConfig)
    review: ReviewConfig = subsection("Review decisions.", ReviewConfig)
    export: ExportConfig = subsection("Output formats and licence gate.", ExportConfig)


# ---------------------------------------------------------------- validation

Section = TypeVar("Section")

_TYPE_WORDS = {
    "int_type": "expected an integer", "int_parsing": "expected an integer",
    "int_from_float": "expected an integer", "float_type": "expected a number",
    "float_parsing": "expected a number", "bool_type": "expected true or false",
    "bool_parsing": "expected true or false", "string_type": "expected a string",
    "tuple_type": "expected a list", "list_type": "expected a list",
    "dict_type": "expected a mapping", "dataclass_type": "expected a mapping",
    "model_type": "expected a mapping", "dataclass_exact_type": "expected a mapping",
}
_BOUND_WORDS = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most",
                "less_than": "less than"}


def parse(cls: "type[Section]", data: Mapping[str, Any], label: str = "") -> "Section":
    """Build the section ``cls`` from plain data; ConfigError ``label: dotted.key: problem`` otherwise."""
    try:
        return TypeAdapter(cls).validate_python(data)
    except ValidationError as error:
        problem = _describe(cls, error)
        raise ConfigError(f"{label}: {problem}" if label else problem) from None


def _describe(cls: type, error: ValidationError) -> str:
    """The first problem of ``error`` in one line: ``dotted.key: what is wrong``."""
    problems = error.errors(include_url=False)
    unknown = [p for p in problems if p["type"] == "unexpected_keyword_argument"]
    problem = (unknown or problems)[0]
    kind, value, ctx = problem["type"], problem.get("input"), problem.get("ctx") or {}
    where = _dotted(problem["loc"])
    if kind == "unexpected_keyword_argument":
        known = ", ".join(sorted(f.name for f in fields(_section_at(cls, problem["loc"][:-1]))))
        message = f"unknown key (known here: {known})"
    elif kind == "missing":
        message = "missing required key"
    elif isinstance(value, float) and math.isnan(value):
        message = "NaN is not a usable value"
    elif kind == "finite_number":
        message = f"must be a finite number, got {value!r}"
    elif kind == "literal_error":
        message = f"must be one of {_choices(ctx['expected'])}, got {value!r}"
    elif kind in _BOUND_WORDS:
        message = f"must be {_BOUND_WORDS[kind]} {next(iter(ctx.values()))}, got {value!r}"
    elif kind in _TYPE_WORDS and problem["loc"][-1:] == ("[key]",):
        message = f"keys must be strings, got {value!r}"
    elif kind in _TYPE_WORDS:
        message = f"{_TYPE_WORDS[kind]}, got {value!r}"
    elif kind == "value_error" and isinstance(ctx.get("error"), Invalid):
        where = _dotted((*problem["loc"], ctx["error"].key))
        message = str(ctx["error"])
    elif kind == "value_error":
        message = str(ctx.get("error", problem["msg"]))
    else:
        message = problem["msg"]
    return f"{where}: {message}" if where else message


def _dotted(loc: "tuple[Any, ...]") -> str:
    """``("select", "eval_files", 0)`` as ``select.eval_files[0]``."""
    text = ""
    for number, part in enumerate(loc):
        if part == "[key]":
            continue
        is_index = isinstance(part, int) and loc[number + 1 : number + 2] != ("[key]",)  # not a mapping key
        text += f"[{part}]" if is_index else (f".{part}" if text else str(part))
    return text


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a, b, c"."""
    return ", ".join(part.strip().strip("'") for part in expected.replace(" or ", ", ").split(","))


def _section_at(cls: type, path: "tuple[Any, ...]") -> type:
    """The section class found by following ``path`` (field names, quota names) from ``cls``."""
    for key in path:
        info = cls.__pydantic_fields__.get(key)
        if info is None:  # a name inside a mapping of sections (a quota name), or a list index
            continue
        inner = typing.get_args(info.annotation)
        if is_dataclass(info.annotation):
            cls = info.annotation
        elif inner and is_dataclass(inner[-1]):  # a mapping of sections: name -> section
            cls = inner[-1]
    return cls


# ---------------------------------------------------------------- loading

PATH_KEYS = {"raw", "dir", "decisions", "eval_files", "cache_dir"}


class _NoAliasLoader(yaml.SafeLoader):
    """safe_load that refuses aliases (``*name``): a few hundred bytes of nested aliases
    expand to gigabytes (the "billion laughs"), and a config file never needs one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a config file",
                                              mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A mapping whose keys are unique: a key given twice is an error, not the last one winning."""
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _resolve_paths(data: Any, base: Path) -> Any:
    """Make the path-valued keys of a raw mapping absolute against ``base``."""
    if isinstance(data, Mapping):
        out = {}
        for key, value in data.items():
            if key in PATH_KEYS and any("\x00" in v for v in (value if isinstance(value, list) else [value])
                                       if isinstance(v, str)):
                raise ConfigError(f"{key}: a path with a NUL character")
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
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; not a {kind}")
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)  # noqa: S506 - safe loader
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
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


def apply_overrides(data: dict[str, Any], overrides: "Mapping[str, Any] | None") -> dict[str, Any]:
    """Set each dotted key of ``overrides`` in ``data`` (a None value means not given)."""
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, Mapping):
                break  # the file's own value is wrong; validation names it
            node[key] = node = dict(child)
        else:
            node[last] = value
    return data


def load_pipeline(path: "Path | None" = None, overrides: "Mapping[str, Any] | None" = None) -> PipelineConfig:
    """Load a pipeline file (or the defaults) and apply ``overrides`` (dotted keys).

    Raises ConfigError with one line naming the file and the key.
    """
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        raw = read_yaml_mapping(path, "pipeline file")
        try:
            data = _resolve_paths(raw, path.parent.resolve())
        except ConfigError as error:
            raise ConfigError(f"{path}: {error}") from None
    return parse(PipelineConfig, apply_overrides(data, overrides), str(path) if path is not None else "defaults")


def to_dict(config: Any) -> Any:
    """A plain, JSON-ready copy of a config object (for the manifest); inf as "inf"."""
    if is_dataclass(config):
        return {f.name: to_dict(getattr(config, f.name)) for f in fields(config)}
    if isinstance(config, Mapping):
        return {k: to_dict(v) for k, v in sorted(config.items())}
    if isinstance(config, tuple):
        return [to_dict(v) for v in config]
    if isinstance(config, float) and math.isinf(config):
        return "inf" if config > 0 else "-inf"
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
