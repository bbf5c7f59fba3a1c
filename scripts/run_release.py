"""Snakemake script of rule `release`: the packaged folder, checked against its SHA256SUMS, becomes results/dataset/."""

import sys
from pathlib import Path

from infospace.jobs import append_resources, without_cycle_collection
from infospace.release import ReleaseCheckError, release_dataset

without_cycle_collection()  # see infospace.jobs

snakemake = globals()["snakemake"]  # injected by Snakemake's `script:` directive

log = Path(snakemake.log[0])
log.parent.mkdir(parents=True, exist_ok=True)
try:
    release_dataset(Path(snakemake.input.package), Path(snakemake.output.dataset))
except ReleaseCheckError as error:
    log.write_text(f"refused: {error}\n", encoding="utf-8")
    print(f"ERROR: {error}", file=sys.stderr)
    sys.exit(1)
log.write_text(f"released {snakemake.input.package} as {snakemake.output.dataset}\n", encoding="utf-8")
append_resources(snakemake.log[0])
