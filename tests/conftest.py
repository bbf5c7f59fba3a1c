"""Shared fixtures: the real seeds and a real Snakemake run of the whole DAG in a throwaway copy of the project."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
RAW_DIR = REPO / "data" / "raw"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
PROJECT_FILES = ("Snakefile", "infospace.py", "rules", "profiles", "report", "resources", "scripts", "config", "envs",
                 "data", "CHANGELOG.md", "DATASET_CARD.md", "LICENSE-DATA.md")
# GX result reports and Data Docs record when validation ran; every other output must be byte-identical.
NOT_REPRODUCIBLE = ("validation/results.json", "validation/data_docs/")

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_corpus import generate  # noqa: E402


def copy_project(dest: Path) -> Path:
    """Copy the workflow (not results/, logs/ or .snakemake/) to `dest` and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def run_snakemake(project: Path, *args: str, cores: int = 2) -> subprocess.CompletedProcess[str]:
    """Run the real snakemake CLI in `project`; returns the finished process (never raises on failure)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.run(
        [SNAKEMAKE, "--cores", str(cores), *args], cwd=project, capture_output=True, text=True, env=env
    )


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project on which `snakemake --cores 4` has run the default target successfully."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    result = run_snakemake(project, cores=4)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return project


def final_table(project: Path, name: str) -> "pl.DataFrame":
    """A final table of a built project: the shards' assembled tables concatenated (sources by id, shards in order),
    or the one file of the others (duplicates, sources, message_gaps)."""
    import polars as pl

    results = project / "results"
    if name == "duplicates":
        return pl.read_parquet(results / "dedup" / "duplicates.parquet")
    if name == "sources":
        return pl.read_parquet(results / "sources" / "sources.parquet")
    if name == "message_gaps":
        return pl.read_parquet(results / "gaps" / "message_gaps.parquet")
    paths = sorted((results / "tables").glob(f"*/*/{name}.parquet"))
    assert paths, f"no {name} tables in {results}"
    return pl.concat([pl.read_parquet(path) for path in paths], how="vertical")


def split_report_path(project: Path) -> Path:
    return project / "results" / "split" / "split_report.json"


def result_hashes(project: Path) -> dict[str, str]:
    """sha256 of every file under results/, but the validation run's time-stamped reports."""
    results = project / "results"
    hashes = {}
    for path in sorted(results.rglob("*")):
        relative = path.relative_to(results).as_posix()
        if path.is_file() and not relative.startswith(NOT_REPRODUCIBLE):
            hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


# --- Bulk corpora: the seeds plus synthetic channel histories (benchmarks/synthetic_corpus.py) ------------------

FIELDS = {"text": "text", "id": "id", "published": "date", "channel": "channel", "views": "views",
          "forwarded_from": "forwarded_from"}
SMALL_FILES = {"max_rows_per_file": 300, "row_group_rows": 64}


def register(project: Path, name: str, fmt: str, source_id: str, fields: dict | None = None) -> None:
    """Append a registry entry for data/raw/<name> (a synthetic bulk corpus; unknowns written as such)."""
    registry_path = project / "config" / "sources.yaml"
    registry = yaml.safe_load(registry_path.read_text(encoding="utf-8"))
    registry["sources"].append({
        "id": source_id, "path": name,
        "sha256": hashlib.sha256((project / "data" / "raw" / name).read_bytes()).hexdigest(),
        "format": fmt, "fields": fields or FIELDS, "publisher": "unknown", "original_source": "unknown",
        "country": "RU", "affiliation": "unknown", "affiliation_evidence": "A synthetic test corpus.", "url": None,
        "published": "unknown", "published_precision": "unknown", "published_basis": "unknown",
        "retrieved": "unknown", "retrieved_precision": "unknown", "languages_declared": ["ru", "en"],
        "terms": "unknown", "notes": "Synthetic channel history written by the tests (benchmarks/synthetic_corpus.py).",
    })
    registry_path.write_text(yaml.safe_dump(registry, sort_keys=False, allow_unicode=True), encoding="utf-8")


def set_config(project: Path, **sections: dict) -> None:
    path = project / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section, values in sections.items():
        config[section] = {**config[section], **values}
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_jsonl(path: Path, posts: list[dict]) -> None:
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")


def bulk_project(root: Path, shard_size: int) -> Path:
    """The seeds, a 600-post JSONL channel and a 300-row Parquet channel, cut into shards of `shard_size`."""
    project = copy_project(root)
    raw = project / "data" / "raw"
    write_jsonl(raw / "channel.jsonl", generate(600, seed=11)[0])
    rows = generate(300, seed=12)[0]
    pq.write_table(pa.Table.from_pylist(rows), raw / "channel.parquet", row_group_size=128)
    register(project, "channel.jsonl", "jsonl", "synthetic-jsonl-channel")
    register(project, "channel.parquet", "parquet", "synthetic-parquet-channel")
    set_config(project, records={"shard_size": shard_size}, package=SMALL_FILES)
    return project


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built_bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bulk project in shards of 250, built with `snakemake --cores 4` (the reference for the invariance, kill,
    incremental and SLURM tests)."""
    project = bulk_project(tmp_path_factory.mktemp("bulk") / "project", shard_size=250)
    result = run_snakemake(project, cores=4)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return project
