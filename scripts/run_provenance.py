"""Snakemake script of rule `provenance`: the accounting check of one shard's final rows against its raw bytes."""

import json
from pathlib import Path

import polars as pl

from infospace.jobs import append_resources, without_cycle_collection
from infospace.provenance import shard_problems
from infospace.shards import job_shard

without_cycle_collection()  # see infospace.jobs

raw = Path(snakemake.input.raw)
shard, facts = job_shard(snakemake.input.manifest, snakemake.wildcards.shard, raw)
source = {**snakemake.params.source, "facts": facts}
problems = shard_problems(raw, source, shard, pl.read_parquet(snakemake.input.documents, columns=["encoding"]),
                          pl.read_parquet(snakemake.input.paragraphs), pl.read_parquet(snakemake.input.audit))
Path(snakemake.output.problems).write_text(json.dumps(problems, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
Path(snakemake.log[0]).write_text(f"{len(problems)} accounting problem(s)\n", encoding="utf-8")
append_resources(snakemake.log[0])
