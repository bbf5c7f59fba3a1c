"""Snakemake script of rule `dedup_documents`: document-level duplicates of the whole corpus, from the shards'
signatures (ids, keep-rule columns, key hashes, band keys one band at a time) and the texts of LSH candidates only.

It first checks that no source repeats a record id.
"""

import logging
import time

from infospace.jobs import append_resources, return_freed_memory_at_once, without_cycle_collection

return_freed_memory_at_once()  # before polars loads: see infospace.jobs

import polars as pl  # noqa: E402

from infospace.dedup import dedup_config, document_duplicates, sharded_level  # noqa: E402
from infospace.records import RecordError, duplicate_record_ids  # noqa: E402
from infospace.tables import ShardedTable, write_table  # noqa: E402

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive


def main() -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    config = dedup_config(snakemake.params.dedup)
    signatures = ShardedTable(snakemake.input.document_signatures)

    sources = pl.read_parquet(snakemake.input.sources)
    repeated = duplicate_record_ids(signatures.read(["source_id", "record_id", "position"]),
                                    dict(sources.select("source_id", "path").iter_rows()),
                                    dict(sources.select("source_id", "format").iter_rows()))
    if repeated:
        raise RecordError("\n".join(repeated))

    start = time.perf_counter()
    duplicates = document_duplicates(
        sharded_level(signatures, ShardedTable(snakemake.input.documents), "doc_id", "n_chars"), config)
    write_table(duplicates, "duplicates", snakemake.output.duplicates, stage="dedup")
    logging.info("dedup config: %s", config)
    logging.info("%d documents, dedup in %.2fs, %d cluster rows", signatures.height, time.perf_counter() - start,
                 duplicates.height)


main()
append_resources(snakemake.log[0])
