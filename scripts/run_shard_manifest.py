"""Snakemake script of checkpoint `shard_manifest`: the shards of one record-format source."""

from pathlib import Path

from infospace.shards import format_manifest, source_shards
from infospace.jobs import append_resources

shards = source_shards(Path(snakemake.input.raw), snakemake.params.format, int(snakemake.params.shard_size))
Path(snakemake.output.manifest).write_text(format_manifest(shards), encoding="utf-8")
Path(snakemake.log[0]).write_text(
    f"{len(shards)} shards of up to {snakemake.params.shard_size} records, "
    f"{shards[-1].end_record} records in all\n", encoding="utf-8")
append_resources(snakemake.log[0])
