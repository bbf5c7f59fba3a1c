"""Snakemake script of rule `split`: the split of every kept document, and the split report.

Input `split_lock` (config/split_lock.tsv) keeps released documents in their split; without it every group is new.
It reads ids, cluster ids and key lengths only (signatures, the duplicates table, translation groups).
"""

import json
from pathlib import Path

from infospace.jobs import append_resources, return_freed_memory_at_once, without_cycle_collection

return_freed_memory_at_once()  # before polars loads: see infospace.jobs

import polars as pl  # noqa: E402

from infospace.dedup import removed_documents  # noqa: E402
from infospace.split import read_split_lock, split_config, split_documents  # noqa: E402
from infospace.tables import ShardedTable  # noqa: E402

without_cycle_collection()  # see infospace.jobs

config = split_config(snakemake.params.split)
lock = read_split_lock(snakemake.input.split_lock)
duplicates = pl.read_parquet(snakemake.input.duplicates)
removed = removed_documents(duplicates).select("doc_id")
clusters = duplicates.select(pl.col("member_id").alias("doc_id"), pl.col("cluster_id").alias("dup_cluster_id"),
                             "level")
documents = (ShardedTable(snakemake.input.document_signatures).read(["doc_id"])
             .join(removed, on="doc_id", how="anti")
             .join(clusters.filter(pl.col("level") == "document").drop("level"), on="doc_id", how="left")
             .join(pl.read_parquet(snakemake.input.translation_groups), on="doc_id", how="left"))
paragraphs = (ShardedTable(snakemake.input.paragraph_signatures).read(["para_id", "doc_id", "key_chars"])
              .join(removed, on="doc_id", how="anti"))
paragraph_clusters = clusters.filter(pl.col("level") == "paragraph").select(
    pl.col("doc_id").alias("para_id"), "dup_cluster_id")
clustered = paragraphs.join(paragraph_clusters, on="para_id", how="inner").select("doc_id", "dup_cluster_id",
                                                                                   "key_chars")
counts = paragraphs.group_by("doc_id").agg(pl.len().alias("paragraphs"))

doc_splits, report = split_documents(documents, clustered, counts, config, lock)
doc_splits.write_parquet(snakemake.output.splits, compression="zstd")
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
append_resources(snakemake.log[0])
