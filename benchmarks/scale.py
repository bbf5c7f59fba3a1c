"""The whole workflow on synthetic channel histories of growing size, against datatrove's MinHash deduplication.

    .venv/bin/python benchmarks/scale.py [--sizes 20000 100000 200000 1000000] [--workdir DIR] [--cores 2]
                                         [--shard-size 50000] [--datatrove-python PATH]

For each size N it writes N synthetic posts as JSONL with their planted truth (benchmarks/synthetic_corpus.py),
registers them next to the seeds in a fresh copy of the project, and runs `snakemake --cores C` under
`/usr/bin/time -v`: wall, user and system time, the peak RSS of the largest process (a job, or snakemake itself),
posts/s and MB/s of the whole run, and per rule the CPU seconds of its jobs and the largest job's peak RSS (each
step's log ends with them, measured by the kernel: infospace/jobs.py). It scores the
document-level deduplication against the planted copies (precision: removed posts that are planted copies;
recall: planted copies removed) and the translation links against the planted pairs. Then, on the same file, it runs
datatrove's MinHash deduplication (benchmarks/datatrove_minhash.py: its four stages, default MinhashConfig,
2 workers) in its own virtual environment, and prints the ratio of our whole pipeline's wall time to datatrove's.
`--sizes 0` is the seeds alone: a cold `snakemake --cores 4` and a no-op rerun.

Install datatrove's environment once (never in the main lock):
    python3 -m venv benchmarks/.venv-datatrove
    benchmarks/.venv-datatrove/bin/pip install -r benchmarks/requirements-datatrove.txt
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "scripts"))
from infospace.sources import sha256_file  # noqa: E402
from synthetic_corpus import truth_path, write  # noqa: E402

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
# What a user's clone holds for a build, the workflow profile included (profiles/default: its scheduler).
PROJECT_FILES = ("Snakefile", "infospace.py", "rules", "profiles", "report", "resources", "scripts", "config", "envs",
                 "data", "CHANGELOG.md", "LICENSE-DATA.md")
SOURCE_ID = "synthetic-channel"
REGISTRY_ENTRY = """
  - id: {source_id}
    path: {path}
    sha256: {sha256}
    format: jsonl
    fields: {{text: text, id: id, published: date, channel: channel, views: views, forwarded_from: forwarded_from}}
    publisher: unknown
    original_source: unknown
    country: RU
    affiliation: unknown
    affiliation_evidence: A synthetic benchmark corpus (benchmarks/synthetic_corpus.py).
    url: null
    published: unknown
    published_precision: unknown
    published_basis: unknown
    retrieved: unknown
    retrieved_precision: unknown
    languages_declared: [ru, en]
    terms: unknown
    notes: Synthetic channel history for benchmarks/scale.py.
"""


def make_project(folder: Path, corpus: Path | None, shard_size: int) -> Path:
    """A fresh copy of the workflow, with `corpus` registered beside the seeds."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    if corpus is not None:
        raw = folder / "data" / "raw" / "channel.jsonl"
        raw.hardlink_to(corpus)
        registry = folder / "config" / "sources.yaml"
        registry.write_text(registry.read_text(encoding="utf-8") + REGISTRY_ENTRY.format(
            source_id=SOURCE_ID, path=raw.name, sha256=sha256_file(raw)), encoding="utf-8")
    config = folder / "config" / "config.yaml"
    config.write_text(re.sub(r"shard_size: \d+", f"shard_size: {shard_size}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    return folder


def timed(command: list[str], cwd: Path, log: Path) -> dict[str, float]:
    """Run `command` under /usr/bin/time -v; its wall, user and system seconds and peak RSS (MB)."""
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    text = log.read_text(encoding="utf-8", errors="replace")
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}; see {log}")

    def field(name: str) -> str:
        return re.search(rf"{re.escape(name)}: (.+)", text).group(1).strip()

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return {"wall": wall, "user": float(field("User time (seconds)")), "system": float(field("System time (seconds)")),
            "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024}


RESOURCES = re.compile(r"job resources: peak RSS (\d+) MB, CPU ([\d.]+) s")


def rule_resources(project: Path) -> dict[str, tuple[float, float]]:
    """Per rule: CPU seconds of all its jobs and the largest peak RSS (MB) of one job, from the line every step's
    run script ends its log with (infospace.jobs)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for log in (project / "logs").rglob("*.log"):
        rule = log.relative_to(project / "logs").parts[0].removesuffix(".log")
        for rss, cpu in RESOURCES.findall(log.read_text(encoding="utf-8", errors="replace")):
            totals[rule][0] += float(cpu)
            totals[rule][1] = max(totals[rule][1], float(rss))
    return {rule: (cpu, rss) for rule, (cpu, rss) in totals.items()}


def dedup_scores(project: Path, truth: dict) -> dict[str, float]:
    """Precision and recall of the removed posts against the planted copies, and of the translation links."""
    results = project / "results"
    documents = pl.concat([pl.read_parquet(p, columns=["doc_id", "record_id"])
                           for p in sorted((results / "signatures" / SOURCE_ID).glob("*/documents.parquet"))])
    post_of = dict(documents.iter_rows())
    duplicates = pl.read_parquet(results / "dedup" / "duplicates.parquet")
    removed = {post_of[d] for d in duplicates.filter(
        (pl.col("level") == "document") & (pl.col("member_id") != pl.col("kept_id")))["member_id"] if d in post_of}
    planted = {str(copy) for copy, _ in truth["exact_copies"] + truth["near_copies"]}
    links = json.loads((results / "translation" / "links.json").read_text(encoding="utf-8"))["links"]
    linked = {frozenset((post_of.get(x["doc_a"]), post_of.get(x["doc_b"]))) for x in links}
    pairs = {frozenset(map(str, pair)) for pair in truth["translation_pairs"]}
    return {"precision": len(removed & planted) / max(len(removed), 1), "recall": len(removed & planted) / len(planted),
            "removed": len(removed), "planted": len(planted),
            "link_precision": len(linked & pairs) / max(len(linked), 1), "link_recall": len(linked & pairs) / len(pairs)}


def datatrove_run(python: Path, corpus: Path, workdir: Path) -> dict[str, float]:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    figures = timed([str(python), str(REPO / "benchmarks" / "datatrove_minhash.py"), str(corpus), str(workdir),
                     "--workers", "2"], workdir, workdir.with_suffix(".log"))
    return figures


def seeds_row(workdir: Path) -> None:
    project = make_project(workdir / "seeds", None, 50_000)
    cold = timed([SNAKEMAKE, "--cores", "4"], project, workdir / "seeds.log")
    noop = timed([SNAKEMAKE, "--cores", "4"], project, workdir / "seeds-noop.log")
    print(f"seeds alone: cold `snakemake --cores 4` {cold['wall']:.1f} s wall ({cold['user']:.1f} s user, "
          f"peak RSS {cold['rss_mb']:.0f} MB); no-op rerun {noop['wall']:.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000, 200_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "work")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=50_000)
    parser.add_argument("--datatrove-python", type=Path, default=REPO / "benchmarks" / ".venv-datatrove" / "bin" /
                        "python")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    header = ("| posts | MB | wall s | user s | sys s | peak RSS MB | posts/s | MB/s | dedup precision | dedup recall "
              "| link precision | link recall | datatrove wall s | ours / datatrove |")
    rows, per_rule = [], {}
    for n in args.sizes:
        if n == 0:
            seeds_row(args.workdir)
            continue
        corpus = args.workdir / f"{n}" / "channel.jsonl"
        if not truth_path(corpus).exists():
            write(n, corpus)
        truth = json.loads(truth_path(corpus).read_text(encoding="utf-8"))
        megabytes = corpus.stat().st_size / 1e6
        project = make_project(args.workdir / f"{n}" / "project", corpus, args.shard_size)
        ours = timed([SNAKEMAKE, "--cores", str(args.cores)], project, args.workdir / f"{n}" / "snakemake.log")
        scores = dedup_scores(project, truth)
        per_rule[n] = rule_resources(project)
        if args.datatrove_python.exists():
            theirs = datatrove_run(args.datatrove_python, corpus, args.workdir / f"{n}" / "datatrove")
            versus = f"{theirs['wall']:.1f} | {ours['wall'] / theirs['wall']:.2f}"
        else:
            versus = "not run (no datatrove venv) | -"
        rows.append(f"| {n:,} | {megabytes:.0f} | {ours['wall']:.1f} | {ours['user']:.1f} | {ours['system']:.1f} | "
                    f"{ours['rss_mb']:.0f} | {n / ours['wall']:,.0f} | {megabytes / ours['wall']:.2f} | "
                    f"{scores['precision']:.4f} | {scores['recall']:.4f} | {scores['link_precision']:.3f} | "
                    f"{scores['link_recall']:.3f} | {versus} |")
        print(rows[-1], flush=True)
        print(f"  {n:,} posts: {scores['removed']} posts removed as duplicates, {scores['planted']} planted copies; "
              "CPU s (peak MB) per rule: " + ", ".join(f"{rule} {cpu:.0f} ({rss:.0f})" for rule, (cpu, rss) in sorted(
                  per_rule[n].items(), key=lambda item: -item[1][0])), flush=True)
    if rows:
        print()
        print(header)
        print("|" + "---|" * (header.count("|") - 1))
        print("\n".join(rows))
        rules = sorted({rule for figures in per_rule.values() for rule in figures})
        print("\n| rule: CPU s (largest job's peak RSS MB) | " + " | ".join(f"{n:,}" for n in per_rule) + " |")
        print("|---|" + "---|" * len(per_rule))
        for rule in rules:
            print(f"| {rule} | " + " | ".join(
                "{:.0f} ({:.0f})".format(*per_rule[n].get(rule, (0, 0))) for n in per_rule) + " |")


if __name__ == "__main__":
    main()
