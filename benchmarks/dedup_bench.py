"""Benchmark of document-level exact + near dedup on the synthetic corpus (benchmarks/make_dedup_corpus.py).

Prints, at the configured document threshold:
- precision and recall of planted near-duplicate pairs (a pair is planted when both documents come from one base;
  recall counts the planted pairs whose true Jaccard reaches the threshold, precision counts merged pairs that are
  planted);
- merged documents whose true Jaccard to their kept document is below the threshold (must be 0), and, for contrast,
  how many documents unverified LSH candidates would have merged below it;
- documents per second and peak memory (max RSS) of exact + near dedup on one core, measured in a fresh process.

Usage: python benchmarks/dedup_bench.py --n-docs 100000 [--corpus /tmp/dedup_corpus.parquet]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "benchmarks"))

SINGLE_CORE_ENV = {"POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def timed_dedup(corpus_path: str, result_path: str, queue: mp.Queue) -> None:
    """Worker: pin to one core, run exact + near document dedup, report seconds and max RSS."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import polars as pl

    from infospace.dedup import dedup_config, in_memory_level, level_duplicates

    corpus = pl.read_parquet(corpus_path, columns=["doc_id", "text", "published", "forwarded_from", "n_chars"])
    config = dedup_config({}).documents
    start = time.perf_counter()
    duplicates = level_duplicates(in_memory_level(corpus, "doc_id", pl.col("n_chars"), config), "document", config)
    seconds = time.perf_counter() - start
    duplicates.write_parquet(result_path)
    queue.put({"seconds": seconds, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "threads": pl.thread_pool_size()})


def planted_pairs(corpus) -> set[tuple[str, str]]:
    pairs = set()
    for members in corpus.group_by("family").agg("doc_id").get_column("doc_id").to_list():
        pairs.update(tuple(sorted(p)) for p in combinations(members, 2))
    return pairs


def merged_pairs(duplicates) -> set[tuple[str, str]]:
    pairs = set()
    for members in duplicates.group_by("cluster_id").agg("member_id").get_column("member_id").to_list():
        pairs.update(tuple(sorted(p)) for p in combinations(members, 2))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="corpus Parquet from make_dedup_corpus.py (made if missing)")
    args = parser.parse_args()

    import polars as pl

    from infospace.dedup import JaccardCache, candidate_pairs, dedup_config, normalized_keys, word_shingles
    from make_dedup_corpus import make_corpus

    workdir = Path(tempfile.mkdtemp(prefix="dedup_bench_"))
    corpus_path = args.corpus or workdir / "corpus.parquet"
    if not corpus_path.exists():
        make_corpus(args.n_docs, args.seed).write_parquet(corpus_path)
    corpus = pl.read_parquet(corpus_path)

    context = mp.get_context("spawn")
    os.environ.update(SINGLE_CORE_ENV)  # inherited by the spawned worker before it imports polars
    queue = context.Queue()
    worker = context.Process(target=timed_dedup, args=(str(corpus_path), str(workdir / "dups.parquet"), queue))
    worker.start()
    timing = queue.get()
    worker.join()
    duplicates = pl.read_parquet(workdir / "dups.parquet")

    # Truth: true Jaccard of every planted pair, on the same shingles the dedup uses.
    config = dedup_config({}).documents
    row_of = {doc_id: i for i, doc_id in enumerate(corpus.get_column("doc_id").to_list())}
    sets = word_shingles(normalized_keys(corpus.get_column("text")), config.ngram, config.seed)
    similarity = JaccardCache(sets)
    planted = planted_pairs(corpus)
    planted_at_threshold = {p for p in planted if similarity(row_of[p[0]], row_of[p[1]]) >= config.threshold}
    merged = merged_pairs(duplicates)
    precision = len(merged & planted) / len(merged) if merged else 1.0
    recall = len(merged & planted_at_threshold) / len(planted_at_threshold) if planted_at_threshold else 1.0

    removed = duplicates.filter(pl.col("member_id") != pl.col("kept_id"))
    wrong = sum(similarity(row_of[m], row_of[k]) < config.threshold
                for m, k in removed.select("member_id", "kept_id").iter_rows())
    # Contrast: documents that unverified LSH candidates would merge although below the threshold.
    candidates = candidate_pairs(sets, config)
    unverified_wrong = {row for a, b in candidates.tolist() if similarity(a, b) < config.threshold for row in (a, b)}

    report = {
        "documents": corpus.height,
        "threshold": config.threshold,
        "planted_pairs": len(planted),
        "planted_pairs_at_threshold": len(planted_at_threshold),
        "merged_pairs": len(merged),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "recall_all_planted": round(len(merged & planted) / len(planted), 4),
        "removed_documents": removed.height,
        "merged_below_threshold": int(wrong),
        "lsh_candidate_pairs": len(candidates),
        "unverified_lsh_docs_below_threshold": len(unverified_wrong),
        "unverified_lsh_share_below_threshold": round(len(unverified_wrong) / corpus.height, 5),
        "seconds_one_core": round(timing["seconds"], 2),
        "docs_per_second": round(corpus.height / timing["seconds"]),
        "peak_memory_mb": round(timing["max_rss_mb"]),
        "worker_polars_threads": timing["threads"],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
