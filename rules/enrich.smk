# Enrich: language tags per source, then the steps that need the whole corpus (dedup, split).


rule langid:
    """Tag every paragraph and document of one shard with its language, score and script."""
    input:
        code=step_code("langid"),
        documents=rules.parse.output.documents,
        paragraphs=rules.parse.output.paragraphs,
    output:
        documents="results/langid/{source}/{shard}/documents.parquet",
        paragraphs="results/langid/{source}/{shard}/paragraphs.parquet",
    params:
        langid=lookup(within=config, dpath="langid"),
    log:
        "logs/langid/{source}/{shard}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_langid.py"


rule dedup:
    """Find exact and near duplicates and translation pairs across the whole corpus; keep one copy of each."""
    input:
        code=step_code("dedup", "translation", "records"),
        sources=rules.register_sources.output.sources,
        documents=every_shard(rules.langid.output.documents),
        paragraphs=every_shard(rules.langid.output.paragraphs),
        audit=every_shard(rules.parse.output.audit),
    output:
        documents="results/dedup/documents.parquet",
        paragraphs="results/dedup/paragraphs.parquet",
        audit="results/dedup/audit.parquet",
        duplicates="results/dedup/duplicates.parquet",
        translations="results/dedup/translation_links.json",
    params:
        dedup=lookup(within=config, dpath="dedup"),
        translation=lookup(within=config, dpath="translation"),
    log:
        "logs/dedup.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_dedup.py"


rule split:
    """Assign each group of duplicates and translations to one split, stably across versions."""
    input:
        code=step_code("split", "dedup"),
        documents=rules.dedup.output.documents,
        paragraphs=rules.dedup.output.paragraphs,
        audit=rules.dedup.output.audit,
        duplicates=rules.dedup.output.duplicates,
        sources=rules.register_sources.output.sources,
        # Splits of the last release: released documents never change split (see scripts/infospace/split.py).
        split_lock="config/split_lock.tsv",
    output:
        documents="results/tables/documents.parquet",
        paragraphs="results/tables/paragraphs.parquet",
        audit="results/tables/audit.parquet",
        duplicates="results/tables/duplicates.parquet",
        sources="results/tables/sources.parquet",
        report="results/tables/split_report.json",
    params:
        split=lookup(within=config, dpath="split"),
    log:
        "logs/split.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_split.py"
