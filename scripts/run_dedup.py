"""Snakemake script of rule `dedup`: the duplicates table of the whole corpus, from the shards' signatures.

It reads the compact signatures of every shard (ids, keep-rule columns, key hashes, band keys one band at a time)
and the texts of LSH candidates only, never every text of the corpus.
"""

import logging
import time

import numpy as np
import polars as pl

from infospace.dedup import LevelRows, band_column, dedup_config, dedup_stats, deduplicate_corpus
from infospace.records import RecordError, duplicate_record_ids
from infospace.tables import ShardedTable, write_table
from infospace.jobs import append_resources

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive
KEEP_COLUMNS = ["published", "forwarded", "key_hi", "key_lo", "key_chars"]


def level(signatures: ShardedTable, texts: ShardedTable, id_column: str, length_column: str,
          extra: list[str]) -> LevelRows:
    rows = (signatures.read([id_column, length_column, *KEEP_COLUMNS, *extra])
            .rename({id_column: "id", length_column: "length"}).with_row_index("row")
            .with_columns(pl.col("row").cast(pl.Int64)))
    return LevelRows(rows, lambda band: signatures.read([band_column(band)]).to_series().fill_null(0).to_numpy(),
                     lambda wanted: texts.gather("text", np.asarray(wanted)))


def main() -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    config = dedup_config(snakemake.params.dedup)
    documents = ShardedTable(snakemake.input.document_signatures)
    paragraphs = ShardedTable(snakemake.input.paragraph_signatures)

    sources = pl.read_parquet(snakemake.input.sources)
    repeated = duplicate_record_ids(documents.read(["source_id", "record_id", "position"]),
                                    dict(sources.select("source_id", "path").iter_rows()),
                                    dict(sources.select("source_id", "format").iter_rows()))
    if repeated:
        raise RecordError("\n".join(repeated))

    start = time.perf_counter()
    duplicates = deduplicate_corpus(
        level(documents, ShardedTable(snakemake.input.documents), "doc_id", "n_chars", []),
        level(paragraphs, ShardedTable(snakemake.input.paragraphs), "para_id", "length", ["doc_id"]),
        config)
    write_table(duplicates, "duplicates", snakemake.output.duplicates, stage="dedup")
    logging.info("dedup config: %s", config)
    logging.info("%d documents, %d paragraphs, dedup in %.2fs", documents.height, paragraphs.height,
                 time.perf_counter() - start)
    logging.info("dedup stats: %s", dedup_stats(duplicates))


main()
append_resources(snakemake.log[0])
