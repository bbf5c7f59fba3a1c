"""Snakemake script of rule `translation`: translation links between the kept documents of the whole corpus.

It reads each document's compact features (time to the minute, numbers, entity skeletons, glossary concepts) from the shards' signatures
and its language from the shards' langid tables, never the texts.
"""

import json
import logging
import os
import time

from infospace.jobs import append_resources, return_freed_memory_at_once, without_cycle_collection

return_freed_memory_at_once()  # before polars loads: see infospace.jobs

import polars as pl  # noqa: E402

from infospace.dedup import removed_documents  # noqa: E402
from infospace.translation import (FEATURES, groups_frame, link_translations, load_glossary,  # noqa: E402
                                   translation_config)

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive


def main() -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    config = translation_config(snakemake.params.translation, load_glossary(snakemake.input.glossary))
    start = time.perf_counter()
    # One lazy query, collected once: the feature lists of a million posts are held once, not once per join.
    signatures = pl.scan_parquet(list(snakemake.input.document_signatures)).select(
        "doc_id", "source_id", "position", "n_chars", *FEATURES)
    languages = pl.scan_parquet(list(snakemake.input.documents)).select("doc_id", "language")
    removed = removed_documents(pl.read_parquet(snakemake.input.duplicates)).select("doc_id")
    documents = (signatures.join(languages, on="doc_id", how="left")
                 .join(removed.lazy(), on="doc_id", how="anti").sort("doc_id").collect())
    result = link_translations(documents, config)

    groups_frame(result.groups).write_parquet(snakemake.output.groups, compression="zstd")
    tmp = snakemake.output.links + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(result.report, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, snakemake.output.links)
    logging.info("translation config: %s", config)
    logging.info("%d documents, %d links in %.2fs", documents.height, len(result.report["links"]),
                 time.perf_counter() - start)
    logging.info("links: %s", ", ".join(f"{x['doc_a']}<->{x['doc_b']} {x['score']}" for x in result.report["links"]))


main()
append_resources(snakemake.log[0])
