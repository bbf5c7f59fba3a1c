"""Snakemake script of rule `signatures`: one shard's parse-stage rows -> the compact rows the corpus steps read."""

import logging
import time

import polars as pl

from infospace.dedup import dedup_config
from infospace.signatures import document_signatures, paragraph_signatures
from infospace.translation import load_glossary, translation_config
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
start = time.perf_counter()
dedup, translation = dedup_config(snakemake.params.dedup), translation_config(snakemake.params.translation, load_glossary(snakemake.input.glossary))
documents = pl.read_parquet(snakemake.input.documents)
paragraphs = pl.read_parquet(snakemake.input.paragraphs)
document_signatures(documents, dedup, translation).write_parquet(snakemake.output.documents, compression="zstd")
paragraph_signatures(paragraphs, documents, dedup).write_parquet(snakemake.output.paragraphs, compression="zstd")
logging.info("%d documents, %d paragraphs in %.2fs", documents.height, paragraphs.height, time.perf_counter() - start)
append_resources(snakemake.log[0])
