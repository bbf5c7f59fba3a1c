"""The real Snakemake DAG on the real seeds: it completes and is up to date afterwards. (Byte-reproducibility over
cores, shard sizes and a killed job is tested on the seeds plus bulk corpora: tests/test_scale.py.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl

from conftest import copy_project, final_table, run_snakemake

def test_nothing_to_do_after_a_build(built_project: Path):
    result = run_snakemake(built_project, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_the_dag_builds_every_table(built_project: Path):
    documents = final_table(built_project, "documents")
    assert documents.height >= 13  # 15 parsed documents, less any removed as duplicates
    assert set(documents["split"]) == {"train", "validation", "test"}
    assert (built_project / "results" / "validation" / "passed").is_file()
    assert (built_project / "results" / "dataset" / "README.md").is_file()


def test_seed_languages(built_project: Path):
    documents = final_table(built_project, "documents")
    by_file = {}
    sources = final_table(built_project, "sources")
    for source_id, path in sources.select("source_id", "path").iter_rows():
        by_file[path[:3]] = documents.filter(pl.col("source_id") == source_id)
    assert by_file["000"]["language"].to_list() == ["en"]
    assert by_file["001"]["language"].to_list() == ["en"]
    assert by_file["003"]["language"].to_list() == ["ru"]
    assert by_file["004"]["language"].to_list() == ["ru"]
    posts = by_file["002"]
    assert posts.height == 11
    for text, language in posts.select("text", "language").iter_rows():
        cyrillic = sum("а" <= ch.lower() <= "я" or ch.lower() == "ё" for ch in text)
        latin = sum("a" <= ch.lower() <= "z" for ch in text)
        assert language == ("ru" if cyrillic > latin else "en"), text[:80]
    assert set(posts["language"]) == {"ru", "en"}


def planned_rules(project: Path) -> set[str]:
    result = run_snakemake(project, "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    return set(re.findall(r"^rule (\w+):", result.stdout + result.stderr, flags=re.MULTILINE))


def test_editing_a_step_module_reruns_that_step(built_project: Path, tmp_path: Path):
    """Snakemake tracks a rule's script, not the modules it imports; the rules list them as inputs."""
    project = copy_project(tmp_path / "project")
    shutil.copytree(built_project / "results", project / "results")
    shutil.copytree(built_project / ".snakemake", project / ".snakemake")  # recorded checksums and provenance
    assert planned_rules(project) == set()
    card = project / "scripts" / "infospace" / "card.py"
    card.write_text(card.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert planned_rules(project) == {"package", "release", "all"}


def test_the_figures_and_the_package_do_not_wait_for_the_gate_but_the_release_does(built_project: Path,
                                                                                   tmp_path: Path):
    """Rerunning the gate reruns what it feeds (the validation figure, the release of the dataset), not the figures
    or the package, which run beside it."""
    project = copy_project(tmp_path / "project")
    shutil.copytree(built_project / "results", project / "results")
    shutil.copytree(built_project / ".snakemake", project / ".snakemake")
    result = run_snakemake(project, "--dry-run", "--forcerun", "validate")
    assert result.returncode == 0, result.stderr[-3000:]
    planned = set(re.findall(r"^rule (\w+):", result.stdout + result.stderr, flags=re.MULTILINE))
    assert planned == {"validate", "validation_figure", "release", "all"}
