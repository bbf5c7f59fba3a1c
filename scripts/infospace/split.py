"""Leak-free, version-stable train/validation/test splits.

1. **Groups.** Documents that are duplicates or translations of each other must share a split, or the test set leaks
   into train. A group is a connected component of documents linked by a shared document `dup_cluster_id`, a shared
   `translation_group`, or (with `link_paragraph_duplicates`, on by default) a paragraph of one document duplicating
   a paragraph of another (a shared paragraph `dup_cluster_id`). Only paragraphs whose duplicate key
   (`dedup.normalized_keys`) has at least `link_min_chars` characters link documents: shorter repeated lines, such as
   a feed's hashtag footer or a greeting, are boilerplate, and linking through them would merge a whole feed into one
   group. For the same reason a paragraph cluster spread over more than `link_max_documents` documents (a channel's
   signature line, a long disclaimer) links nothing: it is boilerplate, not a duplicated text. Components are found
   with union-find.
2. **The split lock** (config/split_lock.tsv, `doc_id<TAB>split`, sorted by doc_id). It records the split of every
   document of the last released version; rule `lock_splits` writes it from a validated build to
   results/release/split_lock.tsv, and the maintainer copies it to config/ and commits it with the release.
   A group with a locked member takes the split of its locked members, so a released document never changes split
   because documents were added, and a new document that joins a released group (a new duplicate or translation
   of it) follows that group. If a group's locked members disagree (a new link
   merged groups that were released in different splits), the group takes the split of its locked member with the
   smallest doc_id, and every released document this moves is listed in the report (`lock.merge_moves`). This is
   the only case in which a released document changes split, and it is unavoidable: a split per group is what
   keeps the duplicates or translations out of two splits. Locked doc_ids no longer in the corpus are ignored and
   counted (`lock.stale_entries`). An empty lock (header only) gives the memoryless assignment below.
3. **Stable hash** (groups without a locked member, "new groups"). A group's key is the smallest `doc_id` in it.
   Its position is `int(sha256(salt + "\\n" + key)[:16], 16) / 2**64`, a number in [0, 1), and the configured
   ratios cut [0, 1) into one interval per split, in the fixed order of `infospace.schema.SPLITS` (train,
   validation, test). The position depends only on the salt and the key.
4. **Small-corpus rule** (`fill_empty_splits`). With few groups, hashing can leave a split with a positive ratio
   empty (with 80/10/10 and n groups, validation is empty with probability 0.9**n). When there are at least as many
   groups as such splits, each empty split, taken in SPLITS order, receives one new group: the donor is the split
   holding the most groups (ties: SPLITS order) among those that hold two or more groups and at least one new group
   still at its hash split, and from it the new group whose hash position is nearest to the empty split's interval
   (ties: the smaller key) moves. Locked groups never move. If no split can donate, the split stays empty and is
   reported (`unfilled`). At most one group moves per empty split; the rule uses no tuning and no knowledge of the
   corpus beyond the hash positions. Once every split receives a group by hash, which for 80/10/10 is almost
   certain beyond ~50 groups (1 - 2 * 0.9**50 > 99%), the rule is inactive and every new group gets its hash split.

   Why a lock: no memoryless rule can both fill every split of a small corpus and never move a document when the
   corpus grows (a split that depends on the group alone is the plain hash, which can leave a split empty). The lock
   is the memory: the small-corpus rule only ever places new groups, and released ones keep their split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from infospace.dedup import UnionFind, normalized_keys
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
    link_min_chars: int = 40
    link_max_documents: int = 50
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
        link_min_chars=int(section.get("link_min_chars", 40)),
        link_max_documents=int(section.get("link_max_documents", 50)),
        fill_empty_splits=bool(section.get("fill_empty_splits", True)),
    )


# --- groups -------------------------------------------------------------------------------------------------------


def _link_members(union_find: UnionFind, pairs: pl.DataFrame, link_column: str) -> None:
    """Union every doc_id that shares a non-null value of `link_column` (pairs: doc_id, link_column)."""
    linked = pairs.drop_nulls(link_column).unique().sort(link_column, "doc_id")
    for members in linked.group_by(link_column, maintain_order=True).agg("doc_id")["doc_id"]:
        first = members[0]
        for other in members[1:]:
            union_find.union(first, other)


def linking_paragraphs(paragraphs: pl.DataFrame, min_chars: int, max_documents: int | None = None) -> pl.DataFrame:
    """The paragraphs whose duplicate cluster links their documents: in a cluster, with a duplicate key of at least
    `min_chars` characters (`key_chars` when given, else computed from `text`), in a cluster spread over at most
    `max_documents` documents (None: any number)."""
    clustered = paragraphs.filter(pl.col("dup_cluster_id").is_not_null())
    key_chars = clustered["key_chars"] if "key_chars" in clustered.columns else \
        normalized_keys(clustered["text"]).str.len_chars()
    linking = clustered.filter(key_chars >= min_chars)
    if max_documents is not None:
        linking = linking.filter(pl.col("doc_id").n_unique().over("dup_cluster_id") <= max_documents)
    return linking


def document_groups(documents: pl.DataFrame, paragraphs: pl.DataFrame | None = None) -> pl.DataFrame:
    """Map each doc_id to its group key (the smallest doc_id of its group): columns doc_id, group_key.

    Documents are linked by a shared `dup_cluster_id` or `translation_group`, and, when `paragraphs` is given,
    by a shared paragraph `dup_cluster_id` (paragraphs whose document is not in `documents` are ignored).
    """
    doc_ids = documents["doc_id"].to_list()
    union_find = UnionFind()  # the root of a group is its smallest doc_id: the group key
    for column in ("dup_cluster_id", "translation_group"):
        _link_members(union_find, documents.select("doc_id", column), column)
    if paragraphs is not None and paragraphs.height:
        known = paragraphs.join(documents.select("doc_id"), on="doc_id", how="semi")
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


# --- the split lock -----------------------------------------------------------------------------------------------

LOCK_HEADER = ("doc_id", "split")


def format_split_lock(documents: pl.DataFrame) -> str:
    """The lock file text for split documents: a `doc_id<TAB>split` header, then one row per document by doc_id."""
    rows = documents.select("doc_id", "split").sort("doc_id")
    unsplit = rows.filter(pl.col("split").is_null() | ~pl.col("split").is_in(list(SPLITS)))["doc_id"].to_list()
    if unsplit:
        raise ValueError(f"{len(unsplit)} document(s) without a valid split, e.g. {unsplit[:5]}")
    if rows["doc_id"].n_unique() != rows.height:
        raise ValueError("documents has duplicate doc_ids; cannot lock their splits")
    lines = ["\t".join(LOCK_HEADER)] + [f"{doc_id}\t{split}" for doc_id, split in rows.iter_rows()]
    return "\n".join(lines) + "\n"


def parse_split_lock(text: str, origin: str = "split lock") -> dict[str, str]:
    """doc_id -> split from lock file text; rejects a wrong header, unknown splits and repeated doc_ids."""
    lines = text.splitlines()
    if not lines or tuple(lines[0].split("\t")) != LOCK_HEADER:
        raise ValueError(f"{origin}: the first line must be {'<TAB>'.join(LOCK_HEADER)!r}")
    lock: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 2 or fields[1] not in SPLITS or not fields[0]:
            raise ValueError(f"{origin} line {number}: expected doc_id<TAB>one of {list(SPLITS)}, got {line!r}")
        if fields[0] in lock:
            raise ValueError(f"{origin} line {number}: doc_id {fields[0]!r} is listed twice")
        lock[fields[0]] = fields[1]
    return lock


def read_split_lock(path: Path | str | None) -> dict[str, str]:
    """The lock at `path`, or an empty lock when no path is given (no released version to keep stable)."""
    if path is None:
        return {}
    return parse_split_lock(Path(path).read_text(encoding="utf-8"), origin=str(path))


def merge_moved_doc_ids(report: Mapping[str, Any]) -> set[str]:
    """Released documents a split report says were moved by a merge of differently locked groups."""
    return {move["doc_id"] for move in (report.get("lock") or {}).get("merge_moves", [])}


def locked_group_splits(
    groups: pl.DataFrame, lock: Mapping[str, str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Split of every group with a locked member, and the released documents moved by merges.

    A group takes the split of its locked member with the smallest doc_id; locked members locked elsewhere move.
    """
    locked = sorted((doc_id, key) for doc_id, key in groups.select("doc_id", "group_key").iter_rows()
                    if doc_id in lock)
    split_of: dict[str, str] = {}
    decided_by: dict[str, str] = {}
    for doc_id, key in locked:  # sorted by doc_id, so the first locked member of a group decides
        if key not in split_of:
            split_of[key], decided_by[key] = lock[doc_id], doc_id
    merge_moves = [
        {"doc_id": doc_id, "group_key": key, "from": lock[doc_id], "to": split_of[key], "decided_by": decided_by[key]}
        for doc_id, key in locked
        if lock[doc_id] != split_of[key]
    ]
    return split_of, merge_moves


# --- assignment ---------------------------------------------------------------------------------------------------


def fill_empty_splits(
    split_of: dict[str, str], positions: Mapping[str, float], intervals: Mapping[str, tuple[float, float]],
    required: list[str], movable: set[str],
) -> list[dict[str, Any]]:
    """The small-corpus rule (module docstring, item 4): moves `movable` groups in `split_of`; returns the moves."""
    keys = sorted(split_of)
    movable = set(movable)
    moves: list[dict[str, Any]] = []
    for target in required:
        counts = {name: sum(1 for key in keys if split_of[key] == name) for name in SPLITS}
        if counts[target]:
            continue
        # Donors: largest split first (ties: SPLITS order); only splits that keep a group after giving one.
        donors = sorted((name for name in SPLITS if counts[name] >= 2), key=lambda n: (-counts[n], SPLITS.index(n)))
        for donor in donors:
            candidates = [key for key in keys if split_of[key] == donor and key in movable]
            if candidates:
                chosen = min(candidates, key=lambda key: (_distance(positions[key], intervals[target]), key))
                moves.append({"group_key": chosen, "position": positions[chosen], "from": donor, "to": target})
                split_of[chosen] = target
                movable.discard(chosen)
                break
    return moves


def assign_group_splits(
    group_keys: Iterable[str], config: SplitConfig, locked: Mapping[str, str] | None = None
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Split of each group: frame (group_key, position, hash_split, locked, split) sorted by key, and the moves.

    `locked` maps the key of each group with a locked member to its split (see `locked_group_splits`); those groups
    keep it, the others get their hash split, and only they can be moved by the small-corpus rule.
    """
    locked = dict(locked or {})
    intervals = split_intervals(config.ratios)
    keys = sorted(set(group_keys))
    positions = {key: hash_position(config.salt, key) for key in keys}
    hash_split = {key: split_for_position(positions[key], intervals) for key in keys}
    split_of = {key: locked.get(key, hash_split[key]) for key in keys}

    moves: list[dict[str, Any]] = []
    required = [name for name in SPLITS if config.ratios[name] > 0]
    if config.fill_empty_splits and len(keys) >= len(required):
        new_groups = {key for key in keys if key not in locked}
        moves = fill_empty_splits(split_of, positions, intervals, required, new_groups)

    frame = pl.DataFrame(
        {
            "group_key": keys,
            "position": [positions[key] for key in keys],
            "hash_split": [hash_split[key] for key in keys],
            "locked": [key in locked for key in keys],
            "split": [split_of[key] for key in keys],
        },
        schema={"group_key": pl.String, "position": pl.Float64, "hash_split": pl.String, "locked": pl.Boolean,
                "split": pl.String},
    )
    return frame, moves


def split_documents(
    documents: pl.DataFrame, clustered: pl.DataFrame, paragraph_counts: pl.DataFrame, config: SplitConfig,
    lock: Mapping[str, str] | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The split of every document (doc_id, split) and the split report, from compact inputs.

    `documents`: doc_id, dup_cluster_id, translation_group of every kept document. `clustered`: the paragraphs in a
    duplicate cluster (doc_id, dup_cluster_id, and key_chars or text). `paragraph_counts`: doc_id and `paragraphs`,
    the number of kept paragraphs of each document. `lock` (doc_id -> split, see `read_split_lock`) keeps released
    documents in their split; None or {} means no released version.
    """
    lock = dict(lock or {})
    orphans = paragraph_counts.join(documents.select("doc_id"), on="doc_id", how="anti")
    if orphans.height:
        raise ValueError(f"paragraphs of {orphans.height} unknown document(s), e.g. {orphans['doc_id'].head(5).to_list()}")
    linking = (linking_paragraphs(clustered, config.link_min_chars, config.link_max_documents)
               if config.link_paragraph_duplicates else None)
    groups = document_groups(documents, linking)
    locked, merge_moves = locked_group_splits(groups, lock)
    group_splits, moves = assign_group_splits(groups["group_key"], config, locked)
    doc_splits = groups.join(group_splits.select("group_key", "split"), on="group_key", how="left")

    paragraph_splits = paragraph_counts.join(doc_splits.select("doc_id", "split"), on="doc_id", how="left")
    report = split_report(config, group_splits, doc_splits, paragraph_splits, moves)
    report["paragraph_clusters"] = {
        "total": clustered["dup_cluster_id"].n_unique(),
        "linking": 0 if linking is None else linking["dup_cluster_id"].n_unique(),
    }
    report["lock"] = lock_report(lock, groups, group_splits, merge_moves)
    return doc_splits.select("doc_id", "split").sort("doc_id"), report


def assign_splits(
    documents: pl.DataFrame, paragraphs: pl.DataFrame, config: SplitConfig, lock: Mapping[str, str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Add `split` to in-memory documents (by group) and paragraphs (from their document); return both and the
    report (`split_documents` on whole tables)."""
    clustered = paragraphs.filter(pl.col("dup_cluster_id").is_not_null())
    counts = paragraphs.group_by("doc_id").agg(pl.len().alias("paragraphs"))
    doc_splits, report = split_documents(documents, clustered, counts, config, lock)
    documents_out = documents.join(doc_splits, on="doc_id", how="left")
    paragraphs_out = paragraphs.drop("split", strict=False).join(doc_splits, on="doc_id", how="left")
    return documents_out, paragraphs_out, report


def _counts(frame: pl.DataFrame, weight: str | None = None) -> dict[str, int]:
    """Rows (or the sum of column `weight`) per split."""
    size = pl.col(weight).sum() if weight else pl.len()
    counted = dict(frame.group_by("split").agg(size).iter_rows())
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
    groups = _counts(group_splits)
    return {
        "salt": config.salt,
        "ratios": dict(config.ratios),
        "hash": HASH_FORMULA,
        "group_key": "smallest doc_id of the group",
        "link_paragraph_duplicates": config.link_paragraph_duplicates,
        "link_min_chars": config.link_min_chars,
        "link_max_documents": config.link_max_documents,
        "groups": groups,
        "documents": _counts(doc_splits),
        "paragraphs": _counts(paragraphs, "paragraphs"),
        "hash_groups": _counts(group_splits.select(pl.col("hash_split").alias("split"))),
        "small_corpus_rule": {
            "name": RULE_NAME,
            "enabled": config.fill_empty_splits,
            "eligible": len(group_splits) >= len(required),
            "applied": bool(moves),
            "moves": moves,
            "unfilled": [name for name in required if not groups[name]],
        },
    }


def lock_report(
    lock: Mapping[str, str], groups: pl.DataFrame, group_splits: pl.DataFrame, merge_moves: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the lock decided: locked and new groups and documents, merge moves and stale entries."""
    present = set(groups["doc_id"])
    stale = sorted(set(lock) - present)
    locked_keys = group_splits.filter(pl.col("locked"))
    return {
        "entries": len(lock),
        "locked_documents": len(present & set(lock)),
        "new_documents": len(present - set(lock)),
        "locked_groups": locked_keys.height,
        "new_groups": group_splits.height - locked_keys.height,
        "merge_moves": merge_moves,
        "stale_entries": len(stale),
        "stale_doc_ids": stale,
    }
