"""Snakemake script of rule `validation_figure`: the gate's results per suite as a PNG, from results.json."""

import json
import logging
from pathlib import Path

from infospace.figures import draw_validation
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s", force=True)
results = json.loads(Path(snakemake.input.validation).read_text(encoding="utf-8"))
logging.info("drew %s", draw_validation(results, Path(snakemake.output.validation)))
append_resources(snakemake.log[0])
