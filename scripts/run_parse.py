"""Snakemake script of rule `parse`: one raw source -> parse-stage documents, paragraphs and audit tables."""

from pathlib import Path

import polars as pl

from infospace.clean import CleanRules
from infospace.parse import parse_source
from infospace.tables import write_table

source_id = snakemake.wildcards.source
source = pl.read_parquet(snakemake.input.sources).filter(pl.col("source_id") == source_id).row(0, named=True)
parsed = parse_source(Path(snakemake.input.raw).read_bytes(), source, CleanRules.from_config(snakemake.params.clean))

write_table(parsed.documents, "documents", snakemake.output.documents, stage="parse")
write_table(parsed.paragraphs, "paragraphs", snakemake.output.paragraphs, stage="parse")
write_table(parsed.audit, "audit", snakemake.output.audit, stage="parse")
removed = parsed.audit.group_by("reason").len().sort("reason").iter_rows()
Path(snakemake.log[0]).write_text(
    f"{source_id}: {parsed.documents.height} documents, {parsed.paragraphs.height} paragraphs, "
    f"{parsed.audit.height} audit rows\n" + "".join(f"  {reason}: {count}\n" for reason, count in removed),
    encoding="utf-8",
)
