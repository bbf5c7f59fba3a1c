"""Infospace corpus: raw sources -> parse/clean -> language ID -> dedup -> split -> validate -> package.

Run `snakemake --cores 4`. Every invocation first checks the source registry against data/raw/ (see
scripts/infospace/sources.py); nothing runs on unregistered or altered raw files.
"""

import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))
from infospace.figures import TABLE_FIGURES, VALIDATION_FIGURE  # noqa: E402
from infospace.records import json_dumps_fields  # noqa: E402
from infospace.schema import FILE_FORMATS  # noqa: E402
from infospace.shards import WHOLE_FILE, read_manifest  # noqa: E402
from infospace.sources import RegistryError, check_registry, load_registry  # noqa: E402


configfile: "config/config.yaml"


report: "report/workflow.rst"


validate(config, "config/schema.yaml")

RAW_DIR = Path(config["raw_dir"])
try:
    SOURCES = load_registry(Path(config["sources"]), Path("config/sources.schema.yaml"))
    PROBLEMS = check_registry(SOURCES, RAW_DIR)
except RegistryError as error:
    PROBLEMS = [str(error)]
if PROBLEMS:
    raise WorkflowError("Source registry check failed (config/sources.yaml vs data/raw/):\n  " + "\n  ".join(PROBLEMS))
SOURCE_IDS = sorted(entry["id"] for entry in SOURCES)
RAW_PATHS = {entry["id"]: str(RAW_DIR / entry["path"]) for entry in SOURCES}
FORMATS = {entry["id"]: entry["format"] for entry in SOURCES}
SOURCES_BY_ID = {entry["id"]: entry for entry in SOURCES}


wildcard_constraints:
    source="[a-z0-9][a-z0-9-]*",
    shard="[0-9]{5}",


# Quick bookkeeping steps run where Snakemake runs, never as cluster jobs.
localrules:
    all,
    register_sources,
    shard_manifest,
    message_gaps,
    lock_splits,
    publish,
    validation_figure,
    release,


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/enrich.smk"
include: "rules/release.smk"


# The report's workflow description (report/workflow.rst) lists every step with its docstring (rules above).
config["_report_steps"] = [(rule.name, rule.docstring) for rule in workflow.rules if rule.docstring]


rule all:
    """Build, validate and package the dataset."""
    default_target: True
    input:
        rules.release.output.dataset,
        rules.validation_figure.output.validation,
