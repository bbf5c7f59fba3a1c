"""Snakemake script of checkpoint `shard_manifest`: the shards of one record-format source, and its facts."""

import json
from pathlib import Path

from infospace.jobs import append_resources, without_cycle_collection
from infospace.shards import format_manifest, source_layout

without_cycle_collection()  # see infospace.jobs

shards, facts = source_layout(Path(snakemake.input.raw), snakemake.params.format, int(snakemake.params.shard_size),
                              snakemake.params.chat)
Path(snakemake.output.facts).write_text(json.dumps(facts, ensure_ascii=False, sort_keys=True) + "\n",
                                        encoding="utf-8")
Path(snakemake.output.manifest).write_text(format_manifest(shards), encoding="utf-8")
Path(snakemake.log[0]).write_text(
    f"{len(shards)} shards of up to {snakemake.params.shard_size} records, "
    f"{shards[-1].end_record} records in all\n", encoding="utf-8")
append_resources(snakemake.log[0])
