import json
import math

import pytest

from lima_curate.config import ConfigError, PipelineConfig, config_hash, load_pipeline


def write(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def test_shipped_pipelines_load(repo_root):
    lima = load_pipeline(repo_root / "pipelines" / "lima.yaml")
    assert lima.select.quotas["stackexchange_stem"].size == 200
    assert lima.select.quotas["stackexchange_other"].temperature == 3
    assert math.isinf(lima.select.quotas["wikihow"].temperature)
    assert lima.select.quotas["askreddit"].split == "test"
    assert sum(q.size for n, q in lima.select.quotas.items() if q.split == "train") == 800
    sample = load_pipeline(repo_root / "pipelines" / "sample.yaml")
    assert sample.name == "sample"


def test_defaults_without_a_file():
    assert load_pipeline() == PipelineConfig()


@pytest.mark.parametrize(
    "text, message",
    [
        ("seeds: 1\n", r"seeds: unknown key"),
        ("sources:\n  stackexchange:\n    min_answer_score: ten\n", r"sources.stackexchange.min_answer_score: expected an integer"),
        ("select:\n  quotas:\n    wikihow: {size: 3, split: valid}\n", r"select.quotas.wikihow.split: must be one of"),
        ("select:\n  quotas:\n    wikihow: {temperature: 2}\n", r"select.quotas.wikihow.size: missing required key"),
        ("select:\n  eval_files: lima.jsonl\n", r"select.eval_files: expected a list"),
        ("- a\n", r"expected a mapping at the top level"),
        ("name: [unclosed\n", r"p.yaml:\d+:\d+: "),
    ],
)
def test_bad_files_give_one_line_naming_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        load_pipeline(write(tmp_path, text))
    assert "\n" not in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "p.yaml"))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="pipeline file not found"):
        load_pipeline(tmp_path / "nope.yaml")


def test_relative_paths_resolve_against_the_file(tmp_path):
    config = load_pipeline(write(tmp_path, "raw: data\nauthored:\n  dir: ../hand\n"))
    assert config.raw == str((tmp_path / "data").resolve())
    assert config.authored.dir == str((tmp_path.parent / "hand").resolve())


def test_overrides_and_hash(tmp_path):
    path = write(tmp_path, "seed: 1\n")
    assert load_pipeline(path, {"seed": 7}).seed == 7
    assert config_hash(load_pipeline(path)) == config_hash(load_pipeline(path))
    assert config_hash(load_pipeline(path)) != config_hash(load_pipeline(path, {"seed": 2}))


def test_hash_does_not_depend_on_where_the_checkout_lives(tmp_path, monkeypatch):
    hashes = []
    for checkout in ("one", "two"):
        root = tmp_path / checkout
        (root / "pipelines").mkdir(parents=True)
        (root / "pipelines" / "p.yaml").write_text("raw: ../raw\nauthored:\n  dir: ../raw/authored\n")
        monkeypatch.chdir(root)
        hashes.append(config_hash(load_pipeline(root / "pipelines" / "p.yaml")))
    assert hashes[0] == hashes[1]


def float_keys(section=PipelineConfig, prefix=""):
    """Dotted keys of every float setting, nested sections included."""
    import dataclasses

    keys = []
    for field in dataclasses.fields(section):
        annotation = section.__pydantic_fields__[field.name].annotation
        if dataclasses.is_dataclass(annotation):
            keys += float_keys(annotation, f"{prefix}{field.name}.")
        elif annotation is float:
            keys.append(f"{prefix}{field.name}")
    return keys


@pytest.mark.parametrize(
    "text, message",
    [
        ("seed: '1'\n", "seed: expected an integer, got '1'"),
        ("seed: true\n", "seed: expected an integer, got True"),
        ("seed: 1.0\n", "seed: expected an integer, got 1.0"),
        ("export:\n  parquet: 'yes'\n", "export.parquet: expected true or false, got 'yes'"),
        ("export:\n  parquet: 1\n", "export.parquet: expected true or false, got 1"),
        ("select:\n  quality_weight: '0.3'\n", "select.quality_weight: expected a number, got '0.3'"),
        ("name: 7\n", "name: expected a string, got 7"),
        ("sources:\n  stackexchange:\n    sites: [1]\n", "sources.stackexchange.sites[0]: expected a string, got 1"),
        ("select:\n  quotas:\n    1: {size: 2}\n", "select.quotas.1: keys must be strings, got 1"),
        ("select:\n  quotas:\n    wikihow: {size: 2, tempreature: 3}\n",
         "select.quotas.wikihow.tempreature: unknown key (known here: size, split, temperature)"),
    ],
)
def test_types_are_strict(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_pipeline(write(tmp_path, text))
    assert str(error.value) == f"{tmp_path / 'p.yaml'}: {message}"


def test_nan_is_refused_everywhere_and_inf_only_for_a_temperature(tmp_path):
    keys = float_keys()
    assert {"select.quality_weight", "sources.stackexchange.title_prompt_probability"} <= set(keys)
    for key in keys:
        with pytest.raises(ConfigError, match=f"{key}: NaN is not a usable value"):
            load_pipeline(None, {key: math.nan})
        with pytest.raises(ConfigError, match=f"{key}: must be a finite number, got inf"):
            load_pipeline(None, {key: math.inf})
    quota = "select.quotas.wikihow"
    assert math.isinf(load_pipeline(None, {quota: {"size": 1, "temperature": math.inf}}).select.quotas["wikihow"]
                      .temperature)
    with pytest.raises(ConfigError, match=f"{quota}.temperature: NaN is not a usable value"):
        load_pipeline(write(tmp_path, "select:\n  quotas:\n    wikihow: {size: 1, temperature: .nan}\n"))


def test_the_manifest_config_is_strict_json(repo_root):
    from lima_curate.config import portable_config
    from lima_curate.manifest import write_manifest

    lima = portable_config(load_pipeline(repo_root / "pipelines" / "lima.yaml"))
    assert lima["select"]["quotas"]["wikihow"]["temperature"] == "inf"
    json.dumps(lima, allow_nan=False)
    with pytest.raises(ValueError):
        write_manifest(repo_root / "never-written.json", {"x": math.nan})
    assert not (repo_root / "never-written.json").exists()


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]" for a, b in zip("abcdefgh", "bcdefghi")]
) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    import resource
    import time

    assert len(BILLION_LAUGHS.encode()) < 800  # 9**9 "lol"s once expanded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ConfigError) as error:
        load_pipeline(write(tmp_path, BILLION_LAUGHS))
    assert str(error.value) == f"{tmp_path / 'p.yaml'}:2:8: aliases (*name) are not allowed in a config file"
    assert time.perf_counter() - start < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_hostile_files_are_one_line(tmp_path):
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_pipeline(write(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n"))
    (tmp_path / "big.yaml").write_text("# " + "x" * (1 << 20) + "\n")
    with pytest.raises(ConfigError, match="larger than 1024 KiB"):
        load_pipeline(tmp_path / "big.yaml")


@pytest.mark.parametrize("name", ["/any/dir", "../../dir", "", ".", "..", ".cache", "a/b", "a\\b", "x" * 101])
def test_the_build_name_is_one_plain_folder(tmp_path, name):
    with pytest.raises(ConfigError) as error:
        load_pipeline(write(tmp_path, f"name: {json.dumps(name)}\n"))
    assert str(error.value) == (f"{tmp_path / 'p.yaml'}: name: must be a plain folder name (letters, digits, "
                                f"'.', '-', '_'; not starting with '.'; at most 100 characters), got {name!r}")
    assert load_pipeline(None, {"name": "lima-2.v1_b"}).name == "lima-2.v1_b"


def test_an_unknown_quota_names_the_key_and_the_known_quotas(tmp_path):
    from lima_curate.config import QUOTA_NAMES

    with pytest.raises(ConfigError) as error:
        load_pipeline(write(tmp_path, "select:\n  quotas:\n    wikihwo: {size: 250}\n"))
    assert str(error.value) == (f"{tmp_path / 'p.yaml'}: select.quotas.wikihwo: unknown quota (the sources fill: "
                                "askreddit, sni, stackexchange_other, stackexchange_stem, wikihow, writingprompts)")
    assert set(load_pipeline(None, {"select.quotas": {n: {"size": 1} for n in QUOTA_NAMES}}).select.quotas) == set(
        QUOTA_NAMES)


@pytest.mark.parametrize(
    "section, message",
    [  # the checks Stack Exchange extraction used to repeat (sources/stackexchange._check, se_sites.check_config)
        ("stackexchange:\n    default_domain: science",
         "sources.stackexchange.default_domain: must be one of stem, other, got 'science'"),
        ("stackexchange:\n    stem_sites: [coffee]\n    other_sites: [coffee.stackexchange.com]",
         "sources.stackexchange.other_sites: 'coffee' is in both stem_sites and other_sites"),
        ("stackexchange:\n    title_prompt_probability: 1.5",
         "sources.stackexchange.title_prompt_probability: must be at most 1.0, got 1.5"),
        ("stackexchange:\n    min_answer_chars: 5000",
         "sources.stackexchange.min_answer_chars: must be at most max_answer_chars (4096), got 5000"),
        ("stackexchange:\n    workers: -1", "sources.stackexchange.workers: must be at least 0, got -1"),
        ("wikihow:\n    min_response_chars: 5000\n    max_response_chars: 4096",
         "sources.wikihow.min_response_chars: must be at most max_response_chars (4096), got 5000"),
        ("reddit:\n    min_story_chars: 5000",
         "sources.reddit.min_story_chars: must be at most max_story_chars (2100), got 5000"),
    ],
)
def test_source_bounds_are_checked_when_the_file_loads(tmp_path, section, message):
    with pytest.raises(ConfigError) as error:
        load_pipeline(write(tmp_path, f"sources:\n  {section}\n"))
    assert str(error.value) == f"{tmp_path / 'p.yaml'}: {message}"


def test_sections_are_frozen_validated_and_documented():
    import dataclasses

    from pydantic import ValidationError

    from lima_curate.config import QuotaConfig, StackExchangeConfig

    config = load_pipeline(None, {"select.quotas": {"wikihow": {"size": 2}}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 3
    with pytest.raises(TypeError):
        config.select.quotas["sni"] = QuotaConfig(size=1)
    with pytest.raises(ValidationError):  # building a section in code validates it too
        dataclasses.replace(StackExchangeConfig(), workers=-1)

    def undocumented(section, prefix=""):
        missing = []
        for name, info in section.__pydantic_fields__.items():
            if not (info.description or "").strip():
                missing.append(prefix + name)
            if dataclasses.is_dataclass(info.annotation):
                missing += undocumented(info.annotation, f"{prefix}{name}.")
        return missing

    assert undocumented(PipelineConfig) == [] and undocumented(QuotaConfig) == []


def test_a_seed_beyond_32_bits_is_refused_before_any_work(repo_root):
    with pytest.raises(ConfigError, match="seed"):
        load_pipeline(repo_root / "pipelines" / "sample.yaml", {"seed": 2**32})
    assert load_pipeline(repo_root / "pipelines" / "sample.yaml", {"seed": 2**32 - 1}).seed == 2**32 - 1


@pytest.mark.parametrize("text, message", [
    ("seed: 1\nseed: 2\n", ":2:1: key 'seed' given twice"),
    ("select:\n  seed_k: 1\nselect:\n  x: 2\n", ":3:1: key 'select' given twice"),
    ('raw: "a\\0b"\n', ": raw: a path with a NUL character"),
])
def test_a_key_given_twice_or_a_nul_in_a_path_is_one_line(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_pipeline(path)
    assert str(error.value) == f"{path}{message}"
