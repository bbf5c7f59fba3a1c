"""Snakemake script of rule `package`: the validated tables become the versioned dataset folder results/dataset/."""

import json
import sys
from pathlib import Path

from infospace.figures import TABLE_FIGURES
from infospace.jobs import append_resources, without_cycle_collection
from infospace.package import CONFIGS, DataLayout, PackageInputs, ReleaseError, build_dataset, load_releases

without_cycle_collection()  # see infospace.jobs

# The sharded tables as their per-shard files (sources by id, shards in order); the others one file each.
tables = {name: [Path(p) for p in (snakemake.input[name] if name in ("documents", "paragraphs", "audit")
                                   else [snakemake.input[name]])] for name in CONFIGS}
assert sorted(tables) == sorted(CONFIGS), sorted(tables)
log = Path(snakemake.log[0])
log.parent.mkdir(parents=True, exist_ok=True)
try:
    releases = load_releases(Path(snakemake.input.releases).read_text(encoding="utf-8"))
except ReleaseError as error:
    log.write_text(f"refused: {error}\n", encoding="utf-8")
    print(f"ERROR: {error}", file=sys.stderr)
    sys.exit(1)
inputs = PackageInputs(
    tables=tables,
    split_report=json.loads(Path(snakemake.input.split_report).read_text(encoding="utf-8")),
    translation_links=json.loads(Path(snakemake.input.translations).read_text(encoding="utf-8")),
    releases=releases,
    changelog=Path(snakemake.input.changelog).read_text(encoding="utf-8"),
    data_terms=Path(snakemake.input.data_terms).read_text(encoding="utf-8"),
    dataset=dict(snakemake.params.dataset),
    version=str(snakemake.params.version),
    layout=DataLayout.from_config(snakemake.params.layout),
    figures={spec.name: Path(snakemake.input[f"figure_{spec.name}"]) for spec in TABLE_FIGURES},
)
try:
    fingerprint = build_dataset(inputs, Path(snakemake.output.dataset))
except ReleaseError as error:
    log.write_text(f"refused: {error}\n", encoding="utf-8")
    print(f"ERROR: {error}", file=sys.stderr)
    sys.exit(1)
log.write_text(f"version {inputs.version}\nfingerprint sha256:{fingerprint}\n", encoding="utf-8")
print(f"Packaged version {inputs.version}, fingerprint sha256:{fingerprint}", file=sys.stderr)
append_resources(snakemake.log[0])
