# Release: the great-expectations gate, and beside it the figures and the packaged, versioned dataset folder. Only
# `release` depends on the gate's success marker and writes results/dataset/, so a failed validation can never
# produce or overwrite the dataset.


rule provenance:
    """Check that one shard's final rows map back to its raw bytes and cover them: nothing lost, nothing edited."""
    input:
        code=step_code("provenance", "records", "shards", "clean"),
        raw=lambda wildcards: RAW_PATHS[wildcards.source],
        manifest=manifest_of,
        documents=rules.assemble.output.documents,
        paragraphs=rules.assemble.output.paragraphs,
        audit=rules.assemble.output.audit,
    output:
        problems="results/validation/provenance/{source}/{shard}.json",
    params:
        source=parse_entry,
    # The gate is the longest job at the end: its inputs go before the figures and the package, which run beside it.
    priority: 1
    resources:
        mem_mb=SHARD_JOB["mem_mb"],
        runtime=SHARD_JOB["runtime"],
        cpus_per_task=SHARD_JOB["cpus_per_task"],
    group:
        "final"
    log:
        "logs/provenance/{source}/{shard}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_provenance.py"


rule validate:
    """Run every great-expectations suite on the final tables; fail the run on any unmet expectation."""
    input:
        code=step_code("validate", "split", "dedup"),
        documents=every_shard(rules.assemble.output.documents),
        paragraphs=every_shard(rules.assemble.output.paragraphs),
        audit=every_shard(rules.assemble.output.audit),
        duplicates=rules.dedup_paragraphs.output.duplicates,
        sources=rules.register_sources.output.sources,
        message_gaps=rules.message_gaps.output.gaps,
        split_report=rules.split.output.report,
        split_lock="config/split_lock.tsv",
        provenance=every_shard(rules.provenance.output.problems),
    output:
        results="results/validation/results.json",
        data_docs=directory("results/validation/data_docs"),
        passed="results/validation/passed",
    params:
        validate=lookup(within=config, dpath="validate"),
        languages=lookup(within=config, dpath="langid/languages"),
        failure_report="results/validation/failed",
    priority: 1
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/validate.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_validate.py"


rule figures:
    """Draw the dataset's figures from the final tables (counts, lengths, removals, duplicates, translations, language scores, gaps)."""
    input:
        # Drawn while the gate runs: `package` publishes them only once the gate has passed.
        code=step_code("figures"),
        documents=rules.validate.input.documents,
        paragraphs=rules.validate.input.paragraphs,
        audit=rules.validate.input.audit,
        duplicates=rules.dedup_paragraphs.output.duplicates,
        message_gaps=rules.message_gaps.output.gaps,
    output:
        # One report item per figure (report/figures/<name>.rst holds its caption); the card shows some of them.
        **{spec.name: report(f"results/figures/{spec.name}.png", caption=f"../report/figures/{spec.name}.rst",
                             category=spec.category) for spec in TABLE_FIGURES},
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/figures.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_figures.py"


rule validation_figure:
    """Draw the great-expectations results per suite (for the report; the card links Data Docs)."""
    input:
        code=step_code("figures"),
        validation=rules.validate.output.results,
    output:
        validation=report(f"results/figures/{VALIDATION_FIGURE.name}.png",
                          caption=f"../report/figures/{VALIDATION_FIGURE.name}.rst",
                          category=VALIDATION_FIGURE.category),
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/validation_figure.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_validation_figure.py"


rule package:
    """Package the final tables as a versioned Hugging Face dataset with card, citation and checksums."""
    input:
        # Built while the gate runs; `release` publishes it only once the gate has passed.
        code=step_code("package", "card", "sources", "yamlfile", "figures", "release"),
        documents=rules.validate.input.documents,
        paragraphs=rules.validate.input.paragraphs,
        audit=rules.validate.input.audit,
        duplicates=rules.dedup_paragraphs.output.duplicates,
        sources=rules.register_sources.output.sources,
        message_gaps=rules.message_gaps.output.gaps,
        split_report=rules.split.output.report,
        translations=rules.translation.output.links,
        releases="config/releases.yaml",
        changelog="CHANGELOG.md",
        data_terms="LICENSE-DATA.md",
        **{f"figure_{name}": path for name, path in rules.figures.output.items()},
    output:
        dataset=directory("results/package/dataset"),
    params:
        dataset=lookup(within=config, dpath="dataset"),
        layout=lookup(within=config, dpath="package"),
        version=config["version"],
    resources:
        mem_mb=CORPUS_JOB["mem_mb"],
        runtime=CORPUS_JOB["runtime"],
        cpus_per_task=CORPUS_JOB["cpus_per_task"],
    log:
        "logs/package.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_package.py"


rule release:
    """Once the gate has passed, check the packaged folder against its SHA256SUMS and put it in place as results/dataset/."""
    input:
        code=step_code("release"),
        passed=rules.validate.output.passed,
        package=rules.package.output.dataset,
    output:
        # update(): Snakemake keeps the previous dataset while the job runs and restores it if the job fails.
        dataset=update(directory("results/dataset")),
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/release.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_release.py"


rule lock_splits:
    """Write the split lock of the validated build (opt-in, at release time; copy it to config/ and commit)."""
    input:
        code=step_code("split", "dedup"),
        passed=rules.validate.output.passed,
        documents=rules.split.output.splits,
    output:
        lock="results/release/split_lock.tsv",
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/lock_splits.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_lock_splits.py"


rule publish:
    """Push results/dataset/ to the Hugging Face Hub, tagged with the version (opt-in; needs HF_TOKEN)."""
    input:
        dataset=rules.release.output.dataset,
        releases="config/releases.yaml",
    output:
        receipt="results/publish/{repo_owner}/{repo_name}.json",
    params:
        version=config["version"],
    resources:
        mem_mb=LIGHT_JOB["mem_mb"],
        runtime=LIGHT_JOB["runtime"],
        cpus_per_task=LIGHT_JOB["cpus_per_task"],
    log:
        "logs/publish/{repo_owner}/{repo_name}.log",
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/run_publish.py"
