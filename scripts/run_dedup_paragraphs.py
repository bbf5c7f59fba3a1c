"""Snakemake script of rule `dedup_paragraphs`: paragraph-level duplicates among the paragraphs of kept documents,
joined with the document level into the duplicates table.

Like dedup_documents, it reads compact signatures (band keys one band at a time) and the texts of LSH candidates
only, never every text of the corpus.
"""

import logging
import time

from infospace.jobs import append_resources, return_freed_memory_at_once

return_freed_memory_at_once()  # before polars loads: see infospace.jobs

import polars as pl  # noqa: E402

from infospace.dedup import (dedup_config, dedup_stats, duplicates_table, paragraph_duplicates,  # noqa: E402
                             sharded_level)
from infospace.tables import ShardedTable, write_table  # noqa: E402

# The cyclic garbage collector stays on here (see infospace.jobs).

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive


def main() -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    config = dedup_config(snakemake.params.dedup)
    signatures = ShardedTable(snakemake.input.paragraph_signatures)
    document_level = pl.read_parquet(snakemake.input.document_duplicates)

    start = time.perf_counter()
    paragraphs = sharded_level(signatures, ShardedTable(snakemake.input.paragraphs), "para_id", "length", ("doc_id",))
    duplicates = duplicates_table(document_level, paragraph_duplicates(paragraphs, document_level, config))
    write_table(duplicates, "duplicates", snakemake.output.duplicates, stage="dedup")
    logging.info("dedup config: %s", config)
    logging.info("%d paragraphs, dedup in %.2fs", signatures.height, time.perf_counter() - start)
    logging.info("dedup stats: %s", dedup_stats(duplicates))


main()
append_resources(snakemake.log[0])
