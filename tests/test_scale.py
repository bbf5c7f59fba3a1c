"""The sharded DAG end to end on the seeds plus small bulk corpora (JSONL and Parquet): shard-size and core
invariance, sharded data files loaded by `datasets` (also streaming), provenance of every row, incremental builds,
a killed job, and bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from infospace.provenance import resolve
from infospace.shards import read_manifest

from conftest import (REPO, SMALL_FILES, SNAKEMAKE, bulk_project, copy_project, file_hashes, final_table, generate,
                      register, result_hashes, run_snakemake, set_config, write_jsonl)

def test_shards_and_sharded_data_files(built_bulk: Path) -> None:
    manifest = (built_bulk / "results" / "shards" / "synthetic-jsonl-channel.tsv").read_text().splitlines()
    assert len(manifest) == 1 + 3  # 600 records in shards of 250
    assert sorted(p.name for p in (built_bulk / "results" / "tables" / "synthetic-jsonl-channel").iterdir()) == [
        "00000", "00001", "00002"]
    dataset = built_bulk / "results" / "dataset"
    train = sorted((dataset / "data" / "documents").glob("train-*.parquet"))
    assert len(train) >= 2 and all(re.fullmatch(rf"train-0000\d-of-0000{len(train)}\.parquet", p.name) for p in train)
    listed = {line.split("  ")[1] for line in (dataset / "SHA256SUMS").read_text().splitlines()}
    data_files = {p.relative_to(dataset).as_posix() for p in (dataset / "data").rglob("*.parquet")}
    assert data_files <= listed
    croissant = json.loads((dataset / "croissant.json").read_text(encoding="utf-8"))
    assert {d["contentUrl"] for d in croissant["distribution"] if d["@type"] == "cr:FileObject"} == data_files
    for path in train:
        metadata = pq.ParquetFile(path).metadata
        assert metadata.num_rows <= SMALL_FILES["max_rows_per_file"]
        assert all(metadata.row_group(g).num_rows <= SMALL_FILES["row_group_rows"]
                   for g in range(metadata.num_row_groups))


def test_same_bytes_whatever_the_shard_size_and_the_cores(built_bulk: Path, tmp_path: Path) -> None:
    """Shards of 200 records built one job at a time against shards of 250 built with four cores: every shard
    boundary but the first moves, and the dataset's bytes must not."""
    other = bulk_project(tmp_path / "project", shard_size=200)
    result = run_snakemake(other, cores=1)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for source, ends in (("synthetic-jsonl-channel", [200, 400, 600]), ("synthetic-parquet-channel", [200, 300])):
        manifest, reference = (read_manifest(project / "results" / "shards" / f"{source}.tsv")
                               for project in (other, built_bulk))
        assert [shard.end_record for shard in manifest] == ends
        assert [shard.end_record for shard in reference] != ends
    first, second = file_hashes(built_bulk / "results" / "dataset"), file_hashes(other / "results" / "dataset")
    assert first == second


def test_bulk_dataset_loads_in_full_and_streaming(built_bulk: Path, tmp_path: Path) -> None:
    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    from datasets import load_dataset

    dataset = str(built_bulk / "results" / "dataset")
    documents = final_table(built_bulk, "documents")
    expected = dict(documents.group_by("split").len().iter_rows())
    loaded = load_dataset(dataset, "documents", cache_dir=str(tmp_path / "cache"))
    assert {split: loaded[split].num_rows for split in loaded} == expected
    assert sorted(loaded["train"]["doc_id"]) == sorted(documents.filter(pl.col("split") == "train")["doc_id"])
    streamed = load_dataset(dataset, "paragraphs", split="train", streaming=True)
    ids = [row["para_id"] for row in streamed]
    paragraphs = final_table(built_bulk, "paragraphs").filter(pl.col("split") == "train")
    assert sorted(ids) == sorted(paragraphs["para_id"]) and len(ids) == len(set(ids))


def test_every_row_resolves_to_its_raw_bytes(built_bulk: Path) -> None:
    sources = {row["source_id"]: row for row in final_table(built_bulk, "sources").to_dicts()}
    encodings = dict(final_table(built_bulk, "documents").group_by("source_id")
                     .agg(pl.col("encoding").first()).iter_rows())
    rows = final_table(built_bulk, "paragraphs").to_dicts() + final_table(built_bulk, "audit").to_dicts()
    formats = set()
    for row in rows:
        source = sources[row["source_id"]]
        formats.add(source["format"])
        raw = built_bulk / "data" / "raw" / source["path"]
        assert resolve(raw, source, row, encodings.get(row["source_id"], "utf-8")) == row["text"], row
    assert formats == {"web_article", "telegram_feed", "jsonl", "parquet"}


def planned_jobs(project: Path) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run plans."""
    result = run_snakemake(project, "--dry-run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    jobs = []
    for block in re.split(r"\n(?=(?:local)?(?:rule|checkpoint) )", result.stdout):
        match = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block)
        if match:
            wildcards = re.search(r"wildcards: (.*)", block)
            jobs.append((match.group(1), wildcards.group(1) if wildcards else ""))
    return jobs


def test_adding_a_source_reruns_its_shard_jobs_and_the_corpus_steps(built_bulk: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(built_bulk, project, symlinks=True)
    assert planned_jobs(project) == []
    write_jsonl(project / "data" / "raw" / "added.jsonl", generate(120, seed=13)[0])
    register(project, "added.jsonl", "jsonl", "synthetic-added-channel")
    jobs = planned_jobs(project)
    by_rule: dict[str, list[str]] = {}
    for rule, wildcards in jobs:
        by_rule.setdefault(rule, []).append(wildcards)
    # The new source's own jobs (its manifest first: its shards are known once it has run).
    assert by_rule["shard_manifest"] == ["source=synthetic-added-channel"]
    for rule in ("parse", "langid", "signatures"):
        assert all("source=synthetic-added-channel" in w for w in by_rule.get(rule, [])), (rule, by_rule.get(rule))
    # No other source is parsed, tagged or hashed again; the corpus-wide steps run.
    assert {"dedup_documents", "dedup_paragraphs", "translation", "split", "validate", "package"} <= set(by_rule)
    assert "register_sources" in by_rule  # the registry changed
    result = run_snakemake(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ran = re.findall(r"(?:rule|checkpoint) (\w+):\n(?:\s+\w+: .*\n)*?\s+wildcards: source=([\w-]+)", result.stderr)
    by_rule = {}
    for rule, source in ran:
        by_rule.setdefault(rule, set()).add(source)
    for rule in ("parse", "langid", "signatures", "shard_manifest"):
        assert by_rule[rule] == {"synthetic-added-channel"}, (rule, by_rule)
    # Every shard's final rows are assembled again: the corpus-wide mappings they apply may have changed (a new
    # source can hold an earlier copy of an old document, which then leaves as a duplicate).
    assert by_rule["assemble"] == set(final_table(project, "sources")["source_id"])
    assert planned_jobs(project) == []


def running_script(name: str) -> int | None:
    """The pid of a running process whose command line names `name` (a rule's script), if any."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if name in cmdline and "snakemake " not in cmdline:
                return int(entry.name)
    return None


def test_a_killed_shard_job_and_a_rerun_end_byte_identical(built_bulk: Path, tmp_path: Path) -> None:
    project = bulk_project(tmp_path / "project", shard_size=250)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    process = subprocess.Popen([SNAKEMAKE, "--cores", "2"], cwd=project, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline, victim = time.monotonic() + 300, None
    while victim is None and process.poll() is None and time.monotonic() < deadline:
        victim = running_script("run_langid.py")
        time.sleep(0.05)
    assert victim is not None, "no langid job was seen running"
    os.kill(victim, signal.SIGKILL)
    output, _ = process.communicate(timeout=600)
    assert process.returncode != 0, output[-3000:]
    assert "Error in rule langid" in output, output[-3000:]
    result = run_snakemake(project, cores=2)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # Every output, not only the dataset: per-shard and corpus-wide tables too (the reference ran on 4 cores).
    rerun, reference = result_hashes(project), result_hashes(built_bulk)
    assert rerun.keys() == reference.keys()
    assert [name for name in reference if rerun[name] != reference[name]] == []
    assert any(name.startswith("dataset/data/") for name in reference)


def test_a_bad_record_stops_the_run_naming_file_line_and_field(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    posts = generate(30, seed=14)[0]
    posts[7]["date"] = "the seventh of never"
    write_jsonl(project / "data" / "raw" / "broken.jsonl", posts)
    register(project, "broken.jsonl", "jsonl", "synthetic-broken-channel")
    result = run_snakemake(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "broken.jsonl: line 8 (byte " in output and "field `date`" in output and "bad_record:unparsable_date" in output
    assert not (project / "results" / "dataset").exists()

    set_config(project, records={"bad_records": {"unparsable_date": "audit"}})
    result = run_snakemake(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    audit = final_table(project, "audit").filter(pl.col("reason") == "bad_record:unparsable_date")
    assert audit["doc_id"].to_list() == [None] and "line 8" in audit["rule"][0]
    assert "synthetic-broken-channel/7" not in final_table(project, "documents")["doc_id"].to_list()


def test_a_repeated_record_id_stops_the_run_naming_both_records(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    posts = generate(30, seed=15)[0]
    posts[20]["id"] = posts[3]["id"]
    write_jsonl(project / "data" / "raw" / "twice.jsonl", posts)
    register(project, "twice.jsonl", "jsonl", "synthetic-twice-channel")
    result = run_snakemake(project, "results/dedup/duplicates.parquet")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"twice.jsonl: record_id '{posts[3]['id']}' is used by line 4 and line 21" in output


def test_benchmark_projects_are_what_a_clone_builds(tmp_path: Path) -> None:
    """scale.py's copy of the workflow holds every file a build in a clone reads, the workflow profile included (its
    scheduler), and seeds_versus.py's baseline is the revision's own files."""
    from scale import make_project
    from seeds_versus import baseline_project

    project = make_project(tmp_path / "current", None, 50_000)
    profile = Path("profiles") / "default" / "config.yaml"
    assert (project / profile).read_bytes() == (REPO / profile).read_bytes()
    tracked = subprocess.run(["git", "ls-files", "Snakefile", "rules", "scripts", "config", "profiles"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.split()
    assert tracked and all((project / name).exists() for name in tracked)
    baseline = baseline_project(tmp_path / "baseline", "HEAD")
    head = subprocess.run(["git", "show", "HEAD:Snakefile"], cwd=REPO, capture_output=True, check=True).stdout
    assert (baseline / "Snakefile").read_bytes() == head
