"""Snakemake script of rule `register_sources`: write the checked registry as the `sources` table."""

from pathlib import Path


from infospace.sources import check_registry, load_registry, sources_frame
from infospace.tables import write_table

entries = load_registry(Path(snakemake.input.registry), Path(snakemake.input.schema))
raw_dir = Path(snakemake.params.raw_dir)
problems = check_registry(entries, raw_dir)
if problems:
    raise SystemExit("Source registry check failed:\n  " + "\n  ".join(problems))
frame = sources_frame(entries, raw_dir)
write_table(frame, "sources", snakemake.output.sources, stage="register")
Path(snakemake.log[0]).write_text(f"registered {frame.height} sources\n", encoding="utf-8")
