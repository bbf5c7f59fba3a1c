"""Snakemake script of rule `message_gaps`: the message-id gaps of every Telegram export."""

import json
from pathlib import Path

import polars as pl

from infospace.gaps import message_gaps
from infospace.jobs import append_resources, without_cycle_collection
from infospace.tables import ShardedTable, write_table

without_cycle_collection()  # see infospace.jobs

exports = set(snakemake.params.exports)
messages = pl.concat([ShardedTable(snakemake.input.documents).read(["source_id", "record_id"]),
                      ShardedTable(snakemake.input.audit).read(["source_id", "record_id"])], how="vertical")
messages = messages.filter(pl.col("source_id").is_in(list(exports)))
facts = {Path(path).stem: json.loads(Path(path).read_text(encoding="utf-8")) for path in snakemake.input.facts}
gaps = message_gaps(messages, facts)
write_table(gaps, "message_gaps", snakemake.output.gaps, stage="split")
Path(snakemake.log[0]).write_text(f"{len(exports)} Telegram export(s), {gaps.height} gap(s), "
                                  f"{int(gaps['n_missing'].sum() or 0)} missing message id(s)\n", encoding="utf-8")
append_resources(snakemake.log[0])
