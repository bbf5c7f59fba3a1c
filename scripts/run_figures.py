"""Snakemake script of rule `figures`: the dataset's table figures as PNG files, from the final tables (lazy scans;
texts are read for their lengths only)."""

import logging
from pathlib import Path

import polars as pl

from infospace.figures import draw_all, summaries
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
tables = {name: pl.scan_parquet([str(p) for p in snakemake.input[name]]) for name in ("documents", "paragraphs",
                                                                                   "audit")}
facts = summaries(tables["documents"], tables["paragraphs"], tables["audit"],
                  pl.scan_parquet(snakemake.input.duplicates), pl.scan_parquet(snakemake.input.message_gaps))
for path in draw_all(facts, Path(snakemake.output[0]).parent):
    logging.info("drew %s", path)
append_resources(snakemake.log[0])
