"""Snakemake script of rule `split`: assign splits by group and write the final tables and the split report.

Input `split_lock` (config/split_lock.tsv) keeps released documents in their split; without it every group is new.
"""

import json
from pathlib import Path

import polars as pl

from infospace.split import add_other_table_counts, assign_splits, read_split_lock, split_config
from infospace.tables import write_table

config = split_config(snakemake.params.split)
lock = read_split_lock(snakemake.input.split_lock)
documents = pl.read_parquet(snakemake.input.documents)
paragraphs = pl.read_parquet(snakemake.input.paragraphs)
audit = pl.read_parquet(snakemake.input.audit)
duplicates = pl.read_parquet(snakemake.input.duplicates)
sources = pl.read_parquet(snakemake.input.sources)

documents, paragraphs, report = assign_splits(documents, paragraphs, config, lock)
report = add_other_table_counts(report, {"audit": audit.height, "duplicates": duplicates.height,
                                         "sources": sources.height})

write_table(documents, "documents", snakemake.output.documents, stage="split")
write_table(paragraphs, "paragraphs", snakemake.output.paragraphs, stage="split")
write_table(audit, "audit", snakemake.output.audit, stage="parse")
write_table(duplicates, "duplicates", snakemake.output.duplicates, stage="dedup")
write_table(sources, "sources", snakemake.output.sources, stage="register")
Path(snakemake.output.report).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")

rule, locked = report["small_corpus_rule"], report["lock"]
Path(snakemake.log[0]).write_text(
    f"groups {report['groups']}\ndocuments {report['documents']}\nparagraphs {report['paragraphs']}\n"
    f"lock {snakemake.input.get('split_lock')}: {locked['locked_groups']} locked / {locked['new_groups']} new groups, "
    f"{locked['locked_documents']} locked / {locked['new_documents']} new documents, "
    f"{locked['stale_entries']} stale entries, merge moves: {locked['merge_moves']}\n"
    f"small-corpus rule applied: {rule['applied']} moves: {rule['moves']} unfilled: {rule['unfilled']}\n",
    encoding="utf-8",
)
