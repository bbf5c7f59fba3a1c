"""Snakemake script of rule `split`: assign splits by group and write the final tables and the split report."""

import json
from pathlib import Path

import polars as pl

from infospace.split import add_other_table_counts, assign_splits, split_config
from infospace.tables import write_table

config = split_config(snakemake.params.split)
documents = pl.read_parquet(snakemake.input.documents)
paragraphs = pl.read_parquet(snakemake.input.paragraphs)
audit = pl.read_parquet(snakemake.input.audit)
duplicates = pl.read_parquet(snakemake.input.duplicates)
sources = pl.read_parquet(snakemake.input.sources)

documents, paragraphs, report = assign_splits(documents, paragraphs, config)
report = add_other_table_counts(report, {"audit": audit.height, "duplicates": duplicates.height,
                                         "sources": sources.height})

write_table(documents, "documents", snakemake.output.documents, stage="split")
write_table(paragraphs, "paragraphs", snakemake.output.paragraphs, stage="split")
write_table(audit, "audit", snakemake.output.audit, stage="parse")
write_table(duplicates, "duplicates", snakemake.output.duplicates, stage="dedup")
write_table(sources, "sources", snakemake.output.sources, stage="register")
Path(snakemake.output.report).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")

rule = report["small_corpus_rule"]
Path(snakemake.log[0]).write_text(
    f"groups {report['groups']}\ndocuments {report['documents']}\nparagraphs {report['paragraphs']}\n"
    f"small-corpus rule applied: {rule['applied']} moves: {rule['moves']}\n",
    encoding="utf-8",
)
