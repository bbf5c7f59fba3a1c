"""Precision and recall of translation linking on a labelled set of RU/EN twins and hard negatives.

    .venv/bin/python benchmarks/translation_eval.py [--pairs FILE] [--half {odd,even,all}] [--show-errors]

FILE (default tests/data/translation_twins.jsonl) holds one pair per line: `label` is `twin` (the English post
translates the Russian one) or `negative` (same topic and institutions, not a translation), with the two texts and
their minutes after midnight (`ru_minutes`, `en_minutes`). All posts go into one channel, one pair per day (twin k
on day 2k, negative k on day 2k+1, so a twin and its negative are a day apart), and the linker runs on that feed
with the project's config. A link counts as correct only when it joins the two posts of one twin pair; any other
link (a negative pair, or posts of two different pairs) is a false link. Precision = correct links / links,
recall = linked twin pairs / twin pairs. `--half` scores the odd-numbered or even-numbered pairs only (each half is
linked as its own feed).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import yaml  # noqa: E402

from infospace.translation import link_translations, translation_config  # noqa: E402

DEFAULT_PAIRS = REPO / "tests" / "data" / "translation_twins.jsonl"
FIRST_DAY = datetime(2025, 3, 1)


def load_pairs(path: Path = DEFAULT_PAIRS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def half_of(pairs: list[dict[str, Any]], half: str) -> list[dict[str, Any]]:
    """Pairs whose number (the digits of `pair`, e.g. twin-07) is odd or even; `all` keeps every pair."""
    if half == "all":
        return pairs
    return [p for p in pairs if int(p["pair"].rsplit("-", 1)[1]) % 2 == (1 if half == "odd" else 0)]


def labelled_feed(pairs: list[dict[str, Any]]) -> tuple[pl.DataFrame, dict[str, tuple[str, str]]]:
    """One channel's documents (the linker's input columns, with minute-precision times) and doc_id -> (pair,
    language)."""
    twins = [p for p in pairs if p["label"] == "twin"]
    negatives = [p for p in pairs if p["label"] != "twin"]
    posts = []
    for kind, group in ((0, twins), (1, negatives)):
        for k, pair in enumerate(group):
            day = FIRST_DAY + timedelta(days=2 * k + kind)
            for language in ("ru", "en"):
                posts.append((day + timedelta(minutes=pair[f"{language}_minutes"]), language, pair))
    posts.sort(key=lambda post: (post[0], post[1], post[2]["pair"]))
    truth = {}
    rows = []
    for position, (published, language, pair) in enumerate(posts):
        doc_id = f"eval-channel/{position:04d}"
        truth[doc_id] = (pair["pair"], language)
        rows.append({"doc_id": doc_id, "source_id": "eval-channel", "position": position, "language": language,
                     "n_chars": len(pair[language]), "text": pair[language], "published": published,
                     "published_precision": "minute"})
    return pl.DataFrame(rows), truth


@dataclass(frozen=True)
class Quality:
    twins: int
    links: int
    correct: int
    false_links: list[dict[str, Any]]
    missed: list[str]

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.twins if self.twins else 1.0


def evaluate(pairs: list[dict[str, Any]], config: dict[str, Any] | None = None) -> Quality:
    """Link the labelled feed of `pairs` and compare the links with the labels."""
    feed, truth = labelled_feed(pairs)
    result = link_translations(feed, translation_config(config))
    twin_ids = {p["pair"] for p in pairs if p["label"] == "twin"}
    correct, false_links = 0, []
    linked = set()
    for link in result.report["links"]:
        (pair_a, _), (pair_b, _) = truth[link["doc_a"]], truth[link["doc_b"]]
        if pair_a == pair_b and pair_a in twin_ids:
            correct += 1
            linked.add(pair_a)
        else:
            false_links.append({"pairs": [pair_a, pair_b], "score": link["score"], "features": link["features"]})
    missed = sorted(twin_ids - linked)
    return Quality(twins=len(twin_ids), links=len(result.report["links"]), correct=correct,
                   false_links=false_links, missed=missed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--half", choices=("odd", "even", "all"), default="all")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8")).get("translation")
    pairs = half_of(load_pairs(args.pairs), args.half)
    quality = evaluate(pairs, config)
    negatives = sum(p["label"] != "twin" for p in pairs)
    print(f"pairs: {quality.twins} twins, {negatives} negatives ({args.half})")
    print(f"links: {quality.links}, correct {quality.correct}, false {len(quality.false_links)}")
    print(f"precision {quality.precision:.4f}  recall {quality.recall:.4f}")
    if args.show_errors:
        for false in quality.false_links:
            print("false link", json.dumps(false, ensure_ascii=False))
        if quality.missed:
            print("missed:", " ".join(quality.missed))


if __name__ == "__main__":
    main()
