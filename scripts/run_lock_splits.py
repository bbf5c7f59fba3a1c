"""Snakemake script of rule `lock_splits`: write the split lock of a validated build.

The output (one `doc_id<TAB>split` row per document, sorted by doc_id) is byte-identical for identical splits.
When releasing a version, copy it over config/split_lock.tsv and commit it, so later versions keep these splits.
"""

from pathlib import Path

import polars as pl

from infospace.split import format_split_lock
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

documents = pl.read_parquet(snakemake.input.documents, columns=["doc_id", "split"])
text = format_split_lock(documents)
Path(snakemake.output.lock).write_text(text, encoding="utf-8", newline="\n")

counts = dict(documents.group_by("split").len().sort("split").iter_rows())
Path(snakemake.log[0]).write_text(
    f"locked {documents.height} documents {counts} -> {snakemake.output.lock}\n", encoding="utf-8"
)
append_resources(snakemake.log[0])
