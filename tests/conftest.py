"""Shared fixtures: the real seeds and a real Snakemake run of the whole DAG in a throwaway copy of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RAW_DIR = REPO / "data" / "raw"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
PROJECT_FILES = ("Snakefile", "infospace.py", "rules", "profiles", "report", "scripts", "config", "envs", "data", "CHANGELOG.md", "DATASET_CARD.md",
                 "LICENSE-DATA.md")


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
