"""Reference run of HuggingFace datatrove's MinHash deduplication on a JSONL corpus, for comparison with our dedup.

    benchmarks/.venv-datatrove/bin/python benchmarks/datatrove_minhash.py INPUT.jsonl WORKDIR [--workers 2]

Needs the separate environment of benchmarks/requirements-datatrove.txt (datatrove 0.10.1), not the project's .venv.
INPUT.jsonl holds one record per line with a `text` field and an integer `id` field (benchmarks/synthetic_corpus.py
writes such files). All four datatrove stages run with the default MinhashConfig() (5-gram shingles, 14 buckets of
8 hashes, 64-bit xxhash) and datatrove's default word tokenizer for MinhashDedupSignature (language "eng":
spacy.blank("en"), a rule-based tokenizer shipped with spaCy, so nothing is downloaded).

datatrove shards its input by file, so the input is first split into one contiguous JSONL shard per task
(WORKDIR/input/); otherwise a single file would keep all but one worker idle. The split is not timed.

Writes under WORKDIR: the datatrove working folders (signatures/, buckets/, remove_ids/, logs/), the deduplicated
corpus (output/*.jsonl) and removed_ids.txt (ids present in the input but not in the output, one per line).
Prints one line of JSON to stdout: {"documents_in", "documents_out", "removed", "wall_seconds"}, where
wall_seconds covers the four stages only.
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import MinhashDedupSignature
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

# folders this script owns under WORKDIR; emptied at the start, since datatrove skips tasks it finds completed
OWNED = ["input", "signatures", "buckets", "remove_ids", "output", "logs"]


def split_input(input_path: Path, shard_dir: Path, shards: int) -> list[str]:
    """Copy INPUT.jsonl into `shards` contiguous files of about equal line count; return the ids in input order."""
    lines = input_path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if line.strip()]
    shard_dir.mkdir(parents=True)
    per_shard = -(-len(lines) // shards)  # ceiling division
    for i in range(shards):
        (shard_dir / f"{i:05d}.jsonl").write_text("".join(lines[i * per_shard:(i + 1) * per_shard]), encoding="utf-8")
    return [str(json.loads(line)["id"]) for line in lines]


def output_ids(output_dir: Path) -> set[str]:
    """Ids of the documents datatrove kept (JsonlWriter writes one JSON object per line, with the `id` field)."""
    return {str(json.loads(line)["id"]) for path in sorted(output_dir.glob("*.jsonl"))
            for line in path.open(encoding="utf-8") if line.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path, help="JSONL file with `id` and `text` fields")
    parser.add_argument("workdir", type=Path, help="folder for datatrove's files and the deduplicated output")
    parser.add_argument("--workers", type=int, default=2, help="tasks and worker processes of the parallel stages")
    args = parser.parse_args()

    work = args.workdir.resolve()
    for name in OWNED:
        shutil.rmtree(work / name, ignore_errors=True)
    input_ids = split_input(args.input, work / "input", args.workers)

    config = MinhashConfig()  # datatrove's defaults

    # the reader is shared by stage 1 and stage 4: stage 4 matches documents by their position in each task's input
    def reader():
        # id_key="id" is the default: the record's `id` becomes Document.id (the rest of the record goes to metadata)
        return JsonlReader(str(work / "input"), text_key="text", id_key="id", glob_pattern="*.jsonl")

    # stage 1: a signature per document, one file per task and bucket
    stage1 = LocalPipelineExecutor(
        pipeline=[reader(), MinhashDedupSignature(output_folder=str(work / "signatures"), config=config)],
        tasks=args.workers, workers=args.workers, logging_dir=str(work / "logs" / "signatures"))
    # stage 2: duplicate pairs within each bucket; the task count must be a multiple of num_buckets
    stage2 = LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(input_folder=str(work / "signatures"), output_folder=str(work / "buckets"),
                                      config=config)],
        tasks=config.num_buckets, workers=args.workers, logging_dir=str(work / "logs" / "buckets"), depends=stage1)
    # stage 3: union-find over all pairs, one .remove file per stage-1 task (datatrove requires a single task)
    stage3 = LocalPipelineExecutor(
        pipeline=[MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"),
                                      config=config)],
        tasks=1, logging_dir=str(work / "logs" / "clusters"), depends=stage2)
    # stage 4: re-read the input, drop the documents listed for removal, write the rest (plain JSONL, not gzip)
    stage4 = LocalPipelineExecutor(
        pipeline=[reader(), MinhashDedupFilter(input_folder=str(work / "remove_ids")),
                  JsonlWriter(str(work / "output"), compression=None)],
        tasks=args.workers, workers=args.workers, logging_dir=str(work / "logs" / "filter"), depends=stage3)

    start = time.perf_counter()
    stage4.run()  # runs stage1, stage2 and stage3 first (depends=)
    wall_seconds = time.perf_counter() - start

    kept = output_ids(work / "output")
    removed = [i for i in input_ids if i not in kept]
    (work / "removed_ids.txt").write_text("".join(f"{i}\n" for i in removed), encoding="utf-8")
    print(json.dumps({"documents_in": len(input_ids), "documents_out": len(kept), "removed": len(removed),
                      "wall_seconds": round(wall_seconds, 3)}))
    sys.stdout.flush()


if __name__ == "__main__":  # LocalPipelineExecutor starts its workers with forkserver: they re-import this module
    main()
