"""Snakemake script of rule `langid`: tag one source's paragraphs and documents with language, score and script."""


import logging
import time
from collections import Counter

import polars as pl

from infospace.langid import LangidConfig, add_language_columns, build_detector
from infospace.tables import write_table
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive


def main() -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    config = LangidConfig.from_dict(snakemake.params.langid)
    documents = pl.read_parquet(snakemake.input.documents)
    paragraphs = pl.read_parquet(snakemake.input.paragraphs)

    start = time.perf_counter()
    detector = build_detector(config, snakemake.input.model)
    loaded = time.perf_counter()
    documents, paragraphs = add_language_columns(documents, paragraphs, detector, config)
    tagged = time.perf_counter()

    write_table(documents, "documents", snakemake.output.documents, stage="langid")
    write_table(paragraphs, "paragraphs", snakemake.output.paragraphs, stage="langid")
    logging.info("config: %s", config)
    logging.info("models loaded in %.2fs; %d paragraphs tagged in %.2fs", loaded - start, paragraphs.height,
                 tagged - loaded)
    logging.info("paragraphs by language: %s", dict(Counter(paragraphs["language"].to_list()).most_common()))
    logging.info("paragraphs by script: %s", dict(Counter(paragraphs["script"].to_list()).most_common()))
    logging.info("documents by language: %s", dict(Counter(documents["language"].to_list()).most_common()))
    logging.info("mixed-language documents: %d of %d", int(documents["is_mixed_language"].sum()), documents.height)


main()
append_resources(snakemake.log[0])
