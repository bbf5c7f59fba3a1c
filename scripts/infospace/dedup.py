"""Exact and near-duplicate detection at document and paragraph level, in two halves that scale.

Per shard (`signatures`, a job per shard): each row's normalized key (NFKC, casefold, punctuation/emoji/symbols
dropped, white space collapsed) is hashed (xxh3-128), and each distinct key of at least `min_chars` characters is
shingled (word n-grams for documents, character n-grams for paragraphs), MinHashed with rensa and cut into LSH band
keys. Rows carry only these integers to the corpus-wide step.

Corpus-wide (`dedup`, one job), per level (documents, then the paragraphs of the kept documents):
1. Exact: rows with equal key hashes form one exact group; its best row by the keep rule represents it. A key
   repeated 50,000 times is one group, found in one pass.
2. Near: representatives that share a band key are candidates (buckets larger than `max_bucket` are linked as a star
   to their best member, so a bucket costs linear time). Only the candidates' texts are read, to verify each pair on
   the true Jaccard similarity of its shingle sets; only pairs at or above the threshold become edges.
3. Union-find joins the edges into components. Inside a component, rows are taken in keep-rule order; each row joins
   the already kept row it resembles most (true Jaccard >= threshold) or is kept itself. So every removed row shares
   at least the threshold with the row it is recorded as a duplicate of, even when the component is a chain.

The result is the duplicates table; per-shard `assemble` jobs apply it (`apply_duplicates`). The keep rule (best
first): earliest `published` (nulls last), original over forward (`forwarded_from` null first), longer text,
smallest id. Every step sorts, so the result does not depend on input order, shard size or the number of cores.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl
import rensa
import xxhash

from infospace.jobs import return_free_heap
from infospace.schema import audit_id_expr, columns_for
from infospace.tables import ShardedTable

# ---------------------------------------------------------------------------------------------------------------
# Configuration

Shingle = Literal["word", "char"]

# Documents are long (hundreds of words): word 3-grams give enough shingles, are cheap (one hash per word), and an
# edit changes at most 3 of them. Paragraphs are short (tens of words): word shingles would be too few for a stable
# Jaccard, so character 5-grams (hundreds per paragraph, a typo touches 5) are used instead.
# Documents: 120 permutations in 20 bands of 6 rows (rensa needs num_perm divisible by num_bands): a pair at Jaccard
# 0.8 becomes a candidate with probability 0.998, at 0.7 with 0.92, at 0.5 with 0.27, at 0.3 with 0.015. Paragraphs:
# 160 in 20 bands of 8 rows (0.975 at 0.8, 2e-7 at 0.1): their character shingles make unrelated paragraphs of one
# language about 0.1 alike, and at 6 rows those pairs flood the candidates. Every candidate is then verified on its
# true Jaccard, so the threshold itself is exact.
DEFAULT_CONFIG: dict[str, Any] = {
    "documents": {"shingle": "word", "ngram": 3, "threshold": 0.8, "num_perm": 120, "num_bands": 20,
                  "min_chars": 50},
    "paragraphs": {"shingle": "char", "ngram": 5, "threshold": 0.8, "num_perm": 160, "num_bands": 20,
                   "min_chars": 40},
    "seed": 42,
    "max_bucket": 64,
    "keep_rule": ["published_earliest", "original_over_forward", "longer_text", "smallest_id"],
}


@dataclass(frozen=True)
class LevelConfig:
    shingle: Shingle
    ngram: int
    threshold: float
    num_perm: int
    num_bands: int
    min_chars: int
    seed: int = 42
    max_bucket: int = 64  # LSH buckets larger than this are linked as a star to their first member, not all pairs
    keep_rule: tuple[str, ...] = tuple(DEFAULT_CONFIG["keep_rule"])


@dataclass(frozen=True)
class DedupConfig:
    documents: LevelConfig
    paragraphs: LevelConfig


def dedup_config(raw: Mapping[str, Any] | None) -> DedupConfig:
    """Config section `dedup` with documented defaults for missing keys."""
    raw = dict(raw or {})
    seed = int(raw.get("seed", DEFAULT_CONFIG["seed"]))
    max_bucket = int(raw.get("max_bucket", DEFAULT_CONFIG["max_bucket"]))
    keep_rule = tuple(raw.get("keep_rule", DEFAULT_CONFIG["keep_rule"]))
    unknown = set(keep_rule) - set(KEEP_CRITERIA)
    if unknown:
        raise ValueError(f"dedup.keep_rule: unknown criteria {sorted(unknown)}; use {sorted(KEEP_CRITERIA)}")
    if keep_rule[-1:] != ("smallest_id",):
        # The id is the only criterion without ties: the kept copy is determined only when it comes last.
        raise ValueError(f"dedup.keep_rule must end with smallest_id, got {list(keep_rule)}")

    def level(name: str) -> LevelConfig:
        values = {**DEFAULT_CONFIG[name], **dict(raw.get(name) or {})}
        if values["num_perm"] % values["num_bands"]:
            raise ValueError(f"dedup.{name}: num_perm must be divisible by num_bands")
        return LevelConfig(shingle=values["shingle"], ngram=int(values["ngram"]), threshold=float(values["threshold"]),
                           num_perm=int(values["num_perm"]), num_bands=int(values["num_bands"]),
                           min_chars=int(values["min_chars"]), seed=seed, max_bucket=max_bucket,
                           keep_rule=keep_rule)

    return DedupConfig(documents=level("documents"), paragraphs=level("paragraphs"))


# ---------------------------------------------------------------------------------------------------------------
# Normalized key

# Letters, digits and combining marks stay (NFKC keeps й, ё composed; marks that have no composed form are kept, not
# stripped); everything else (punctuation, symbols, emoji, variation selectors, white space) becomes one space.
_NOT_KEY_CHAR = r"[^\p{L}\p{N}[\p{Mn}\p{Mc}&&[^\x{FE00}-\x{FE0F}\x{E0100}-\x{E01EF}]] ]+"
_EMPTY_KEY_MARK = "\x01"  # prefix of the fallback key of a text with no letters or digits
CHUNK_ROWS = 16_384  # rows normalized at a time, to bound peak memory
# Rows shingled and MinHashed at a time: small enough that their hash arrays and rensa's digest lists stay in the
# CPU caches (a 50,000-post shard's paragraphs: 2.7 s at CHUNK_ROWS, 1.9 s at 1,024, the same signatures).
MINHASH_ROWS = 1_024


def _chunks(n_rows: int, rows: int | None = None) -> range:
    return range(0, max(n_rows, 1), rows or CHUNK_ROWS)


def _normalized_chunk(texts: pl.Series) -> pl.Series:
    folded = pl.Series(texts.name, [unicodedata.normalize("NFKC", t).casefold() for t in texts.to_list()],
                       dtype=pl.String)
    # Plain spaces are left out of the pattern so that ordinary word gaps are not rewritten one by one.
    stripped = folded.str.replace_all(_NOT_KEY_CHAR, " ").str.replace_all("  +", " ").str.strip_chars(" ")
    empty = stripped.str.len_bytes() == 0
    if not empty.any():
        return stripped
    fallback = _EMPTY_KEY_MARK + folded.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.select(pl.when(empty).then(fallback).otherwise(stripped)).to_series().alias(texts.name)


def normalized_keys(texts: pl.Series) -> pl.Series:
    """Exact-duplicate key of each text: NFKC, casefold, punctuation/emoji/symbols stripped, spaces collapsed.

    A text with no letters or digits (e.g. emoji only) keeps its symbols instead, marked, so two different
    emoji-only posts do not collide on the empty key.
    """
    parts = [_normalized_chunk(texts.slice(start, CHUNK_ROWS)) for start in _chunks(len(texts))]
    return pl.concat(parts).alias(texts.name) if parts else texts


def normalize_key(text: str) -> str:
    """The key of one text (same code path as `normalized_keys`)."""
    return normalized_keys(pl.Series([text], dtype=pl.String))[0]


# ---------------------------------------------------------------------------------------------------------------
# Shingling: flat uint64 shingle hashes per row, row i owning hashes[offsets[i]:offsets[i+1]]

_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                         0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x27D4EB2F165667C5, 0x94D049BB133111EB],
                        dtype=np.uint64)


@dataclass(frozen=True)
class ShingleSets:
    hashes: np.ndarray  # uint64, grouped by row in row order (may repeat inside a row unless `unique`)
    offsets: np.ndarray  # int64, length n_rows + 1
    unique: bool = False  # each row's hashes are sorted and distinct

    def row(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i]:self.offsets[i + 1]]


def unique_rows(sets: ShingleSets) -> ShingleSets:
    """Each row's distinct shingles, sorted, as 32-bit hashes (the low half of each 64-bit shingle hash), for
    verification. Half the memory of 64-bit sets; two different shingles of one pair share a 32-bit hash with
    probability about |A| * |B| / 2**32 (1e-5 for two 200-shingle paragraphs), which moves that pair's Jaccard by
    one shingle. Rows and hashes are packed into one uint64 (row in the high half), so one sort orders them."""
    n_rows = len(sets.offsets) - 1
    rows = np.repeat(np.arange(n_rows, dtype=np.uint64), np.diff(sets.offsets))
    packed = (rows << np.uint64(32)) | (sets.hashes & np.uint64(0xFFFFFFFF))
    packed.sort()
    if len(packed) > 1:
        packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount((packed >> np.uint64(32)).astype(np.int64), minlength=n_rows), out=offsets[1:])
    return ShingleSets((packed & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets, unique=True)


@dataclass(frozen=True)
class ChunkedSets:
    """Unique shingle sets of many rows kept as the chunks they were built in (no corpus-long concatenation):
    row i is row `slot[i]` of `parts[part[i]]`."""
    parts: list[ShingleSets]
    part: np.ndarray
    slot: np.ndarray
    unique: ClassVar[bool] = True  # always: every part is built by unique_rows

    def row(self, i: int) -> np.ndarray:
        return self.parts[self.part[i]].row(self.slot[i])


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads the bits of combined n-gram hashes (wrapping uint64 arithmetic).

    Works in place on `x` (callers pass a fresh array): corpus-long temporaries cost more than the arithmetic.
    """
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _ngram_hashes(units: np.ndarray, rows: np.ndarray, n_rows: int, n: int, whole: np.ndarray) -> ShingleSets:
    """Hash every run of `n` consecutive units (word hashes or code points) that stays inside one row.

    `units` and `rows` are flat and grouped by row. Rows with fewer than n units get one shingle, `whole[row]`.
    """
    units = units.astype(np.uint64, copy=False)
    counts = np.bincount(rows, minlength=n_rows) if len(rows) else np.zeros(n_rows, dtype=np.int64)
    if len(units) >= n:
        n_starts = len(units) - n + 1
        valid = rows[:n_starts] == rows[n - 1:]  # the n-gram starting here ends in the same row
        combined = np.zeros(n_starts, dtype=np.uint64)
        term = np.empty(n_starts, dtype=np.uint64)
        for j in range(n):  # in place: these arrays are as long as the corpus
            np.multiply(units[j:n_starts + j], _MULTIPLIERS[j % len(_MULTIPLIERS)], out=term)
            combined += term
        grams, gram_rows = _mix64(combined[valid]), rows[:n_starts][valid]
    else:
        grams, gram_rows = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    short = np.flatnonzero(counts < n)
    if len(short):  # rows too short for one n-gram: one shingle standing for the whole text
        grams = np.concatenate([grams, whole[short].astype(np.uint64)])
        gram_rows = np.concatenate([gram_rows, short])
        order = np.argsort(gram_rows, kind="stable")
        grams, gram_rows = grams[order], gram_rows[order]
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(gram_rows, minlength=n_rows), out=offsets[1:])
    return ShingleSets(grams, offsets)


def word_shingles(keys: pl.Series, n: int, seed: int) -> ShingleSets:
    """Word n-gram shingles of normalized keys (words are the key's space-separated tokens)."""
    split = keys.str.split(" ")
    words = split.explode()
    # Row of each word from the list lengths (cheaper than exploding a row-index column alongside).
    rows = np.repeat(np.arange(len(keys), dtype=np.int64), split.list.len().fill_null(1).to_numpy())
    nonempty = (words.str.len_bytes() > 0).to_numpy()
    if not nonempty.all():  # empty tokens (and null keys) are not words
        words, rows = words.filter(pl.Series(nonempty)), rows[nonempty]
    units = words.hash(seed).to_numpy()
    whole = keys.hash(seed).to_numpy()
    return _ngram_hashes(units, rows, len(keys), n, whole)


def char_shingles(keys: pl.Series, n: int, seed: int) -> ShingleSets:
    """Character n-gram shingles of normalized keys (code points, spaces included)."""
    lengths = keys.str.len_chars().cast(pl.Int64).to_numpy()
    codepoints = np.frombuffer("".join(keys.to_list()).encode("utf-32-le"), dtype=np.uint32)
    rows = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
    units = codepoints.astype(np.uint64) * np.uint64(0x100000001B3) + np.uint64(seed)
    whole = keys.hash(seed).to_numpy()
    return _ngram_hashes(units, rows, len(keys), n, whole)


def shingle(keys: pl.Series, config: LevelConfig) -> ShingleSets:
    """Shingle sets of `keys`, built MINHASH_ROWS rows at a time."""
    build = {"word": word_shingles, "char": char_shingles}.get(config.shingle)
    if build is None:
        raise ValueError(f"unknown shingle kind {config.shingle!r}")
    parts = [build(keys.slice(start, MINHASH_ROWS), config.ngram, config.seed)
             for start in _chunks(len(keys), MINHASH_ROWS)]
    offsets = [np.zeros(1, dtype=np.int64)]
    base = 0
    for part in parts:
        offsets.append(part.offsets[1:] + base)
        base += int(part.offsets[-1])
    return ShingleSets(np.concatenate([p.hashes for p in parts]), np.concatenate(offsets))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """True Jaccard similarity of two sets given as sorted unique arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (same result as np.unique, without its overhead on small arrays)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


# ---------------------------------------------------------------------------------------------------------------
# MinHash LSH band keys: computed once per row in the per-shard signatures job, compared corpus-wide

def band_keys(sets: ShingleSets, config: LevelConfig) -> np.ndarray:
    """LSH band keys of every row, shape (n_rows, num_bands): each band's rows of the rensa MinHash digest mixed
    into one uint64. Two rows share a band key when their digests agree on that band (up to 64-bit collisions,
    which only propose a candidate: every candidate is verified on its true Jaccard)."""
    n_rows = len(sets.offsets) - 1
    keys = np.empty((n_rows, config.num_bands), dtype=np.uint64)
    rows_per_band = config.num_perm // config.num_bands
    for start in range(0, n_rows, MINHASH_ROWS):  # rensa hands digests over as Python lists: a chunk at a time
        end = min(start + MINHASH_ROWS, n_rows)
        offsets = sets.offsets[start:end + 1]
        matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            sets.hashes[offsets[0]:offsets[-1]], (offsets - offsets[0]).astype(np.uint64), config.num_perm,
            config.seed)
        # Row j of band b is digest column b * rows_per_band + j: all bands are mixed at once, a row at a time.
        digests = np.asarray(matrix.to_rows(), dtype=np.uint64).reshape(end - start, config.num_bands, rows_per_band)
        key = np.broadcast_to(np.arange(config.num_bands, dtype=np.uint64), (end - start, config.num_bands))
        for j in range(rows_per_band):
            key = _mix64(key * np.uint64(0x100000001B3) + digests[:, :, j])
        keys[start:end] = key
    return keys


def candidate_pairs(sets: ShingleSets, config: LevelConfig) -> np.ndarray:
    """Row pairs (a < b) that share at least one LSH band; sorted, unique; shape (k, 2)."""
    keys = band_keys(sets, config)
    return _bucket_pairs(list(keys.T), np.arange(len(keys), dtype=np.int64), config.max_bucket)


def _bucket_pairs(band_keys: Iterable[np.ndarray], rows: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs (a < b) of `rows` (sorted) with equal keys in some band; sorted, unique; shape (k, 2). The bands may
    come one at a time (a generator), so that only one band of the corpus is in memory.

    Buckets larger than `max_bucket` are linked as a star to their first (smallest) member, others as all pairs.
    Done in numpy per band (sort by key, then pair positions d apart inside a bucket), not by Python loops.
    """
    firsts, seconds = [], []
    for keys in band_keys:
        order = np.argsort(keys, kind="stable")  # stable: rows stay ascending inside a bucket
        keys, members = keys[order], rows[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        sizes = np.diff(np.append(starts, len(keys)))
        shared = sizes > 1
        starts, sizes = starts[shared], sizes[shared]
        if not len(starts):
            continue
        # Positions of members of shared buckets, with their bucket's start and size.
        first = np.repeat(starts, sizes)
        size = np.repeat(sizes, sizes)
        at = first + np.arange(len(first)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        star = (size > max_bucket) & (at > first)
        firsts.append(members[first[star]])
        seconds.append(members[at[star]])
        small = size <= max_bucket
        for gap in range(1, min(int(sizes.max()), max_bucket)):
            pick = at[small & (at + gap < first + size)]
            firsts.append(members[pick])
            seconds.append(members[pick + gap])
    if not firsts:
        return np.zeros((0, 2), dtype=np.int64)
    span = np.int64(rows[-1]) + 1
    codes = _sorted_unique(np.concatenate(firsts).astype(np.int64) * span + np.concatenate(seconds))
    return np.stack([codes // span, codes % span], axis=1)


# ---------------------------------------------------------------------------------------------------------------
# Union-find and clustering

class UnionFind:
    """Disjoint sets over hashable items; the root of a set is its smallest item (deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, item: Any) -> Any:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo

    def groups(self) -> list[list[Any]]:
        by_root: dict[Any, list[Any]] = {}
        for item in sorted(self.parent):
            by_root.setdefault(self.find(item), []).append(item)
        return [members for _, members in sorted(by_root.items())]


def _intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted unique arrays (binary search of the smaller in the larger)."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return 0
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0  # past the end: compare with any element, it cannot be equal to a larger value
    return int(np.count_nonzero(b[at] == a))


@dataclass
class JaccardCache:
    """True Jaccard of rows of one ShingleSets (or ChunkedSets), with unique sets and pair results cached."""
    sets: ShingleSets | ChunkedSets
    _unique: dict[int, np.ndarray] = field(default_factory=dict)
    _pairs: dict[tuple[int, int], float] = field(default_factory=dict)

    def _unique_row(self, row: int) -> np.ndarray:
        if self.sets.unique:
            return self.sets.row(row)
        if row not in self._unique:
            self._unique[row] = _sorted_unique(self.sets.row(row))
        return self._unique[row]

    def compute(self, a: int, b: int) -> float:
        """The Jaccard of rows a and b, not cached (for pairs asked once)."""
        first, second = self._unique_row(a), self._unique_row(b)
        if len(first) == 0 and len(second) == 0:
            return 1.0
        inter = _intersection_size(first, second)
        return inter / (len(first) + len(second) - inter)

    def __call__(self, a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        if key not in self._pairs:
            self._pairs[key] = self.compute(*key)
        return self._pairs[key]


VERIFY_CHUNK_PAIRS = 200_000


def verified_pairs(pairs: np.ndarray, similarity: JaccardCache, threshold: float) -> list[tuple[int, int, float]]:
    """Candidate pairs whose true Jaccard is at least `threshold` (a chunk of pairs at a time, results not cached:
    millions of candidates, most of them rejected)."""
    out = []
    for start in range(0, len(pairs), VERIFY_CHUNK_PAIRS):
        for a, b in pairs[start:start + VERIFY_CHUNK_PAIRS].tolist():
            value = similarity.compute(a, b)
            if value >= threshold:
                out.append((a, b, value))
    return out


def assign_to_kept(components: list[list[int]], similarity: JaccardCache,
                   threshold: float) -> dict[int, tuple[int, float]]:
    """Row -> (kept row, similarity) inside each component; rows are ranks, so a smaller row is better.

    Rows are visited best first; a row joins the kept row it resembles most (ties: the better kept row) when that
    resemblance reaches the threshold, otherwise it is kept itself.
    """
    assignment: dict[int, tuple[int, float]] = {}
    for component in components:
        kept: list[int] = []
        for row in sorted(component):
            best, best_value = row, 1.0
            scores = [(similarity(row, k), -k) for k in kept]
            if scores:
                value, neg_k = max(scores)
                if value >= threshold:
                    best, best_value = -neg_k, value
            if best == row:
                kept.append(row)
            assignment[row] = (best, best_value)
    return assignment


# ---------------------------------------------------------------------------------------------------------------
# Signatures: all the corpus-wide step sees of a row (computed once per row, in the per-shard `signatures` job)

_LOW_64 = (1 << 64) - 1


def band_column(band: int) -> str:
    return f"band_{band:02d}"


def exact_key_hashes(keys: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """xxh3-128 of each normalized key (UTF-8) as two uint64 halves. Equal keys give equal hashes; two distinct keys
    share one with probability 2**-128, so for n rows a collision anywhere has probability about n**2 / 2**129."""
    digests = [xxhash.xxh3_128_intdigest(key.encode("utf-8")) for key in keys.to_list()]
    return (np.fromiter((d >> 64 for d in digests), dtype=np.uint64, count=len(digests)),
            np.fromiter((d & _LOW_64 for d in digests), dtype=np.uint64, count=len(digests)))


def signatures(texts: pl.Series, config: LevelConfig) -> pl.DataFrame:
    """Per text: key_hi, key_lo (its exact-key hash), key_chars (its key's length) and band_00... (its LSH band
    keys; null when the key is shorter than `min_chars`, which keeps it out of near-duplicate search).

    Each distinct key is hashed, shingled and MinHashed once, so a line repeated 50,000 times costs one.
    """
    keys = normalized_keys(texts)
    distinct = keys.unique().sort()
    codes = keys.rank("dense").cast(pl.Int64).to_numpy() - 1 if len(keys) else np.zeros(0, dtype=np.int64)
    hi, lo = exact_key_hashes(distinct)
    chars = distinct.str.len_chars().cast(pl.Int32).to_numpy()
    eligible = np.flatnonzero(chars >= config.min_chars)
    bands = band_keys(shingle(distinct.gather(eligible), config), config)
    columns: dict[str, Any] = {"key_hi": hi[codes], "key_lo": lo[codes], "key_chars": chars[codes]}
    slot = np.full(len(distinct), -1, dtype=np.int64)
    slot[eligible] = np.arange(len(eligible))
    row_slot = slot[codes]
    has_bands = row_slot >= 0
    for band in range(config.num_bands):
        values = np.zeros(len(keys), dtype=np.uint64)
        values[has_bands] = bands[row_slot[has_bands], band]
        columns[band_column(band)] = pl.Series(values).set(pl.Series(~has_bands), None) if len(keys) else values
    return pl.DataFrame(columns, schema={"key_hi": pl.UInt64, "key_lo": pl.UInt64, "key_chars": pl.Int32,
                                         **{band_column(b): pl.UInt64 for b in range(config.num_bands)}})


# ---------------------------------------------------------------------------------------------------------------
# One level: rows with their keep-rule columns and signatures -> cluster membership


@dataclass(frozen=True)
class LevelRows:
    """One level's rows as the clustering sees them.

    `rows` has columns row (a global row index), id, published, forwarded (bool), length, key_hi, key_lo and
    key_chars. `band(j)` gives band j for every global row; `texts(rows)` the texts of some global rows, in chunks
    (positions into `rows`, their texts), so that they need not be in memory at once (only the LSH candidates are
    ever asked for, to verify their true Jaccard).
    """

    rows: pl.DataFrame | pl.LazyFrame
    band: Callable[[int], np.ndarray]
    texts: Callable[[np.ndarray], Iterator[tuple[np.ndarray, pl.Series]]]


def candidate_sets(level: LevelRows, rows: np.ndarray, config: LevelConfig) -> ChunkedSets:
    """Unique shingle sets of some global rows (index i: rows[i]), built CHUNK_ROWS texts at a time: only the
    compact sets stay, never the texts or their keys."""
    parts: list[ShingleSets] = []
    part = np.zeros(len(rows), dtype=np.int64)
    slot = np.zeros(len(rows), dtype=np.int64)
    for positions, texts in level.texts(rows):
        for start in _chunks(len(positions)):
            keys = normalized_keys(texts.slice(start, CHUNK_ROWS))
            part[positions[start:start + CHUNK_ROWS]] = len(parts)
            slot[positions[start:start + CHUNK_ROWS]] = np.arange(len(keys))
            parts.append(unique_rows(shingle(keys, config)))
    return ChunkedSets(parts, part, slot)


def cluster_level(level: LevelRows, config: LevelConfig) -> pl.DataFrame:
    """Cluster rows by exact key, then near duplicates among the exact groups' best rows (keep-rule order).

    Returns one row per member of every cluster with more than one member: `id`, `kept_id`, `method` (exact when
    the member's key equals the kept row's), `similarity` (true Jaccard to the kept row; 1 for exact).
    """
    # Rows may be a lazy query (a scan of the shards, an anti-join). The ranking (a total order: the keep rule ends
    # with the unique id) is collected twice, without the ids and keys for the clustering and with them for the
    # tables, so that they are not held next to the candidates' shingle sets (a million posts: 200 MB less).
    ranking = (keep_order(level.rows.lazy(), "id", "length", config.keep_rule).with_row_index("rank")
               .select(pl.col("rank").cast(pl.Int64), "row", "id", "key_hi", "key_lo", "key_chars")
               .with_columns(pl.col("rank").min().over("key_hi", "key_lo").alias("rep")))
    ranked = ranking.select("rank", "row", "rep", "key_chars").collect()
    eligible = ranked.filter((pl.col("rank") == pl.col("rep")) & (pl.col("key_chars") >= config.min_chars))
    eligible_rank, eligible_row = eligible["rank"].to_numpy(), eligible["row"].to_numpy()
    rank_to_row = ranked["row"].to_numpy()  # ranked is in rank order
    del ranked, eligible
    pairs = _bucket_pairs((level.band(band)[eligible_row] for band in range(config.num_bands)), eligible_rank,
                          config.max_bucket)

    # Verify the candidates on their true Jaccard; only their texts are read.
    candidates = np.unique(pairs) if len(pairs) else np.zeros(0, dtype=np.int64)
    similarity = JaccardCache(candidate_sets(level, rank_to_row[candidates], config))
    local_pairs = np.searchsorted(candidates, pairs) if len(pairs) else pairs
    forest = UnionFind()
    for a, b, _ in verified_pairs(local_pairs, similarity, config.threshold):
        forest.union(a, b)
    assignment = assign_to_kept(forest.groups(), similarity, config.threshold)  # local indices are rank-ordered
    del similarity, forest  # the candidates' shingle sets: not needed for the tables below
    return_free_heap()
    local = np.fromiter(assignment, dtype=np.int64, count=len(assignment))
    near = pl.DataFrame(
        {"rep": candidates[local], "kept_rank": candidates[[k for k, _ in assignment.values()]],
         "near_similarity": [v for _, v in assignment.values()]},
        schema={"rep": pl.Int64, "kept_rank": pl.Int64, "near_similarity": pl.Float64})

    ranked = ranking.select("rank", "id", "key_hi", "key_lo", "rep").collect()
    members = (ranked.join(near, on="rep", how="left")
               .with_columns(pl.col("kept_rank").fill_null(pl.col("rep")), pl.col("near_similarity").fill_null(1.0))
               .with_columns(pl.len().over("kept_rank").alias("size"))
               .filter(pl.col("size") > 1))
    kept = ranked.select(pl.col("rank").alias("kept_rank"), pl.col("id").alias("kept_id"),
                         pl.col("key_hi").alias("kept_hi"), pl.col("key_lo").alias("kept_lo"))
    same_key = (pl.col("key_hi") == pl.col("kept_hi")) & (pl.col("key_lo") == pl.col("kept_lo"))
    return (members.join(kept, on="kept_rank", how="left")
            .select("id", "kept_id",
                    pl.when(same_key).then(pl.lit("exact")).otherwise(pl.lit("near")).alias("method"),
                    pl.when(same_key).then(1.0).otherwise(pl.col("near_similarity")).alias("similarity"))
            .sort("id"))


# ---------------------------------------------------------------------------------------------------------------
# Keep rule

# Each criterion of the keep rule: (sort key, descending, nulls last). Paragraphs carry their document's
# published and forwarded flag.
KEEP_CRITERIA: dict[str, Any] = {
    "published_earliest": lambda id_column, length_column: (pl.col("published"), False, True),
    "original_over_forward": lambda id_column, length_column: (pl.col("forwarded"), False, False),
    "longer_text": lambda id_column, length_column: (pl.col(length_column), True, False),
    "smallest_id": lambda id_column, length_column: (pl.col(id_column), False, False),
}


def keep_order(frame: pl.DataFrame, id_column: str, length_column: str,
               keep_rule: tuple[str, ...] = LevelConfig.keep_rule) -> pl.DataFrame:
    """Rows of `frame` sorted best first by the keep rule (default: earliest published, nulls last; original over
    forward (`forwarded` false first); longer text; smallest id)."""
    keys = [KEEP_CRITERIA[name](id_column, length_column) for name in keep_rule]
    return frame.sort([key for key, _, _ in keys], descending=[d for _, d, _ in keys],
                      nulls_last=[n for _, _, n in keys])


# ---------------------------------------------------------------------------------------------------------------
# The corpus: document level, then the paragraphs of kept documents


def level_duplicates(level: LevelRows, name: str, config: LevelConfig) -> pl.DataFrame:
    """Duplicates-table rows of one level: cluster_id, level, member_id, kept_id, method, similarity."""
    members = cluster_level(level, config)
    return members.select((pl.lit(f"{name}/") + pl.col("kept_id")).alias("cluster_id"), pl.lit(name).alias("level"),
                          pl.col("id").alias("member_id"), "kept_id", "method", "similarity")


def removed_documents(duplicates: pl.DataFrame) -> pl.DataFrame:
    """Document-level members that are not kept: doc_id, kept_id, method."""
    return (duplicates.filter((pl.col("level") == "document") & (pl.col("member_id") != pl.col("kept_id")))
            .select(pl.col("member_id").alias("doc_id"), "kept_id", "method"))


def document_duplicates(documents: LevelRows, config: DedupConfig) -> pl.DataFrame:
    """Duplicates-table rows of the document level."""
    return level_duplicates(documents, "document", config.documents)


def paragraph_duplicates(paragraphs: LevelRows, document_level: pl.DataFrame, config: DedupConfig) -> pl.DataFrame:
    """Duplicates-table rows of the paragraph level: paragraphs of the documents the document level keeps.

    `paragraphs.rows` also has a doc_id column, to leave out the paragraphs of removed documents.
    """
    removed = removed_documents(document_level).select("doc_id")
    kept = paragraphs.rows.lazy().join(removed.lazy(), on="doc_id", how="anti").drop("doc_id")
    return level_duplicates(LevelRows(kept, paragraphs.band, paragraphs.texts), "paragraph", config.paragraphs)


def duplicates_table(document_level: pl.DataFrame, paragraph_level: pl.DataFrame) -> pl.DataFrame:
    """Both levels as one duplicates table, sorted."""
    return pl.concat([document_level, paragraph_level], how="vertical").sort("level", "cluster_id", "member_id")


def deduplicate_corpus(documents: LevelRows, paragraphs: LevelRows, config: DedupConfig) -> pl.DataFrame:
    """The duplicates table of the corpus (document level, then paragraphs of the kept documents), sorted. The
    workflow runs the two levels as two jobs (rules dedup_documents, dedup_paragraphs), so each holds one level."""
    document_level = document_duplicates(documents, config)
    return duplicates_table(document_level, paragraph_duplicates(paragraphs, document_level, config))


def sharded_level(signatures: ShardedTable, texts: ShardedTable, id_column: str, length_column: str,
                  extra: tuple[str, ...] = ()) -> LevelRows:
    """A LevelRows over the shards' signature tables (one band read at a time) and parse-stage texts (only the
    candidates', one file at a time)."""
    rows = (pl.scan_parquet(list(signatures.paths))
            .select(id_column, length_column, "published", "forwarded", "key_hi", "key_lo", "key_chars", *extra)
            .rename({id_column: "id", length_column: "length"}).with_row_index("row")
            .with_columns(pl.col("row").cast(pl.Int64)))  # a lazy scan: rows are numbered across files in order
    return LevelRows(rows, lambda band: signatures.read([band_column(band)]).to_series().fill_null(0).to_numpy(),
                     lambda wanted: texts.gather("text", wanted))


def in_memory_level(frame: pl.DataFrame, id_column: str, length: pl.Expr, config: LevelConfig) -> LevelRows:
    """A LevelRows over an in-memory frame with `text`, `published` and `forwarded_from` (tests, small corpora)."""
    sigs = signatures(frame["text"], config)
    rows = pl.concat([frame.select(pl.col(id_column).alias("id"), "published",
                                   pl.col("forwarded_from").is_not_null().alias("forwarded"), length.alias("length"),
                                   *([] if id_column == "doc_id" else ["doc_id"])),
                      sigs.select("key_hi", "key_lo", "key_chars")], how="horizontal").with_row_index("row")
    texts = frame["text"]
    return LevelRows(rows.with_columns(pl.col("row").cast(pl.Int64)),
                     lambda band: sigs[band_column(band)].fill_null(0).to_numpy(),
                     lambda wanted: iter([(np.arange(len(wanted)), texts.gather(wanted))]))


@dataclass(frozen=True)
class DedupResult:
    documents: pl.DataFrame
    paragraphs: pl.DataFrame
    audit: pl.DataFrame
    duplicates: pl.DataFrame
    stats: dict[str, int]


def apply_duplicates(documents: pl.DataFrame, paragraphs: pl.DataFrame, audit: pl.DataFrame,
                     duplicates: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The duplicates table applied to some rows (a shard, or a whole small corpus): removed documents leave, their
    paragraphs become audit rows `duplicate`; kept rows get `dup_cluster_id` and paragraphs `is_duplicate`.

    `documents`/`paragraphs` are langid-stage frames, `audit` parse-stage; outputs carry the dedup-stage columns with
    `translation_group` null (see infospace.translation).
    """
    removed = removed_documents(duplicates)
    doc_level = duplicates.filter(pl.col("level") == "document")
    doc_cluster = doc_level.select(pl.col("member_id").alias("doc_id"), pl.col("cluster_id").alias("dup_cluster_id"))
    kept_docs = (documents.join(removed.select("doc_id"), on="doc_id", how="anti")
                 .join(doc_cluster, on="doc_id", how="left")
                 .with_columns(pl.lit(None, dtype=pl.String).alias("translation_group")))
    para_cluster = duplicates.filter(pl.col("level") == "paragraph").select(
        pl.col("member_id").alias("para_id"), pl.col("cluster_id").alias("dup_cluster_id"),
        (pl.col("member_id") != pl.col("kept_id")).alias("is_duplicate"))
    out_paragraphs = (paragraphs.join(kept_docs.select("doc_id"), on="doc_id", how="semi")
                      .join(para_cluster, on="para_id", how="left")
                      .with_columns(pl.col("is_duplicate").fill_null(False),
                                    pl.lit(None, dtype=pl.String).alias("translation_group")))
    out_audit = pl.concat([audit, _removed_paragraph_audit(paragraphs, removed, audit, documents)], how="vertical")
    return _stage_columns(kept_docs, "documents"), _stage_columns(out_paragraphs, "paragraphs"), out_audit


def _removed_paragraph_audit(paragraphs: pl.DataFrame, removed: pl.DataFrame, audit: pl.DataFrame,
                             documents: pl.DataFrame) -> pl.DataFrame:
    """One audit row per paragraph of a removed document (with the document's record id)."""
    rows = (paragraphs.join(removed, on="doc_id", how="inner")
            .join(documents.select("doc_id", "record_id"), on="doc_id", how="left")
            .select(audit_id_expr(),
                    "source_id", "doc_id", "record_id", "byte_start", "byte_end", "char_start", "char_end", "text",
                    pl.lit("duplicate").alias("reason"), pl.col("method").alias("rule"),
                    pl.col("kept_id").alias("duplicate_of")))
    return rows.select([pl.col(c).cast(audit.schema[c]) for c in audit.columns])


def deduplicate(documents: pl.DataFrame, paragraphs: pl.DataFrame, audit: pl.DataFrame,
                config: Mapping[str, Any] | DedupConfig | None = None) -> DedupResult:
    """The whole step on in-memory tables: the same signatures, clustering and application as the sharded DAG."""
    cfg = config if isinstance(config, DedupConfig) else dedup_config(config)
    para_frame = paragraphs.join(documents.select("doc_id", "published", "forwarded_from"), on="doc_id")
    duplicates = deduplicate_corpus(
        in_memory_level(documents, "doc_id", pl.col("n_chars"), cfg.documents),
        in_memory_level(para_frame, "para_id", pl.col("text").str.len_chars(), cfg.paragraphs), cfg)
    out_documents, out_paragraphs, out_audit = apply_duplicates(documents, paragraphs, audit, duplicates)
    return DedupResult(out_documents, out_paragraphs, out_audit, duplicates, dedup_stats(duplicates))


def dedup_stats(duplicates: pl.DataFrame) -> dict[str, int]:
    removed = removed_documents(duplicates)
    paragraph_level = duplicates.filter(pl.col("level") == "paragraph")
    return {
        "documents_removed_exact": removed.filter(pl.col("method") == "exact").height,
        "documents_removed_near": removed.filter(pl.col("method") == "near").height,
        "document_clusters": duplicates.filter(pl.col("level") == "document")["cluster_id"].n_unique(),
        "paragraphs_flagged": paragraph_level.filter(pl.col("member_id") != pl.col("kept_id")).height,
        "paragraph_clusters": paragraph_level["cluster_id"].n_unique(),
    }


def _stage_columns(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Columns of `table` at the dedup stage, in schema order."""
    return frame.select([c.name for c in columns_for(table, "dedup")])
