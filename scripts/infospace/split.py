"""Leak-free, version-stable train/validation/test splits.

1. **Groups.** Documents that are duplicates or translations of each other must share a split, or the test set leaks
   into train. A group is a connected component of documents linked by a shared document `dup_cluster_id`, a shared
   `translation_group`, or (with `link_paragraph_duplicates`, on by default) a paragraph of one document duplicating
   a paragraph of another (a shared paragraph `dup_cluster_id`). Components are found with union-find.
2. **Stable hash.** A group's key is the smallest `doc_id` in it. Its position is
   `int(sha256(salt + "\\n" + key)[:16], 16) / 2**64`, a number in [0, 1), and the configured ratios cut [0, 1) into
   one interval per split, in the fixed order of `infospace.schema.SPLITS` (train, validation, test). Because the
   position depends only on the salt and the key, adding documents never moves an existing document, unless a new
   document joins its group *and* has a smaller `doc_id` than every old member (the key then changes).
3. **Small-corpus rule** (`fill_empty_splits`). With few groups, hashing can leave a split with a positive ratio
   empty (with 80/10/10 and n groups, validation is empty with probability 0.9**n). When there are at least as many
   groups as such splits, each empty split, taken in SPLITS order, receives one group: from the split that holds
   the most groups (ties: SPLITS order; it always holds two or more, all placed by hash), the group whose hash
   position is nearest to the empty split's interval (ties: the smaller key). At most one group moves per empty
   split; the rule uses no tuning and no knowledge of the corpus beyond the hash positions.

   Stability: no history-free rule can both fill every split and never move a group when the corpus grows (the
   split of a group would then depend on the group alone, i.e. be the plain hash, which can leave a split empty).
   This rule confines the change: a group keeps its split across a version unless the rule moves it in the old or
   the new version (at most len(SPLITS) - 1 groups each), and taking the donor from the largest split (train, at
   80/10/10) means a new group changes the moves only when it fills the empty split, becomes the new nearest
   candidate, or changes which split is largest. Once every split receives a group by hash, which for 80/10/10 is
   almost certain beyond ~50 groups (1 - 2 * 0.9**50 > 99%), the rule is inactive and every split is the plain
   hash split. The split report lists each move, so a release note can name the documents that moved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from infospace.schema import SPLITS

DEFAULT_SALT = "infospace-split-v1"
DEFAULT_RATIOS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
HASH_FORMULA = 'int(sha256((salt + "\\n" + group_key).encode("utf-8")).hexdigest()[:16], 16) / 2**64'
RULE_NAME = "fill_empty_splits"


@dataclass(frozen=True)
class SplitConfig:
    salt: str
    ratios: dict[str, float]
    link_paragraph_duplicates: bool = True
    fill_empty_splits: bool = True


def split_config(section: Mapping[str, Any] | None) -> SplitConfig:
    """The config `split:` section with documented defaults for missing keys; ratios are checked and normalized."""
    section = dict(section or {})
    ratios = {name: float(value) for name, value in (section.get("ratios") or DEFAULT_RATIOS).items()}
    unknown = sorted(set(ratios) - set(SPLITS))
    if unknown:
        raise ValueError(f"split.ratios: unknown split name(s) {unknown}; allowed: {list(SPLITS)}")
    if any(value < 0 for value in ratios.values()) or sum(ratios.values()) <= 0:
        raise ValueError(f"split.ratios must be non-negative with a positive sum, got {ratios}")
    total = sum(ratios.values())
    return SplitConfig(
        salt=str(section.get("salt", DEFAULT_SALT)),
        ratios={name: ratios.get(name, 0.0) / total for name in SPLITS},
        link_paragraph_duplicates=bool(section.get("link_paragraph_duplicates", True)),
        fill_empty_splits=bool(section.get("fill_empty_splits", True)),
    )


# --- groups -------------------------------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The smaller id becomes the root, so a component's root is its smallest member.
            low, high = sorted((root_a, root_b))
            self.parent[high] = low


def _link_members(union_find: _UnionFind, pairs: pl.DataFrame, link_column: str) -> None:
    """Union every doc_id that shares a non-null value of `link_column` (pairs: doc_id, link_column)."""
    linked = pairs.drop_nulls(link_column).unique().sort(link_column, "doc_id")
    for members in linked.group_by(link_column, maintain_order=True).agg("doc_id")["doc_id"]:
        first = members[0]
        for other in members[1:]:
            union_find.union(first, other)


def document_groups(documents: pl.DataFrame, paragraphs: pl.DataFrame | None = None) -> pl.DataFrame:
    """Map each doc_id to its group key (the smallest doc_id of its group): columns doc_id, group_key.

    Documents are linked by a shared `dup_cluster_id` or `translation_group`, and, when `paragraphs` is given,
    by a shared paragraph `dup_cluster_id` (paragraphs whose document is not in `documents` are ignored).
    """
    doc_ids = documents["doc_id"].to_list()
    union_find = _UnionFind(doc_ids)
    for column in ("dup_cluster_id", "translation_group"):
        _link_members(union_find, documents.select("doc_id", column), column)
    if paragraphs is not None and paragraphs.height:
        known = paragraphs.filter(pl.col("doc_id").is_in(doc_ids))
        _link_members(union_find, known.select("doc_id", pl.col("dup_cluster_id").alias("para_cluster")),
                      "para_cluster")
    return pl.DataFrame(
        {"doc_id": doc_ids, "group_key": [union_find.find(doc_id) for doc_id in doc_ids]},
        schema={"doc_id": pl.String, "group_key": pl.String},
    )


# --- hashing and intervals ------------------------------------------------------------------------------------------


def hash_position(salt: str, group_key: str) -> float:
    """Position of a group in [0, 1): see HASH_FORMULA."""
    digest = hashlib.sha256((salt + "\n" + group_key).encode("utf-8")).hexdigest()
    return int(digest[:16], 16) / 2**64


def split_intervals(ratios: Mapping[str, float]) -> dict[str, tuple[float, float]]:
    """Half-open interval [start, end) of each split, laid out in SPLITS order; the last positive one ends at 1."""
    intervals: dict[str, tuple[float, float]] = {}
    start = 0.0
    last = max(i for i, name in enumerate(SPLITS) if ratios.get(name, 0.0) > 0)
    for i, name in enumerate(SPLITS):
        end = 1.0 if i == last else min(1.0, start + ratios.get(name, 0.0))
        intervals[name] = (start, end)
        start = end
    return intervals


def split_for_position(position: float, intervals: Mapping[str, tuple[float, float]]) -> str:
    for name in SPLITS:
        start, end = intervals[name]
        if start <= position < end:
            return name
    raise AssertionError(f"position {position} outside [0, 1)")


def _distance(position: float, interval: tuple[float, float]) -> float:
    start, end = interval
    return max(start - position, 0.0, position - end)


# --- assignment ---------------------------------------------------------------------------------------------------


def assign_group_splits(group_keys: Iterable[str], config: SplitConfig) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Split of each group: frame (group_key, position, hash_split, split) sorted by key, and the moves made."""
    intervals = split_intervals(config.ratios)
    keys = sorted(set(group_keys))
    positions = {key: hash_position(config.salt, key) for key in keys}
    split_of = {key: split_for_position(positions[key], intervals) for key in keys}
    hash_split = dict(split_of)

    moves: list[dict[str, Any]] = []
    required = [name for name in SPLITS if config.ratios[name] > 0]
    if config.fill_empty_splits and len(keys) >= len(required):
        for target in required:
            counts = {name: sum(1 for key in keys if split_of[key] == name) for name in SPLITS}
            if counts[target]:
                continue
            # The donor is the split holding the most groups (ties: SPLITS order); it holds >= 2, all placed by hash.
            donor = max(SPLITS, key=lambda name: (counts[name], -SPLITS.index(name)))
            candidates = [key for key in keys if split_of[key] == donor]
            chosen = min(candidates, key=lambda key: (_distance(positions[key], intervals[target]), key))
            moves.append({"group_key": chosen, "position": positions[chosen], "from": split_of[chosen], "to": target})
            split_of[chosen] = target

    frame = pl.DataFrame(
        {
            "group_key": keys,
            "position": [positions[key] for key in keys],
            "hash_split": [hash_split[key] for key in keys],
            "split": [split_of[key] for key in keys],
        },
        schema={"group_key": pl.String, "position": pl.Float64, "hash_split": pl.String, "split": pl.String},
    )
    return frame, moves


def assign_splits(
    documents: pl.DataFrame, paragraphs: pl.DataFrame, config: SplitConfig
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Add `split` to documents (by group) and paragraphs (from their document); return both and the report."""
    groups = document_groups(documents, paragraphs if config.link_paragraph_duplicates else None)
    group_splits, moves = assign_group_splits(groups["group_key"], config)
    doc_splits = groups.join(group_splits.select("group_key", "split"), on="group_key", how="left")

    documents_out = documents.join(doc_splits.select("doc_id", "split"), on="doc_id", how="left")
    paragraphs_out = paragraphs.drop("split", strict=False).join(
        doc_splits.select("doc_id", "split"), on="doc_id", how="left"
    )
    orphans = paragraphs_out.filter(pl.col("split").is_null())["para_id"].to_list()
    if orphans:
        raise ValueError(f"{len(orphans)} paragraph(s) belong to no document, e.g. {orphans[:5]}")

    report = split_report(config, group_splits, doc_splits, paragraphs_out, moves)
    return documents_out, paragraphs_out, report


def _counts(frame: pl.DataFrame) -> dict[str, int]:
    counted = dict(frame.group_by("split").len().iter_rows())
    return {name: int(counted.get(name, 0)) for name in SPLITS}


def split_report(
    config: SplitConfig,
    group_splits: pl.DataFrame,
    doc_splits: pl.DataFrame,
    paragraphs: pl.DataFrame,
    moves: list[dict[str, Any]],
) -> dict[str, Any]:
    """Groups, documents and paragraphs per split, and whether (and how) the small-corpus rule changed anything."""
    required = [name for name in SPLITS if config.ratios[name] > 0]
    return {
        "salt": config.salt,
        "ratios": dict(config.ratios),
        "hash": HASH_FORMULA,
        "group_key": "smallest doc_id of the group",
        "link_paragraph_duplicates": config.link_paragraph_duplicates,
        "groups": _counts(group_splits),
        "documents": _counts(doc_splits),
        "paragraphs": _counts(paragraphs),
        "hash_groups": _counts(group_splits.select(pl.col("hash_split").alias("split"))),
        "small_corpus_rule": {
            "name": RULE_NAME,
            "enabled": config.fill_empty_splits,
            "eligible": len(group_splits) >= len(required),
            "applied": bool(moves),
            "moves": moves,
        },
    }


def add_other_table_counts(report: dict[str, Any], counts: Mapping[str, int]) -> dict[str, Any]:
    """Row counts of the tables that have no split (audit, duplicates, sources; packaged as split `full`)."""
    return {**report, "unsplit_tables": {name: int(counts[name]) for name in sorted(counts)}}
