# Enrich: per shard, language tags and the compact signatures; then the corpus-wide steps, which read only compact
# data (ids, keys, band keys, features) and write small mapping tables; then per shard, the final rows.


rule langid:
    """Tag every paragraph and document of one shard with its language, score and script."""
    input:
        code=step_code("langid"),
        model="resources/lid.176.ftz",
        documents=rules.parse.output.documents,
        paragraphs=rules.parse.output.paragraphs,
    output:
        documents="results/langid/{source}/{shard}/documents.parquet",
        paragraphs="results/langid/{source}/{shard}/paragraphs.parquet",
    params:
        langid=lookup(within=config, dpath="langid"),
    priority: 1  # after signatures: see rule parse
    resources:
        mem_mb=SHARD_JOB["mem_mb"],
        runtime=SHARD_JOB["runtime"],
        cpus_per_task=SHARD_JOB["cpus_per_task"],
    group:
        "shard"
    log:
        "logs/langid/{source}/{shard}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_langid.py"


rule signatures:
    """Hash one shard's rows for the corpus-wide steps: exact keys, MinHash band keys, translation features."""
    input:
        code=step_code("signatures", "dedup", "translation", "yamlfile"),
        glossary=config["translation"]["glossary_file"],
        documents=rules.parse.output.documents,
        paragraphs=rules.parse.output.paragraphs,
    output:
        documents="results/signatures/{source}/{shard}/documents.parquet",
        paragraphs="results/signatures/{source}/{shard}/paragraphs.parquet",
    params:
        dedup=lookup(within=config, dpath="dedup"),
        translation=lookup(within=config, dpath="translation"),
    priority: 2  # the longest per-shard job, before language ID: see rule parse
    resources:
        mem_mb=SHARD_JOB["mem_mb"],
        runtime=SHARD_JOB["runtime"],
        cpus_per_task=SHARD_JOB["cpus_per_task"],
    group:
        "shard"
    log:
        "logs/signatures/{source}/{shard}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_signatures.py"


rule dedup_documents:
    """Find exact and near duplicate documents across the whole corpus from the shards' signatures; keep one copy."""
    input:
        code=step_code("dedup", "records"),
        sources=rules.register_sources.output.sources,
        document_signatures=every_shard(rules.signatures.output.documents),
        # Texts, of which only the LSH candidates' are read (to verify their true Jaccard).
        documents=every_shard(rules.parse.output.documents),
    output:
        duplicates="results/dedup/document_duplicates.parquet",
    params:
        dedup=lookup(within=config, dpath="dedup"),
    # It needs no language tags: ready once every shard is hashed, it runs beside language ID, not after it.
    priority: 1
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/dedup_documents.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_dedup_documents.py"


# A job of its own: at a million posts each level alone needs a gigabyte or two.
rule dedup_paragraphs:
    """Find exact and near duplicate paragraphs among the kept documents; write the duplicates table of both levels."""
    input:
        code=step_code("dedup"),
        document_duplicates=rules.dedup_documents.output.duplicates,
        paragraph_signatures=every_shard(rules.signatures.output.paragraphs),
        paragraphs=every_shard(rules.parse.output.paragraphs),
    output:
        duplicates="results/dedup/duplicates.parquet",
    params:
        dedup=lookup(within=config, dpath="dedup"),
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/dedup_paragraphs.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_dedup_paragraphs.py"


rule translation:
    """Link documents that translate each other (different languages, shared numbers, names, terms; timing)."""
    input:
        code=step_code("translation", "dedup", "yamlfile"),
        glossary=config["translation"]["glossary_file"],
        document_signatures=every_shard(rules.signatures.output.documents),
        documents=every_shard(rules.langid.output.documents),
        # Removed documents are not linked; only the document level is needed, so this runs beside dedup_paragraphs.
        duplicates=rules.dedup_documents.output.duplicates,
    output:
        groups="results/translation/groups.parquet",
        links="results/translation/links.json",
    params:
        translation=lookup(within=config, dpath="translation"),
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/translation.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_translation.py"


rule split:
    """Assign each group of duplicates and translations to one split, stably across versions."""
    input:
        code=step_code("split", "dedup"),
        document_signatures=every_shard(rules.signatures.output.documents),
        paragraph_signatures=every_shard(rules.signatures.output.paragraphs),
        duplicates=rules.dedup_paragraphs.output.duplicates,
        translation_groups=rules.translation.output.groups,
        # Splits of the last release: released documents never change split (see scripts/infospace/split.py).
        split_lock="config/split_lock.tsv",
    output:
        splits="results/split/documents.parquet",
        report="results/split/split_report.json",
    params:
        split=lookup(within=config, dpath="split"),
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/split.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_split.py"


rule assemble:
    """Apply the duplicates, translation groups and splits to one shard and write its final rows."""
    input:
        code=step_code("assemble", "dedup", "translation", "yamlfile"),
        documents=rules.langid.output.documents,
        paragraphs=rules.langid.output.paragraphs,
        audit=rules.parse.output.audit,
        duplicates=rules.dedup_paragraphs.output.duplicates,
        translation_groups=rules.translation.output.groups,
        splits=rules.split.output.splits,
    output:
        documents="results/tables/{source}/{shard}/documents.parquet",
        paragraphs="results/tables/{source}/{shard}/paragraphs.parquet",
        audit="results/tables/{source}/{shard}/audit.parquet",
    resources:
        mem_mb=SHARD_JOB["mem_mb"],
        runtime=SHARD_JOB["runtime"],
        cpus_per_task=SHARD_JOB["cpus_per_task"],
    group:
        "final"
    log:
        "logs/assemble/{source}/{shard}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_assemble.py"


rule message_gaps:
    """List the message ids missing between each Telegram export's first and last message (deleted or left out)."""
    input:
        code=step_code("gaps"),
        documents=every_shard(rules.parse.output.documents),
        audit=every_shard(rules.parse.output.audit),
        facts=lambda wildcards: [f"results/shards/{s}.json" for s in SOURCE_IDS if FORMATS[s] == "telegram_json"],
    output:
        gaps="results/gaps/message_gaps.parquet",
    params:
        exports=[s for s in SOURCE_IDS if FORMATS[s] == "telegram_json"],
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/message_gaps.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_message_gaps.py"
