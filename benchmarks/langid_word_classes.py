"""Count the word classes behind the language step's word-list evidence (WORD_CLASS_COUNTS in langid.py).

    .venv/bin/python benchmarks/langid_word_classes.py [--data DIR] [--half {first,second,all}]

A Cyrillic word's class is (known to the Russian word list, known to the Ukrainian one). For each language this
prints how many words of its `sentences/<iso>.txt` samples fall in each class, in WORD_CLASSES order, as the Python
literal langid.py holds. The committed counts come from `--half first` of benchmarks/data/langid-dev/ (the half the
fusion rules were tuned on), so `--half second` stays held out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "benchmarks"))

from langid_eval import DEFAULT_DATA, load_samples  # noqa: E402

from infospace.langid import (  # noqa: E402
    WORD_CLASSES,
    Lexicon,
    cyrillic_words,
    evidence_text,
    load_lexicons,
    word_classes,
)


def count_word_classes(sentences: dict[str, list[str]], lexicons: dict[str, Lexicon]) -> dict[str, tuple[int, ...]]:
    """{language: counts per class in WORD_CLASSES order} over the sentences of each language."""
    counts = {}
    for language, texts in sorted(sentences.items()):
        classes = word_classes((word for text in texts for word in cyrillic_words(evidence_text(text))), lexicons)
        counts[language] = tuple(classes[word_class] for word_class in WORD_CLASSES)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled samples: <granularity>/<iso>.txt")
    parser.add_argument("--half", choices=("first", "second", "all"), default="first")
    args = parser.parse_args(argv)
    sentences = load_samples(args.data.resolve(), None, args.half)["sentences"]
    lexicons = load_lexicons()
    print(f"# classes: {WORD_CLASSES} (known to ru, known to uk); data {args.data.resolve()}, half {args.half}")
    for language, counts in count_word_classes(sentences, lexicons).items():
        print(f'    "{language}": {counts},')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
