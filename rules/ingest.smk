# Ingest: the registered raw sources become documents, paragraphs and an audit of removed spans.
# Per-source steps are separate jobs, so a corpus can later be sharded without changing the DAG's shape.


rule register_sources:
    """Write the checked source registry as the `sources` table that later steps join on."""
    input:
        code=step_code("sources"),
        registry=config["sources"],
        schema="config/sources.schema.yaml",
        raw=list(RAW_PATHS.values()),
    output:
        sources="results/sources/sources.parquet",
    log:
        "logs/register_sources.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_register_sources.py"


rule parse:
    """Decode, parse and clean one raw source into documents, paragraphs and audit rows with byte offsets."""
    input:
        code=step_code("parse", "clean"),
        raw=lambda wildcards: RAW_PATHS[wildcards.source],
        sources=rules.register_sources.output.sources,
    output:
        documents="results/parsed/{source}/documents.parquet",
        paragraphs="results/parsed/{source}/paragraphs.parquet",
        audit="results/parsed/{source}/audit.parquet",
    params:
        clean=lookup(within=config, dpath="clean"),
    log:
        "logs/parse/{source}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_parse.py"
