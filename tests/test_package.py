"""Packaging: the dataset folder, its card, CITATION.cff, croissant.json, checksums and the release check.

Unit tests build small tables from infospace.schema; the end-to-end tests use the `built_project` fixture (a real
snakemake run in a temporary copy of the project).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import polars as pl
import pyarrow.parquet as pq
import pytest
import yaml

from infospace import card, package, release
from infospace.schema import SPLITS, TABLES, UNDETERMINED_LANGUAGE, schema_for
from infospace.tables import PARQUET_SETTINGS

from conftest import REPO, final_table, run_snakemake

CFF_SCHEMA = Path(__file__).parent / "data" / "cff-1.2.0-schema.json"
MLCROISSANT = str(Path(sys.executable).with_name("mlcroissant"))
OFFLINE_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
DATASET = {
    "name": "infospace-corpus",
    "pretty_name": "Test corpus",
    "maintainers": "Test maintainers",
    "contact": "Open an issue",
    "license_name": "mixed-source-terms",
    "license_link": "LICENSE-DATA.md",
    "release_date": "2026-11-22",
}
CHANGELOG = "# Changelog\n\n## [0.1.0] - 2026-11-22\n\n- First version.\n"


# --- Synthetic tables --------------------------------------------------------------------------------------------


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """Rows (only some columns given) as a frame of `table`'s full schema; missing columns are filled by type."""
    schema = schema_for(table)
    full = []
    for row in rows:
        filled = {}
        for field in schema:
            if field.name in row:
                filled[field.name] = row[field.name]
            elif field.nullable:
                filled[field.name] = None
            elif str(field.type).startswith("list"):
                filled[field.name] = []
            elif str(field.type) == "bool":
                filled[field.name] = False
            elif str(field.type) in ("int32", "int64"):
                filled[field.name] = 0
            elif str(field.type) == "double":
                filled[field.name] = 1.0
            else:
                filled[field.name] = "x"
        full.append(filled)
    return pl.DataFrame(full, schema=pl.from_arrow(schema.empty_table()).schema)


def synthetic_tables() -> dict[str, pl.DataFrame]:
    """Two sources, six documents (two per split), a translation pair, a paragraph duplicate, some audit rows."""
    sources = frame("sources", [
        {"source_id": "src-a", "path": "a.txt", "publisher": "Agency A", "original_source": "unknown",
         "country": "BY", "affiliation": "state_owned_media", "published": "2024-01-03", "terms": "unknown",
         "languages_declared": ["en"]},
        {"source_id": "src-b", "path": "b.txt", "publisher": "unknown", "original_source": "Ministry B",
         "country": "RU", "affiliation": "government", "url": None, "published": "2025-06",
         "terms": "unknown", "languages_declared": ["ru", "en"]},
    ])
    texts = ["The special military operation and the Kiev regime.", "Цифровой суверенитет и коллективный Запад.",
             "Plain news text.", "Обычный текст.", "Another text.", "Ещё текст."]
    documents = frame("documents", [
        {"doc_id": f"src-{'ab'[i % 2]}/{i}", "source_id": f"src-{'ab'[i % 2]}", "position": i, "text": text,
         "n_chars": len(text), "n_paragraphs": 1, "language": "en" if i % 2 == 0 else "ru",
         "languages": ["en" if i % 2 == 0 else "ru"], "split": SPLITS[i // 2],
         "published": dt.datetime(2024, 1, 3, 10, 30) if i == 0 else None, "author": "A. Author" if i == 1 else None,
         "translation_group": "tg-1" if i in (2, 3) else None, "hashtags": ["#news"] if i == 0 else []}
        for i, text in enumerate(texts)
    ])
    paragraphs = frame("paragraphs", [
        {"para_id": f"{d['doc_id']}/0", "doc_id": d["doc_id"], "source_id": d["source_id"], "byte_start": i * 10,
         "byte_end": i * 10 + 5, "text": d["text"], "language": d["language"], "split": d["split"],
         "is_duplicate": i == 5, "dup_cluster_id": "paragraph/src-b/1/0" if i in (1, 5) else None}
        for i, d in enumerate(documents.to_dicts())
    ])
    audit = frame("audit", [
        {"audit_id": "src-a/a0", "source_id": "src-a", "byte_start": 0, "byte_end": 8, "text": "All news",
         "reason": "navigation", "rule": "^all news$"},
        {"audit_id": "src-b/a3", "source_id": "src-b", "byte_start": 3, "byte_end": 9, "text": "Share!",
         "reason": "call_to_action", "rule": "^share$"},
    ])
    duplicates = frame("duplicates", [
        {"cluster_id": "paragraph/src-b/1/0", "level": "paragraph", "member_id": m, "kept_id": "src-b/1/0",
         "method": "exact", "similarity": 1.0} for m in ("src-b/1/0", "src-b/5/0")
    ])
    message_gaps = frame("message_gaps", [
        {"source_id": "src-b", "channel": "Channel B", "channel_id": "77", "first_missing": 4, "last_missing": 6,
         "n_missing": 3}])
    return {"documents": documents, "paragraphs": paragraphs, "audit": audit, "duplicates": duplicates,
            "sources": sources, "message_gaps": message_gaps}


def synthetic_split_report(merge_moves: list[dict] | None = None, moves: list[dict] | None = None) -> dict:
    """A split report of the shape scripts/infospace/split.py writes, for the synthetic tables."""
    return {
        "salt": "s",
        "ratios": {"train": 0.8, "validation": 0.1, "test": 0.1},
        "hash": "int(sha256(salt + key)) / 2**64",
        "group_key": "smallest doc_id of the group",
        "link_paragraph_duplicates": True,
        "link_min_chars": 40,
        "groups": {"train": 2, "validation": 1, "test": 2},
        "documents": {"train": 2, "validation": 2, "test": 2},
        "paragraphs": {"train": 2, "validation": 2, "test": 2},
        "hash_groups": {"train": 3, "validation": 0, "test": 2},
        "small_corpus_rule": {"name": "fill_empty_splits", "enabled": True, "eligible": True,
                              "applied": bool(moves), "moves": moves or [], "unfilled": []},
        "lock": {"entries": 4, "locked_documents": 4, "new_documents": 2, "locked_groups": 3, "new_groups": 2,
                 "merge_moves": merge_moves or [], "stale_entries": 0, "stale_doc_ids": []},
        "unsplit_tables": {"audit": 2, "duplicates": 2, "sources": 2},
    }


def inputs(tables: dict[str, pl.DataFrame] | None = None, releases: dict[str, str] | None = None,
           changelog: str = CHANGELOG, version: str = "0.1.0",
           split_report: dict | None = None) -> package.PackageInputs:
    return package.PackageInputs(
        tables=tables or synthetic_tables(),
        split_report=split_report or synthetic_split_report(),
        translation_links={"links": [{"doc_a": "src-a/2", "doc_b": "src-b/3"}], "rejected": []},
        releases=releases or {},
        changelog=changelog,
        data_terms="# Terms of the data\n",
        dataset=DATASET,
        version=version,
    )


@pytest.fixture(scope="module")
def synthetic_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("synthetic") / "dataset"
    package.build_dataset(inputs(), target)
    return target


# --- Pure functions ----------------------------------------------------------------------------------------------


def test_feature_yaml_matches_datasets_for_every_table():
    from datasets import Features

    for table in TABLES:
        expected = Features.from_arrow_schema(schema_for(table))._to_yaml_list()
        assert package.features_yaml(table) == expected, table


def split_sizes(frame: pl.DataFrame, config: str) -> dict[str, int]:
    """Rows per split of a config's table."""
    return {split: frame.filter(package.split_filter(config, split)).height for split in package.config_splits(config)}


def test_split_batches_and_file_names():
    tables = synthetic_tables()
    assert split_sizes(tables["documents"], "documents") == dict.fromkeys(SPLITS, 2)
    assert package.config_splits("audit") == ("full",) and split_sizes(tables["audit"], "audit") == {"full": 2}
    [batch] = package.split_batches(tables["documents"], "documents", "train")
    assert batch.num_rows == 2 and batch.schema.equals(schema_for("documents"))
    assert package.data_file("documents", "train") == "data/documents/train-00000-of-00001.parquet"
    assert package.shard_count(0, 10) == 1 and package.shard_count(11, 10) == 2
    bad = tables["documents"].with_columns(pl.lit("dev").alias("split"))
    with pytest.raises(ValueError, match="unknown splits"):
        package.check_splits(bad, "documents")


def test_data_files_do_not_depend_on_how_the_input_is_cut(tmp_path: Path):
    """The same rows, arriving in batches cut anywhere, give byte-identical files and row groups."""
    layout = package.DataLayout(max_rows_per_file=10, row_group_rows=4)
    documents = synthetic_tables()["documents"]
    rows = package.to_arrow(pl.concat([documents.with_columns(pl.col("doc_id") + f"-{i}") for i in range(4)]),
                            "documents")  # 24 rows
    outputs = []
    for cuts in ([24], [1, 23], [5, 5, 5, 9], [3] * 8, [0, 24, 0]):
        batches, start = [], 0
        for size in cuts:
            batches.append(rows.slice(start, size))
            start += size
        root = tmp_path / "-".join(map(str, cuts))
        paths = package.write_split(batches, rows.num_rows, root, "documents", "train", layout)
        outputs.append({rel: (root / rel).read_bytes() for rel in paths})
    assert all(output == outputs[0] for output in outputs)
    assert list(outputs[0]) == [f"data/documents/train-0000{i}-of-00003.parquet" for i in range(3)]
    groups = [pq.ParquetFile(tmp_path / "24" / rel).metadata for rel in outputs[0]]
    assert [[m.row_group(g).num_rows for g in range(m.num_row_groups)] for m in groups] == [[4, 4], [4, 4], [4, 4]]


def test_checksums_and_fingerprint_are_sorted_and_stable():
    sums = package.sha256sums({"data/b.parquet": "2" * 64, "croissant.json": "1" * 64})
    assert sums.splitlines() == [f"{'1' * 64}  croissant.json", f"{'2' * 64}  data/b.parquet"]
    assert package.fingerprint_of(sums) == package.fingerprint_of(sums)
    assert package.is_fingerprinted("data/documents/train-00000-of-00001.parquet")
    assert not any(package.is_fingerprinted(name) for name in ("README.md", "CITATION.cff", "CHANGELOG.md",
                                                               "SHA256SUMS"))


def test_release_check_refuses_a_changed_released_version():
    package.check_release("0.1.0", "a" * 64, {})
    package.check_release("0.1.0", "a" * 64, {"0.1.0": "a" * 64})
    with pytest.raises(package.ReleaseError, match="Bump `version`"):
        package.check_release("0.1.0", "a" * 64, {"0.1.0": "b" * 64})
    assert package.load_releases("releases: {}\n") == {}
    assert package.load_releases(f'releases:\n  "0.1.0": "{"a" * 64}"\n') == {"0.1.0": "a" * 64}
    with pytest.raises(package.ReleaseError, match="64 hex digits"):
        package.load_releases("releases:\n  0.1.0: 000\n")


def test_changelog_needs_an_entry_for_the_version():
    package.check_changelog("0.1.0", CHANGELOG)
    with pytest.raises(package.ReleaseError, match="no entry for version 0.2.0"):
        package.check_changelog("0.2.0", CHANGELOG)


def test_card_sections_and_statistics(synthetic_dataset: Path):
    text = (synthetic_dataset / "README.md").read_text(encoding="utf-8")
    for heading in ("## Summary", "## Uses", "## Out-of-scope uses", "## Structure", "### How the splits were made",
                    "### How to filter duplicates", "## Statistics", "## Source provenance",
                    "## Collection and processing", "### Removed text per reason", "## Bias, risks and limitations",
                    "## Personal information", "## Licensing and terms per source", "### Takedown requests",
                    "## Citation", "## Versioning and maintenance", "## Glossary of loaded terms"):
        assert heading in text, heading
    for bullet in card.BIAS_BULLETS + card.OUT_OF_SCOPE:
        assert bullet in text
    for config in package.CONFIGS:
        for column in TABLES[config]:
            assert column.description.replace("|", "\\|") in text
    assert "| src-a | 3 | 3 |" in text  # documents and paragraphs per source
    assert "| `navigation` | 1 | 8 |" in text
    assert "1 translation groups hold 2 documents, with 1 translation links" in text
    assert "special military operation" in text and "decommunization" not in text  # only terms that occur
    assert "| publisher | unknown |" in text  # unknown stated in the provenance table
    fingerprint = package.fingerprint_of((synthetic_dataset / "SHA256SUMS").read_text(encoding="utf-8"))
    assert f"sha256:{fingerprint}" in text and "Version 0.1.0" in text or "version **0.1.0**" in text


def test_card_split_text_comes_from_the_split_report(synthetic_dataset: Path, tmp_path: Path):
    text = (synthetic_dataset / "README.md").read_text(encoding="utf-8")
    assert "smaller `doc_id` joins" not in text
    assert "salt `s`" in text and "train 0.8, validation 0.1, test 0.1" in text
    assert "4 locked documents in 3 groups kept their released split" in text
    assert "2 new documents in 2 new groups were placed by the hash" in text
    assert "0 released document(s) moved because groups merged" in text
    assert "| hash_groups | 3 | 0 | 2 |" in text
    report = synthetic_split_report(
        merge_moves=[{"doc_id": "src-b/3", "group_key": "src-a/2", "from": "test", "to": "validation",
                      "decided_by": "src-a/2"}],
        moves=[{"group_key": "src-a/4", "position": 0.5, "from": "train", "to": "validation"}])
    package.build_dataset(inputs(split_report=report), tmp_path / "dataset")
    moved = (tmp_path / "dataset" / "README.md").read_text(encoding="utf-8")
    assert "1 released document(s) moved because groups merged" in moved
    assert "| `src-b/3` | test | validation | `src-a/2` |" in moved
    assert "applied, 1 group(s) moved" in moved and "| `src-a/4` | train | validation |" in moved


def test_card_tools_are_the_packages_each_step_imports():
    """The card's tools per step are exactly the third-party distributions its modules import."""
    from importlib.metadata import packages_distributions

    modules = {"register_sources": ["sources", "yamlfile", "schema"],
               "parse": ["parse", "clean", "records", "shards", "html", "telegram", "schema"], "langid": ["langid"],
               "signatures": ["signatures", "dedup", "translation", "yamlfile"], "dedup_documents": ["dedup"],
               "dedup_paragraphs": ["dedup"],
               "translation": ["translation", "yamlfile"], "split": ["split"], "assemble": ["assemble"],
               "provenance": ["provenance"], "validate": ["validate"], "figures": ["figures"],
               "validation_figure": ["figures"],
               "package": ["package", "card", "tables"], "release": ["release"]}
    distributions = packages_distributions()

    def normalize(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    declared = {rule: {normalize(p) for p in packages} for _, rule, _, packages in card.STEPS}
    for rule, names in modules.items():
        imported = set()
        for name in names:
            tree = ast.parse((REPO / "scripts" / "infospace" / f"{name}.py").read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    tops = [alias.name.split(".")[0] for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    tops = [node.module.split(".")[0]]
                else:
                    continue
                imported |= {normalize(d) for top in tops if top != "infospace"
                             for d in distributions.get(top, [])}
        assert declared[rule] == imported, rule
    tools = {normalize(t) for t in card.RAI_MACHINE_TOOLS}
    assert tools and tools <= set().union(*declared.values())
    assert not tools & {"xxhash", "datasets", "mlcroissant"}


def test_sha256sums_cover_data_and_croissant(synthetic_dataset: Path):
    listed = [line.split("  ", 1)[1] for line in (synthetic_dataset / "SHA256SUMS").read_text().splitlines()]
    files = sorted(p.relative_to(synthetic_dataset).as_posix() for p in synthetic_dataset.rglob("*") if p.is_file())
    assert listed == sorted(f for f in files if package.is_fingerprinted(f))
    assert set(files) - set(listed) == {"README.md", "CITATION.cff", "CHANGELOG.md", "SHA256SUMS"}
    for line in (synthetic_dataset / "SHA256SUMS").read_text().splitlines():
        digest, rel = line.split("  ", 1)
        assert package.sha256_file(synthetic_dataset / rel) == digest


def test_parquet_files_use_the_writer_setting_and_sorted_rows(synthetic_dataset: Path):
    path = synthetic_dataset / package.data_file("documents", "train")
    meta = pq.ParquetFile(path).metadata
    assert meta.row_group(0).column(0).compression.lower() == PARQUET_SETTINGS["compression"]
    table = pq.read_table(path)
    # Parquet has no seconds unit: timestamp[s] is stored as milliseconds and cast back by the declared features.
    assert table.cast(schema_for("documents")).schema.equals(schema_for("documents"), check_metadata=False)
    assert [f.name for f in table.schema] == schema_for("documents").names
    assert not any("large" in str(f.type) for f in table.schema)
    keys = table.select(["source_id", "position"]).to_pylist()
    assert keys == sorted(keys, key=lambda row: (row["source_id"], row["position"]))


def test_empty_config_is_left_out_of_the_metadata(tmp_path: Path):
    tables = synthetic_tables()
    tables["duplicates"] = tables["duplicates"].clear()
    package.build_dataset(inputs(tables), tmp_path / "dataset")
    check_card_metadata(tmp_path / "dataset")
    check_croissant(tmp_path / "dataset")
    text = (tmp_path / "dataset" / "README.md").read_text(encoding="utf-8")
    assert "config_name: duplicates" not in text and "`duplicates` full" in text
    check_loads(tmp_path / "dataset", tables, tmp_path / "cache")


def test_build_is_deterministic_and_atomic(tmp_path: Path, synthetic_dataset: Path):
    target = tmp_path / "dataset"
    package.build_dataset(inputs(), target)
    assert folder_bytes(target) == folder_bytes(synthetic_dataset)
    before = folder_bytes(target)
    changed = synthetic_tables()
    changed["documents"] = changed["documents"].with_columns(pl.col("text") + "!")
    with pytest.raises(package.ReleaseError):
        package.build_dataset(inputs(changed, releases={"0.1.0": "0" * 64}), target)
    assert folder_bytes(target) == before  # the earlier dataset is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]  # no staging left behind


def test_release_copies_the_checked_folder_and_refuses_a_changed_one(tmp_path: Path, synthetic_dataset: Path):
    """`release` puts an exact copy of the packaged folder in place, and refuses one whose files do not match its
    SHA256SUMS (a file changed or missing after packaging), leaving the earlier dataset as it was."""
    built, target = tmp_path / "package", tmp_path / "results" / "dataset"
    shutil.copytree(synthetic_dataset, built)
    release.release_dataset(built, target)
    assert folder_bytes(target) == folder_bytes(synthetic_dataset)
    before = folder_bytes(target)

    data_file = sorted(built.glob("data/documents/*.parquet"))[0]
    data_file.write_bytes(data_file.read_bytes() + b"\0")
    with pytest.raises(release.ReleaseCheckError, match=re.escape(f"{data_file.name}: sha256")):
        release.release_dataset(built, target)
    data_file.unlink()
    with pytest.raises(release.ReleaseCheckError, match="listed in SHA256SUMS but missing"):
        release.release_dataset(built, target)
    assert folder_bytes(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["dataset"]  # no staging left behind


def test_citation_validates_against_cff_schema(synthetic_dataset: Path):
    validate_cff(synthetic_dataset / "CITATION.cff")


def test_synthetic_dataset_loads_and_validates(synthetic_dataset: Path, tmp_path: Path):
    check_loads(synthetic_dataset, synthetic_tables(), tmp_path)
    check_croissant(synthetic_dataset)
    check_card_metadata(synthetic_dataset)


class FakeHub:
    """Records the calls publish() makes; stands in for huggingface_hub.HfApi."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def create_repo(self, repo_id: str, **kwargs) -> None:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs))
        return type("Commit", (), {"oid": "c0ffee"})()

    def create_tag(self, repo_id: str, **kwargs) -> None:
        self.calls.append(("create_tag", {"repo_id": repo_id, **kwargs}))


def test_publish_uploads_and_tags_the_version(synthetic_dataset: Path):
    import run_publish

    fingerprint = run_publish.fingerprint_of_folder(synthetic_dataset)
    hub = FakeHub()
    receipt = run_publish.publish(hub, synthetic_dataset, "owner/name", "0.1.0", fingerprint)
    assert [name for name, _ in hub.calls] == ["create_repo", "upload_folder", "create_tag"]
    assert hub.calls[0][1]["exist_ok"] is True and hub.calls[2][1]["tag"] == "v0.1.0"
    assert hub.calls[2][1]["revision"] == "c0ffee"
    assert receipt["fingerprint"] == f"sha256:{fingerprint}"
    run_publish.check_recorded("0.1.0", fingerprint, {"0.1.0": fingerprint})
    with pytest.raises(run_publish.PublishError, match="not recorded"):
        run_publish.check_recorded("0.1.0", fingerprint, {})
    assert run_publish.redact("token hf_secret in text", "hf_secret") == "token *** in text"


# --- Shared checks -----------------------------------------------------------------------------------------------


def folder_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def validate_cff(path: Path) -> None:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(document)
    assert document["type"] == "dataset" and document["cff-version"] == "1.2.0"
    assert isinstance(document["date-released"], str)  # quoted, so YAML keeps it a string


def check_loads(root: Path, tables: dict[str, pl.DataFrame], cache: Path) -> None:
    """Every config loads from a fresh cache with the declared features and the tables' split sizes."""
    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    from datasets import Features, load_dataset

    for config in package.CONFIGS:
        expected = {split: n for split, n in split_sizes(tables[config], config).items()
                    if n}  # empty splits are not declared (datasets cannot load them)
        if not expected:
            continue
        loaded = load_dataset(str(root), name=config, cache_dir=str(cache / config))
        assert loaded[next(iter(loaded))].features == Features.from_arrow_schema(schema_for(config))
        assert {split: loaded[split].num_rows for split in loaded} == expected, config
    default = load_dataset(str(root), cache_dir=str(cache / "default"))
    assert set(default) == set(SPLITS) and "doc_id" in default["train"].column_names


def check_croissant(root: Path) -> None:
    result = subprocess.run([MLCROISSANT, "validate", "--jsonld", str(root / "croissant.json")],
                            capture_output=True, text=True, env=OFFLINE_ENV, cwd=root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads((root / "croissant.json").read_text(encoding="utf-8"))
    for field in ("rai:dataCollection", "rai:dataBiases", "rai:dataLimitations", "rai:personalSensitiveInformation",
                  "rai:dataUseCases", "rai:dataSocialImpact"):
        assert document[field], field
    languages = set(pl.read_parquet(root / "data" / "documents")["language"].to_list())
    assert document["inLanguage"] == sorted(languages - {UNDETERMINED_LANGUAGE})
    objects = {d["contentUrl"]: d["sha256"] for d in document["distribution"] if d["@type"] == "cr:FileObject"}
    data_files = sorted(p.relative_to(root).as_posix() for p in (root / "data").rglob("*.parquet"))
    assert sorted(objects) == data_files
    assert all(package.sha256_file(root / rel) == digest for rel, digest in objects.items())


def check_card_metadata(root: Path) -> None:
    from huggingface_hub import DatasetCard

    data = DatasetCard.load(root / "README.md").data
    assert data.license == "other" and data.pretty_name
    configs = {c["config_name"]: c for c in data.configs}
    assert configs["documents"].get("default") is True
    assert {info["config_name"] for info in data.dataset_info} == set(configs)


# --- End to end on the real DAG ----------------------------------------------------------------------------------


def real_tables(project: Path) -> dict[str, pl.DataFrame]:
    return {config: final_table(project, config) for config in package.CONFIGS}


def test_built_dataset_loads_with_declared_features(built_project: Path, tmp_path: Path):
    check_loads(built_project / "results" / "dataset", real_tables(built_project), tmp_path)


def test_built_croissant_validates(built_project: Path):
    check_croissant(built_project / "results" / "dataset")


def test_built_citation_validates(built_project: Path):
    validate_cff(built_project / "results" / "dataset" / "CITATION.cff")


def test_built_card_metadata_parses(built_project: Path):
    check_card_metadata(built_project / "results" / "dataset")


def test_built_card_equals_committed_dataset_card(built_project: Path):
    rendered = (built_project / "results" / "dataset" / "README.md").read_text(encoding="utf-8")
    committed = (REPO / "DATASET_CARD.md").read_text(encoding="utf-8")
    assert committed == rendered, (
        "DATASET_CARD.md differs from the card the pipeline renders: copy results/dataset/README.md to "
        "DATASET_CARD.md after `snakemake --cores 4`.")


def test_built_release_refuses_changed_output_under_released_version(built_project: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    version = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))["version"]
    (project / "config" / "releases.yaml").write_text(f'releases:\n  "{version}": "{"0" * 64}"\n', encoding="utf-8")
    result = run_snakemake(project)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"Version {version} was released with fingerprint {'0' * 64}" in output
    assert "Bump `version` in config/config.yaml and add a CHANGELOG.md entry" in output


def test_built_publish_without_token_fails_cleanly(built_project: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    env = {k: v for k, v in OFFLINE_ENV.items() if k != "HF_TOKEN"}
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    result = subprocess.run([snakemake, "--cores", "1", "results/publish/owner/name.json"], cwd=project,
                            capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "HF_TOKEN is not set" in result.stdout + result.stderr
    assert not (project / "results" / "publish" / "owner" / "name.json").exists()


def test_glossary_counts_match_python_regular_expressions():
    """The card counts glossary terms with polars; Python's re finds the same documents."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_corpus import generate

    texts = [post["text"] for post in generate(300, seed=5)[0]]
    texts += [path.read_text(encoding="utf-8") for path in sorted((REPO / "data" / "raw").glob("*.txt"))]
    texts += ["The Special Military Operation.", "СПЕЦИАЛЬНАЯ ВОЕННАЯ ОПЕРАЦИЯ", "ЦСВО", "СВО.", "neo-Nazis", "Kyiv regime"]
    found = {term: n for term, _, n in card.glossary_hits(pl.DataFrame({"text": texts}).lazy())}
    for term, _, patterns in card.GLOSSARY:
        regex = re.compile("|".join(f"(?:{p})" for p in patterns), flags=re.IGNORECASE)
        assert found.get(term, 0) == sum(1 for text in texts if regex.search(text)), term
    assert found["special military operation"] >= 3
