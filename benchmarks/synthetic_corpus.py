"""A deterministic synthetic channel history as JSONL, with planted duplicates and translations, and their truth.

    .venv/bin/python benchmarks/synthetic_corpus.py N OUT.jsonl [--seed S]

Writes N posts to OUT.jsonl (one JSON object per line: id, date, channel, views, forwarded_from, text) and the
planted truth to OUT.truth.json. The text is a word-level Markov chain (order 1) over the paragraphs of the seed
files in data/raw/, one chain per script (Cyrillic, Latin), so almost every paragraph is new, as in real channels,
and not a recombination of seed paragraphs. Planted on top, at fixed rates:

- exact copies: a later repost of an earlier post, with case, punctuation and spacing changed (same normalized text);
- near copies: a later repost with one word in about forty changed, kept only if its word 3-gram Jaccard
  similarity to the original (computed here with a plain implementation, not the pipeline's) is at least 0.85;
  reposts copy the whole text, boilerplate included;
- translation-like pairs: an English and a Russian post, consecutive, of similar length, sharing a planted number,
  a date and a transliterated name;
- boilerplate: a channel footer on about a third of the posts, a hashtag line on many, and now and then a Telegram
  "Media is too big" line.

Other posts have at least twenty words, and none starts and ends with the same six words as an earlier one, so that
chance repeats of a short chain walk do not pass for unplanted copies.

The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from bisect import bisect
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO / "data" / "raw"

EXACT_RATE = 0.03
NEAR_RATE = 0.03
TRANSLATION_RATE = 0.02
FOOTER_RATE = 0.3
HASHTAG_RATE = 0.4
ARTIFACT_RATE = 0.01
FORWARD_RATE = 0.1
NEAR_MIN_JACCARD = 0.85

CHANNELS = ["Информационный канал", "Official News Desk", "Лента регионов"]
FORWARD_SOURCES = ["МИД России", "Russian MFA", "Пресс-служба", "Newsroom"]
FOOTERS = ["Подписывайтесь на официальный канал ведомства, чтобы первыми узнавать о заявлениях и событиях",
           "Official channel of the press service: statements, briefings and news of the day",
           "Все новости и комментарии экспертов — на нашем сайте и в официальных социальных сетях"]
HASHTAGS = ["#новости", "#Россия", "#МИД", "#дипломатия", "#News", "#Минск", "#Астана", "#ОБСЕ", "#заявление"]
SYLLABLES = ["ка", "ло", "ми", "ре", "шо", "ва", "ни", "ту", "бе", "да", "ру", "со", "жи", "па", "ле", "го"]
SURNAME_ENDINGS = ["ов", "ев", "ин", "ский", "енко", "ович"]
TRANSLIT = dict(zip("абвгдежзийклмнопрстуфхцчшщыэюя",
                    "a b v g d e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya".split()))


# --- The Markov chains ----------------------------------------------------------------------------------------


def seed_paragraphs(seed_dir: Path = SEED_DIR) -> dict[str, list[list[str]]]:
    """Lines of at least eight words of the seed files, as word lists, by script (`cyrl`, `latn`)."""
    by_script: dict[str, list[list[str]]] = {"cyrl": [], "latn": []}
    for path in sorted(seed_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if len(words) < 8:
                continue
            cyrillic = len(re.findall(r"[а-яё]", line, flags=re.IGNORECASE))
            latin = len(re.findall(r"[a-z]", line, flags=re.IGNORECASE))
            by_script["cyrl" if cyrillic > latin else "latn"].append(words)
    return by_script


class Chain:
    """Order-1 word Markov chain: successors of each word, and the words that start sentences."""

    def __init__(self, lines: list[list[str]]) -> None:
        successors: dict[str, list[str]] = {}
        starts: list[str] = []
        for words in lines:
            starts.append(words[0])
            for current, following in zip(words, words[1:]):
                successors.setdefault(current, []).append(following)
                if current[-1] in ".!?":
                    starts.append(following)
        self.successors = {word: tuple(nexts) for word, nexts in sorted(successors.items())}
        self.starts = tuple(starts)

    def sentence(self, rng: random.Random, low: int, high: int) -> str:
        words = [rng.choice(self.starts)]
        while len(words) < high:
            nexts = self.successors.get(words[-1])
            if not nexts or (len(words) >= low and words[-1][-1] in ".!?"):
                break
            words.append(nexts[int(rng.random() * len(nexts))])
        text = " ".join(words)
        return text if text[-1] in ".!?" else text.rstrip(",;:—-") + "."

    def paragraph(self, rng: random.Random) -> str:
        return " ".join(self.sentence(rng, 8, 28) for _ in range(rng.randint(1, 3)))


# --- Planting ---------------------------------------------------------------------------------------------------


def plain_key_words(text: str) -> list[str]:
    """Lower-case words without punctuation: the generator's own notion of equal text."""
    return re.findall(r"\w+", text.lower())


def word_3gram_jaccard(a: str, b: str) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = plain_key_words(text)
        return {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y) if x | y else 1.0


def restyle(text: str, rng: random.Random) -> str:
    """The same text for a normalized key: case, spacing and punctuation changed."""
    text = text.upper() if rng.random() < 0.5 else text
    text = text.replace(" ", "  ", 3).replace(",", " ,", 2)
    return text + rng.choice(["!", " 🔥", "…"])


def near_copy(text: str, rng: random.Random, chain: Chain) -> str | None:
    words = text.split(" ")
    for _ in range(5):
        edited = list(words)
        for _ in range(max(1, len(words) // 40)):
            i = rng.randrange(len(edited))
            edited[i] = rng.choice(chain.starts)
        candidate = " ".join(edited)
        if word_3gram_jaccard(text, candidate) >= NEAR_MIN_JACCARD and plain_key_words(candidate) != \
                plain_key_words(text):
            return candidate
    return None


def surname(rng: random.Random) -> tuple[str, str]:
    """A made-up Russian surname and its transliteration."""
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    russian = (stem + rng.choice(SURNAME_ENDINGS)).capitalize()
    latin = "".join(TRANSLIT.get(ch, ch) for ch in russian.lower())
    return russian, latin.capitalize()


RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def translation_pair(rng: random.Random, chains: dict[str, Chain], when: datetime) -> tuple[str, str]:
    """An English and a Russian post sharing a number, a date and a name, of similar length."""
    russian_name, latin_name = surname(rng)
    number = rng.randint(1_000, 99_999)
    day, month = rng.randint(1, 28), rng.randrange(12)
    en_lead = (f"On {day} {EN_MONTHS[month]} Ambassador {latin_name} said that {number:,} delegates had "
               "registered for the forum.")
    ru_lead = (f"{day} {RU_MONTHS[month]} посол {russian_name} заявил, что на форум зарегистрировались "
               f"{number:,} делегатов.".replace(",", " ", 1))
    en_body = [chains["latn"].paragraph(rng) for _ in range(rng.randint(1, 2))]
    ru_body = [chains["cyrl"].paragraph(rng) for _ in range(len(en_body))]
    return "\n".join([en_lead, *en_body]), "\n".join([ru_lead, *ru_body])


def decorate(text: str, rng: random.Random) -> str:
    """Boilerplate of a channel: footer, hashtag line, now and then a platform artifact."""
    lines = [text]
    if rng.random() < FOOTER_RATE:
        lines.append(rng.choice(FOOTERS))
    if rng.random() < HASHTAG_RATE:
        lines.append(" ".join(rng.sample(HASHTAGS, rng.randint(1, 3))))
    if rng.random() < ARTIFACT_RATE:
        lines.insert(0, "Media is too big")
    return "\n".join(lines)


# --- The corpus -------------------------------------------------------------------------------------------------


def generate(n: int, seed: int = 7, seed_dir: Path = SEED_DIR) -> tuple[list[dict], dict[str, list]]:
    """N posts (JSON-ready dicts, in channel order) and the planted truth."""
    rng = random.Random(seed)
    chains = {script: Chain(lines) for script, lines in seed_paragraphs(seed_dir).items()}
    posts: list[dict] = []
    scripts: list[str] = []  # script of each post's chain, for the words of near copies
    seen: set[tuple[str, ...]] = set()  # first and last words of the generated posts
    truth: dict[str, list] = {"exact_copies": [], "near_copies": [], "translation_pairs": []}
    when = datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=3)))
    rates = [EXACT_RATE, EXACT_RATE + NEAR_RATE, EXACT_RATE + NEAR_RATE + TRANSLATION_RATE]
    while len(posts) < n:
        when += timedelta(minutes=rng.randint(3, 90), seconds=rng.randint(0, 59))
        kind = bisect(rates, rng.random()) if len(posts) > 20 else 3
        post_id = 1000 + len(posts)
        if kind == 0:  # exact copy of an earlier post
            original = rng.randrange(len(posts))
            text = restyle(posts[original]["text"], rng)
            truth["exact_copies"].append([post_id, posts[original]["id"]])
            script = scripts[original]
        elif kind == 1:  # near copy
            original = rng.randrange(len(posts))
            text = near_copy(posts[original]["text"], rng, chains[scripts[original]])
            if text is None:
                continue
            truth["near_copies"].append([post_id, posts[original]["id"]])
            script = scripts[original]
        elif kind == 2 and len(posts) + 2 <= n:  # translation-like pair, English first
            english, russian = translation_pair(rng, chains, when)
            truth["translation_pairs"].append([post_id + 1, post_id])
            for offset, (body, script) in enumerate(((english, "latn"), (russian, "cyrl"))):
                posts.append(post(post_id + offset, when + timedelta(minutes=2 * offset), decorate(body, rng), rng))
                scripts.append(script)
            continue
        else:
            script = "cyrl" if rng.random() < 0.8 else "latn"
            body = "\n".join(chains[script].paragraph(rng) for _ in range(rng.randint(1, 4)))
            # A short chain walk can repeat an earlier post by chance: such a post is an unplanted near copy, so a
            # post whose first and last words both match an earlier post's is drawn again.
            signature = tuple(plain_key_words(body)[:6] + plain_key_words(body)[-6:])
            if len(plain_key_words(body)) < 20 or signature in seen:
                continue
            seen.add(signature)
            text = decorate(body, rng)
        posts.append(post(post_id, when, text, rng))
        scripts.append(script)
    return posts, truth


def post(post_id: int, when: datetime, text: str, rng: random.Random) -> dict:
    forwarded = rng.choice(FORWARD_SOURCES) if rng.random() < FORWARD_RATE else None
    return {"id": post_id, "date": when.isoformat(), "channel": CHANNELS[post_id % len(CHANNELS)],
            "views": rng.randint(100, 200_000), "forwarded_from": forwarded, "text": text}


def write(n: int, out: Path, seed: int = 7, seed_dir: Path = SEED_DIR) -> dict[str, list]:
    """Write OUT.jsonl and OUT.truth.json; return the truth."""
    posts, truth = generate(n, seed, seed_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        for item in posts:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    truth_path(out).write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth


def truth_path(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".jsonl") + ".truth.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of posts")
    parser.add_argument("out", type=Path, help="output .jsonl file")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    truth = write(args.n, args.out, args.seed)
    print(f"{args.n} posts -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB); planted: "
          + ", ".join(f"{len(v)} {k}" for k, v in truth.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
