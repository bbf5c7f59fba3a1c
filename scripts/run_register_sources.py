"""Snakemake script of rule `register_sources`: write the checked registry as the `sources` table.

The Snakefile has already run the integrity gate; this re-hashes the inputs it was given before recording them.
"""

from pathlib import Path

from infospace.sources import load_registry, sources_frame
from infospace.tables import write_table
from infospace.jobs import append_resources, without_cycle_collection

without_cycle_collection()  # see infospace.jobs

entries = load_registry(Path(snakemake.input.registry), Path(snakemake.input.schema))
frame = sources_frame(entries, [Path(path) for path in snakemake.input.raw])
write_table(frame, "sources", snakemake.output.sources, stage="register")
Path(snakemake.log[0]).write_text(f"registered {frame.height} sources\n", encoding="utf-8")
append_resources(snakemake.log[0])
