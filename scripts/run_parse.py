"""Snakemake script of rule `parse`: one shard of a source -> parse-stage documents, paragraphs and audit tables."""

from pathlib import Path

from infospace.clean import CleanRules
from infospace.jobs import append_resources, without_cycle_collection
from infospace.parse import parse_shard
from infospace.records import RecordPolicy
from infospace.shards import job_shard
from infospace.tables import write_table

without_cycle_collection()  # see infospace.jobs

source_id, shard_id = snakemake.wildcards.source, snakemake.wildcards.shard
raw = Path(snakemake.input.raw)
shard, facts = job_shard(snakemake.input.manifest, shard_id, raw)
source = {**snakemake.params.source, "facts": facts}
policy = RecordPolicy.from_config({"bad_records": snakemake.params.records})
parsed = parse_shard(raw, source, shard, CleanRules.from_config(snakemake.params.clean), policy)

write_table(parsed.documents, "documents", snakemake.output.documents, stage="parse")
write_table(parsed.paragraphs, "paragraphs", snakemake.output.paragraphs, stage="parse")
write_table(parsed.audit, "audit", snakemake.output.audit, stage="parse")
removed = parsed.audit.group_by("reason").len().sort("reason").iter_rows()
Path(snakemake.log[0]).write_text(
    f"{source_id} shard {shard_id} (records {shard.first_record}-{shard.end_record}): {parsed.documents.height} "
    f"documents, {parsed.paragraphs.height} paragraphs, {parsed.audit.height} audit rows\n"
    + "".join(f"  {reason}: {count}\n" for reason, count in removed),
    encoding="utf-8",
)
append_resources(snakemake.log[0])
