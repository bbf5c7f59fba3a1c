# Ingest: the registered raw sources become documents, paragraphs and an audit of removed spans.
# Per-shard steps are separate jobs: a line-format source is one shard, a record-format source is cut by
# checkpoint shard_manifest (scripts/infospace/shards.py).


rule register_sources:
    """Write the checked source registry as the `sources` table that later steps join on."""
    input:
        code=step_code("sources", "yamlfile"),
        registry=config["sources"],
        schema="config/sources.schema.yaml",
        raw=list(RAW_PATHS.values()),
    output:
        sources="results/sources/sources.parquet",
    priority: 3  # quick, and the corpus-wide steps need it: not last in line behind the per-shard jobs
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/register_sources.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_register_sources.py"


checkpoint shard_manifest:
    """Cut one record-format source into shards of `records.shard_size` records (record and byte ranges)."""
    input:
        code=step_code("shards"),
        raw=lambda wildcards: RAW_PATHS[wildcards.source],
    output:
        manifest="results/shards/{source}.tsv",
        facts="results/shards/{source}.json",
    params:
        shard_size=lookup(within=config, dpath="records/shard_size"),
        format=lambda wildcards: FORMATS[wildcards.source],
        chat=lambda wildcards: SOURCES_BY_ID[wildcards.source].get("chat"),
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/shard_manifest/{source}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_shard_manifest.py"


rule parse:
    """Decode, parse and clean one shard of a source into documents, paragraphs and audit rows with provenance."""
    input:
        code=step_code("parse", "clean", "records", "shards"),
        raw=lambda wildcards: RAW_PATHS[wildcards.source],
        manifest=manifest_of,
    output:
        documents="results/parsed/{source}/{shard}/documents.parquet",
        paragraphs="results/parsed/{source}/{shard}/paragraphs.parquet",
        audit="results/parsed/{source}/{shard}/audit.parquet",
    params:
        source=parse_entry,
        clean=lookup(within=config, dpath="clean"),
        records=lookup(within=config, dpath="records/bad_records"),
    # Per-shard jobs, longest last in line: every shard is parsed first, then signatures (the longest job), then
    # language ID, so that two long jobs do not leave one core idle at the end of the per-shard phase.
    priority: 3
    resources:
        mem_mb=SHARD_JOB["mem_mb"],
        runtime=SHARD_JOB["runtime"],
        cpus_per_task=SHARD_JOB["cpus_per_task"],
    group:
        "shard"
    log:
        "logs/parse/{source}/{shard}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_parse.py"
