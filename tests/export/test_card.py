import yaml

from lima_curate.export.card import card_markdown, size_category, write_card, write_licence_file

from export_factories import mixed, se

MANIFEST = {
    "name": "sample",
    "version": "0.1.0",
    "seed": 0,
    "command": "lima-curate build pipelines/sample.yaml --raw ../shared/realdata",
    "config_hash": "0123456789abcdef",
    "inputs": [{"path": "raw/stackexchange/coffee/Posts.xml", "bytes": 1000, "sha256": "ab" * 32}],
    "counts": {"rules": [
        {"source": "stackexchange", "stage": "extract", "rule": "answer_too_short", "count": 7},
        {"source": "stackexchange", "stage": "extract", "rule": "kept", "count": 3},
        {"source": "wikihow", "stage": "dedup", "rule": "near_duplicate", "count": 2},
    ]},
    "quotas": {
        "stackexchange_stem": {"split": "train", "target": 4, "pool": 1, "selected": 1, "shortfall": 3},
        "wikihow": {"split": "train", "target": 2, "pool": 9, "selected": 2, "shortfall": 0},
    },
    "notes": ["authored: dev has 1 hand-written items, the recipe wants 4 (3 missing)"],
    "config": {"select": {"method": "kcenter", "quality_weight": 0.5, "near_duplicate_threshold": 0.92,
                          "decontaminate_threshold": 0.9}},
}


def split_card(text):
    assert text.startswith("---\n")
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def test_card_has_hub_front_matter(tmp_path):
    write_card(tmp_path / "README.md", name="sample", splits=mixed(), manifest=MANIFEST)
    header, body = split_card((tmp_path / "README.md").read_text(encoding="utf-8"))
    assert header["license"] == "other" and header["license_name"] == "mixed-source-licences"
    assert header["license_link"] == "LICENSE.md"  # the Hub's card spec asks for it with license: other
    assert header["language"] == ["en"] and header["task_categories"] == ["text-generation"]
    assert header["size_categories"] == ["n<1K"]
    assert header["source_datasets"] == ["original", "pushshift-reddit", "stack-exchange-data-dump",
                                         "super-natural-instructions", "wikihow"]
    assert header["pretty_name"] == "sample: a LIMA-style alignment set"
    assert header["configs"][0]["data_files"] == [  # dev.jsonl is the Hub's `validation` split
        {"split": "train", "path": "train.jsonl"}, {"split": "validation", "path": "dev.jsonl"},
        {"split": "test", "path": "test.jsonl"}]
    assert body.lstrip().startswith("# sample: a LIMA-style alignment set")


def test_card_is_a_valid_hub_card_for_huggingface_hub_and_datasets(tmp_path):
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard, DatasetCardData

    write_card(tmp_path / "README.md", name="sample", splits=mixed(), manifest=MANIFEST, pretty_name="Sample set")
    card = DatasetCard.load(tmp_path / "README.md")  # strict: no ignore_metadata_errors
    assert isinstance(card.data, DatasetCardData)
    data = card.data.to_dict()
    assert data["license"] == "other" and data["pretty_name"] == "Sample set"
    assert {"license_name", "license_link", "source_datasets", "size_categories", "task_categories",
            "language"} <= set(data)
    assert "## Sources and counts" in card.text
    configs = MetadataConfigs.from_dataset_card_data(card.data)  # raises on a malformed `configs`
    assert [f["split"] for f in configs["default"]["data_files"]] == ["train", "validation", "test"]
    assert str(card) == (tmp_path / "README.md").read_text(encoding="utf-8")  # a round trip changes nothing


def test_load_dataset_on_a_build_folder_finds_train_validation_and_test(tmp_path):
    from datasets import load_dataset

    from lima_curate.export.splits import write_splits

    folder = tmp_path / "build"
    write_splits(folder, mixed())
    write_card(folder / "README.md", name="sample", splits=mixed(), manifest=MANIFEST)
    loaded = load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert sorted(loaded) == ["test", "train", "validation"]
    assert loaded["validation"].num_rows == len(mixed()["dev"]) and set(loaded["validation"]["split"]) == {"dev"}


def test_licence_file_is_what_the_card_links_to(tmp_path):
    write_licence_file(tmp_path / "LICENSE.md", mixed(), MANIFEST)
    text = (tmp_path / "LICENSE.md").read_text(encoding="utf-8")
    card = card_markdown("sample", mixed(), MANIFEST)
    assert text.startswith("# Licences and terms of this dataset")
    section = text[text.index("## Licence"):]
    assert section.strip() in card  # the same licence and terms sections as the card
    for key in ("stackexchange", "wikihow", "reddit", "sni", "authored"):
        assert f"### {key}\n" in text


def test_card_body_tells_how_it_was_built_and_its_limits():
    text = card_markdown("sample", mixed(), MANIFEST)
    assert f"`{MANIFEST['command']}`" in text and "0123456789abcdef" in text
    assert "| stackexchange | 3 | 0 | 0 | 3 |" in text
    assert "| askreddit | 0 | 0 | 2 | 2 |" in text
    assert "| extract | answer_too_short | 7 |" in text and "| dedup | near_duplicate | 2 |" in text
    assert text.index("| extract | answer_too_short") < text.index("| dedup | near_duplicate")  # build order
    assert "Quota `stackexchange_stem` is short by 3 items" in text
    assert "Quota `wikihow` is short" not in text
    assert "dev has 1 hand-written items" in text
    for key in ("stackexchange", "wikihow", "reddit", "sni", "authored"):
        assert f"### {key}\n" in text
    assert "CC BY-NC-SA 3.0" in text and "Reddit" in text
    assert "method `kcenter`" in text


def test_single_licence_and_empty_splits():
    text = card_markdown("se", {"train": [se(1), se(2)]}, {})
    header, body = split_card(text)
    assert header["license"] == "cc-by-sa-4.0" and "license_name" not in header and "license_link" not in header
    assert header["source_datasets"] == ["stack-exchange-data-dump"]
    assert header["configs"][0]["data_files"] == [{"split": "train", "path": "train.jsonl"}]
    assert "The dev split is empty." in body and "The test split is empty." in body


def test_card_is_deterministic():
    assert card_markdown("sample", mixed(), MANIFEST) == card_markdown("sample", mixed(), MANIFEST)


def test_size_categories():
    assert [size_category(n) for n in (0, 999, 1000, 12_000, 2_000_000)] == [
        "n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M"]
