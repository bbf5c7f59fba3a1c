# Helpers shared by the rule files.


# What each job asks a cluster for (profiles/slurm; a local run ignores them unless given --resources). Per-shard
# jobs are light: a shard of records.shard_size records peaked near 1 GB at 100,000 posts. The corpus-wide steps
# read compact data of every shard and ask for more. runtime is in minutes.
LIGHT_JOB = {"mem_mb": 1000, "runtime": 10, "cpus_per_task": 1}
SHARD_JOB = {"mem_mb": 2000, "runtime": 30, "cpus_per_task": 1}
CORPUS_JOB = {"mem_mb": 8000, "runtime": 240, "cpus_per_task": 2}


def step_code(*modules):
    """A step's modules as inputs, so editing one reruns the step (Snakemake tracks a rule's script, not its imports)."""
    return [f"scripts/infospace/{module}.py" for module in ("schema", "tables", *modules)]


def shards_of(source):
    """Shard ids of one source: one shard for a whole-file format, else those of its manifest (checkpoint
    shard_manifest)."""
    if FORMATS[source] in FILE_FORMATS:
        return [WHOLE_FILE]
    return [s.shard for s in read_manifest(checkpoints.shard_manifest.get(source=source).output.manifest)]


def every_shard(pattern):
    """Input function: `pattern` for every shard of every source, sources in id order, shards in order."""
    return lambda wildcards: [pattern.format(source=source, shard=shard)
                              for source in SOURCE_IDS for shard in shards_of(source)]


def manifest_of(wildcards):
    """The shard manifest and facts a record-format source's per-shard jobs read (none for a line format)."""
    if FORMATS[wildcards.source] in FILE_FORMATS:
        return []
    return [f"results/shards/{wildcards.source}.tsv", f"results/shards/{wildcards.source}.json"]


def parse_entry(wildcards):
    """What the parse step needs of a source's registry entry. A param, not the sources table: editing or adding
    another source's entry then reruns nothing of this source."""
    entry = SOURCES_BY_ID[wildcards.source]
    return {"source_id": entry["id"], "path": entry["path"], "format": entry["format"],
            "encoding": entry.get("encoding"), "published": entry["published"],
            "fields": json_dumps_fields(entry.get("fields"))}
