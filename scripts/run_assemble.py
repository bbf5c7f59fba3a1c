"""Snakemake script of rule `assemble`: one shard's final documents, paragraphs and audit tables."""

from pathlib import Path

import polars as pl

from infospace.assemble import assemble_shard
from infospace.tables import write_table
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

documents, paragraphs, audit = assemble_shard(
    pl.read_parquet(snakemake.input.documents), pl.read_parquet(snakemake.input.paragraphs),
    pl.read_parquet(snakemake.input.audit), pl.read_parquet(snakemake.input.duplicates),
    pl.read_parquet(snakemake.input.translation_groups), pl.read_parquet(snakemake.input.splits))
write_table(documents, "documents", snakemake.output.documents, stage="split")
write_table(paragraphs, "paragraphs", snakemake.output.paragraphs, stage="split")
write_table(audit, "audit", snakemake.output.audit, stage="parse")
Path(snakemake.log[0]).write_text(
    f"{documents.height} documents, {paragraphs.height} paragraphs, {audit.height} audit rows\n", encoding="utf-8")
append_resources(snakemake.log[0])
