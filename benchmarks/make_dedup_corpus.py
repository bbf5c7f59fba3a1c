"""Deterministic synthetic corpus with planted exact and near duplicates, built from the seed paragraphs.

Each base document joins 3 to 8 sampled seed paragraphs and replaces about 10% of its words with random seed words
of the same script: without that, random combinations of the ~360 seed paragraphs are near duplicates of each other
by accident and the planted truth would be meaningless. Some bases then get planted copies:
- exact: the same text with only key-invisible changes (case, punctuation, emoji, white space);
- near: word drops, swaps of neighbours, duplicated words and one-letter typos at a rate of 1-6% of the words.
Every document of a family (a base and its copies) carries the base's id in `family`.

Usage: python benchmarks/make_dedup_corpus.py --n-docs 100000 --seed 0 --out /tmp/dedup_corpus.parquet
"""

from __future__ import annotations

import argparse
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z]")
EMOJI = ("🇷🇺", "❗️", "💬", "👉", "🌐", "⚡️")


def seed_paragraphs(repo: Path = REPO) -> list[str]:
    """Parsed seed paragraphs when the parse step has run, else the non-empty lines of the raw seed files."""
    parsed = sorted((repo / "results" / "parsed").glob("*/paragraphs.parquet"))
    if parsed:
        texts = pl.concat([pl.read_parquet(p, columns=["text"]) for p in parsed]).get_column("text").to_list()
    else:
        texts = [line.strip() for path in sorted((repo / "data" / "raw").glob("*.txt"))
                 for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    return sorted({t for t in texts if t.strip()})


def script_of(word: str) -> str | None:
    if CYRILLIC.search(word):
        return "Cyrl"
    if LATIN.search(word):
        return "Latn"
    return None


def word_pools(paragraphs: list[str]) -> dict[str, list[str]]:
    pools: dict[str, set[str]] = {"Cyrl": set(), "Latn": set()}
    for paragraph in paragraphs:
        for word in paragraph.split():
            script = script_of(word)
            if script:
                pools[script].add(word)
    return {script: sorted(words) for script, words in pools.items()}


def base_text(rng: random.Random, paragraphs: list[str], pools: dict[str, list[str]]) -> str:
    """3-8 sampled paragraphs with ~10% of the words replaced by random words of the same script."""
    chosen = rng.sample(paragraphs, rng.randint(3, 8))
    lines = []
    for paragraph in chosen:
        words = paragraph.split()
        for i, word in enumerate(words):
            script = script_of(word)
            if script and rng.random() < 0.10:
                words[i] = rng.choice(pools[script])
        lines.append(" ".join(words))
    return "\n".join(lines)


def exact_copy(rng: random.Random, text: str) -> str:
    """Changes the normalized key does not see: case, punctuation, emoji, extra white space."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines[i] = rng.choice(EMOJI) + " " + lines[i].upper() + rng.choice(("!", "…", " ", "."))
    return "\n".join(lines).replace(" ", "  ", rng.randint(0, 3))


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 2:
        return word + word
    i = rng.randrange(len(word))
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + rng.choice(word) + word[i:]
    return word[:i] + rng.choice(word) + word[i + 1:]


def near_copy(rng: random.Random, text: str, rate: float) -> str:
    """Word drops, neighbour swaps, duplicated words and typos at `rate` of the words (at least one edit)."""
    lines = [line.split() for line in text.split("\n")]
    n_words = sum(len(line) for line in lines)
    for _ in range(max(1, round(rate * n_words))):
        line = rng.choice([ln for ln in lines if ln])
        i = rng.randrange(len(line))
        op = rng.randrange(4)
        if op == 0 and len(line) > 1:
            del line[i]
        elif op == 1 and i + 1 < len(line):
            line[i], line[i + 1] = line[i + 1], line[i]
        elif op == 2:
            line.insert(i, line[i])
        else:
            line[i] = typo(rng, line[i])
    return "\n".join(" ".join(line) for line in lines)


def make_corpus(n_docs: int, seed: int = 0, exact_share: float = 0.05, near_share: float = 0.15) -> pl.DataFrame:
    """`n_docs` documents: bases, plus exact and near copies of random bases (shares of n_docs)."""
    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    pools = word_pools(paragraphs)
    n_exact, n_near = round(n_docs * exact_share), round(n_docs * near_share)
    n_base = n_docs - n_exact - n_near
    start = datetime(2025, 1, 1)
    rows: list[dict] = []

    def add(text: str, family: int, kind: str, rate: float) -> None:
        published = None if rng.random() < 0.2 else start + timedelta(hours=rng.randrange(24 * 365))
        rows.append({"doc_id": f"bench/{len(rows)}", "text": text, "family": family, "kind": kind,
                     "edit_rate": rate, "published": published,
                     "forwarded_from": "other_channel" if rng.random() < 0.3 else None})

    for _ in range(n_base):
        add(base_text(rng, paragraphs, pools), len(rows), "base", 0.0)
    for kind, count in (("exact", n_exact), ("near", n_near)):
        for _ in range(count):
            family = rng.randrange(n_base)
            if kind == "exact":
                add(exact_copy(rng, rows[family]["text"]), family, kind, 0.0)
            else:
                rate = rng.uniform(0.01, 0.06)
                add(near_copy(rng, rows[family]["text"], rate), family, kind, rate)
    frame = pl.DataFrame(rows, schema={"doc_id": pl.String, "text": pl.String, "family": pl.Int64, "kind": pl.String,
                                       "edit_rate": pl.Float64, "published": pl.Datetime("us"),
                                       "forwarded_from": pl.String})
    order = list(range(frame.height))
    rng.shuffle(order)  # the planted copies must not sit next to their bases
    return frame[order].with_columns(pl.col("text").str.len_chars().cast(pl.Int64).alias("n_chars"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    corpus = make_corpus(args.n_docs, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    corpus.write_parquet(args.out)
    print(f"{corpus.height} documents -> {args.out}")
    print(corpus.group_by("kind").len().sort("kind"))


if __name__ == "__main__":
    main()
