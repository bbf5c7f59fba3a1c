"""Snakemake script of rule `dedup`: remove exact and near duplicates, flag duplicate paragraphs, link translations."""

import json
import logging
import os
import time

import polars as pl

from infospace.dedup import dedup_config, deduplicate
from infospace.records import RecordError, duplicate_record_ids
from infospace.tables import write_table
from infospace.translation import link_translations, translation_config, with_translation_groups

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive


def concat(paths: list[str]) -> pl.DataFrame:
    """All sources' tables as one frame (paths sorted, so the input order is fixed)."""
    return pl.concat([pl.read_parquet(p) for p in sorted(paths)], how="vertical_relaxed")


def main() -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    dedup_cfg = dedup_config(snakemake.params.dedup)
    translation_cfg = translation_config(snakemake.params.translation)
    documents = concat(snakemake.input.documents)
    paragraphs = concat(snakemake.input.paragraphs)
    audit = concat(snakemake.input.audit)
    sources = pl.read_parquet(snakemake.input.sources)
    repeated = duplicate_record_ids(documents, dict(sources.select("source_id", "path").iter_rows()),
                                    dict(sources.select("source_id", "format").iter_rows()))
    if repeated:
        raise RecordError("\n".join(repeated))

    start = time.perf_counter()
    result = deduplicate(documents, paragraphs, audit, dedup_cfg)
    deduplicated = time.perf_counter()
    translations = link_translations(result.documents, translation_cfg)
    linked = time.perf_counter()

    write_table(with_translation_groups(result.documents, translations.groups), "documents",
                snakemake.output.documents, stage="dedup")
    write_table(with_translation_groups(result.paragraphs, translations.groups), "paragraphs",
                snakemake.output.paragraphs, stage="dedup")
    write_table(result.audit, "audit", snakemake.output.audit, stage="dedup")
    write_table(result.duplicates, "duplicates", snakemake.output.duplicates, stage="dedup")
    tmp = snakemake.output.translations + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(translations.report, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, snakemake.output.translations)

    logging.info("dedup config: %s", dedup_cfg)
    logging.info("translation config: %s", translation_cfg)
    logging.info("dedup in %.2fs, translation links in %.2fs", deduplicated - start, linked - deduplicated)
    logging.info("dedup stats: %s", result.stats)
    logging.info("translation links: %d (%s)", len(translations.report["links"]),
                 ", ".join(f"{x['doc_a']}<->{x['doc_b']} {x['score']}" for x in translations.report["links"]))


main()
