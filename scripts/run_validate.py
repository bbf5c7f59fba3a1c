"""Snakemake script of rule `validate`: run every great-expectations suite; write results.json and Data Docs.

The suites run on batches of at most `validate.batch_rows` rows, shard file by shard file; the cross-table checks
(ids unique across shards, references, no group across splits) run on the whole corpus with lazy polars scans, and
the accounting of every shard comes from its `provenance` job. On any failed expectation it prints each one with a few offending rows to stderr and
exits non-zero, and the `passed` marker is not written, so `package` never runs on unvalidated tables. Because
Snakemake removes a failed job's outputs, the failed run's results.json and Data Docs are also copied to
`params.failure_report` (default results/validation/failed/), which a later successful run removes. results.json is
a report: it is written with sorted keys, but the run time and batch load times GX records inside it differ between
runs.
"""

import hashlib
import itertools
import json
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq

from infospace.split import merge_moved_doc_ids, read_split_lock
from infospace.validate import (
    CROSS_TABLE,
    SHARDED_TABLES,
    TABLE_NAMES,
    TABLE_SIZES,
    Tables,
    cross_table_frame,
    cross_table_problems,
    run_suites,
    table_batches,
    table_sizes_frame,
    validate_config,
)
from infospace.jobs import append_resources
from infospace.progress import progress

config = validate_config(snakemake.params.validate, snakemake.params.languages)
files = {name: [Path(p) for p in (snakemake.input[name] if name in SHARDED_TABLES else [snakemake.input[name]])]
         for name in TABLE_NAMES}
# results/tables/<source>/<shard>/<table>.parquet: the (source, shard) of each file, the same for the three tables.
tables = Tables.from_files(files, [(path.parts[-3], path.parts[-2]) for path in files["documents"]])

# Released documents keep their locked split unless the split report lists them as merge moves; paragraph
# duplicate clusters are held to the split step's rule for which paragraphs link documents. The accounting of each
# shard was checked by its own `provenance` job.
split_lock = read_split_lock(snakemake.input.split_lock)
split_report = json.loads(Path(snakemake.input.split_report).read_text(encoding="utf-8"))
link_min_chars = split_report["link_min_chars"] if split_report["link_paragraph_duplicates"] else None
accounting = [problem for path in snakemake.input.provenance
              for problem in json.loads(Path(path).read_text(encoding="utf-8"))]
problems = cross_table_problems(tables, config, accounting,
                                {name: [(str(path), pq.read_schema(path)) for path in files[name]]
                                 for name in TABLE_NAMES},
                                split_lock=split_lock, merge_moved=merge_moved_doc_ids(split_report),
                                paragraph_link_min_chars=link_min_chars,
                                paragraph_link_max_documents=split_report["link_max_documents"])

batches = itertools.chain(table_batches(tables, config), [(CROSS_TABLE, "all rows", cross_table_frame(problems)),
                                                          (TABLE_SIZES, "all rows", table_sizes_frame(tables))])
results, failures = run_suites(progress(batches, "validate", "batches"), config, Path(snakemake.output.data_docs))
Path(snakemake.output.results).write_text(
    json.dumps({"success": not failures, "suites": results}, indent=2, sort_keys=True, default=str) + "\n",
    encoding="utf-8",
)

summary = f"{sum(len(runs) for runs in results.values())} suite runs, {len(failures)} failed expectation(s)"
Path(snakemake.log[0]).write_text(summary + "\n" + "\n".join(f.describe() for f in failures) + "\n",
                                  encoding="utf-8")
# Snakemake deletes the outputs of a failed job, so a failed run's report is also kept outside them.
failure_report = Path(snakemake.params.get("failure_report", "results/validation/failed"))
shutil.rmtree(failure_report, ignore_errors=True)
if failures:
    shutil.copytree(snakemake.output.data_docs, failure_report / "data_docs")
    shutil.copy2(snakemake.output.results, failure_report / "results.json")
    print(f"Validation failed: {summary}; report kept in {failure_report}/", file=sys.stderr)
    for failure in failures:
        print(failure.describe(), file=sys.stderr)
    sys.exit(1)

# The marker: sha256 of each validated file and of the split report, so it changes exactly when they do.
validated = sorted({path for paths in files.values() for path in paths} | {Path(snakemake.input.split_report)})
Path(snakemake.output.passed).write_text(
    "".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.as_posix()}\n" for path in validated),
    encoding="utf-8",
)
append_resources(snakemake.log[0])
