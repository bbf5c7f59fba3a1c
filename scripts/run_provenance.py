"""Snakemake script of rule `provenance`: the accounting check of one shard's final rows against its raw bytes."""

import json
from pathlib import Path

import polars as pl

from infospace.provenance import shard_problems
from infospace.shards import read_manifest, whole_file_shard
from infospace.jobs import append_resources

source = dict(snakemake.params.source)
raw = Path(snakemake.input.raw)
if snakemake.input.manifest:
    shard = next(s for s in read_manifest(snakemake.input.manifest) if s.shard == snakemake.wildcards.shard)
else:
    shard = whole_file_shard(raw)
problems = shard_problems(raw, source, shard, pl.read_parquet(snakemake.input.documents, columns=["encoding"]),
                          pl.read_parquet(snakemake.input.paragraphs), pl.read_parquet(snakemake.input.audit))
Path(snakemake.output.problems).write_text(json.dumps(problems, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
Path(snakemake.log[0]).write_text(f"{len(problems)} accounting problem(s)\n", encoding="utf-8")
append_resources(snakemake.log[0])
