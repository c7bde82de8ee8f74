"""Word n-gram overlap between candidate texts and evaluation prompts: the leak test beside cosine.

A cosine over a whole prompt dilutes an evaluation prompt that became one part of a longer
prompt (0.81-0.88 against itself, under the 0.9 threshold); n-grams, counted on the evaluation
prompt's side, do not. As in GPT-3's decontamination (Brown et al. 2020, App. C) and datatrove's
``NGramsDecontIndexer``, texts become normalised words (:func:`words`, the normalisation of
:mod:`~lima_curate.select.fingerprint`). A prompt of at least ``n`` words matches a text holding
``min_coverage`` of its distinct n-grams (one at least); a shorter one of at least ``min_words``
words matches a text holding it whole; shorter ones ("Tell me a joke") are left to the
exact-text test. Everything runs in text order, so the results are the same in every process.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from lima_curate.select.fingerprint import normalise_text

DEFAULT_N = 8
DEFAULT_MIN_WORDS = 4
DEFAULT_MIN_COVERAGE = 0.5


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (see the module docstring)."""
    return normalise_text(text).split()


def ngrams(tokens: Sequence[str], n: int) -> tuple[str, ...]:
    """The distinct ``n``-grams of ``tokens`` in text order, each as one space-joined string."""
    return tuple(dict.fromkeys(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)))


@dataclass(frozen=True)
class Overlap:
    """How much of evaluation prompt ``prompt`` a candidate text holds."""

    prompt: int  # position of the evaluation prompt in the index
    shared: int  # its n-grams found in the text (1 for a short prompt found whole)
    total: int  # its distinct n-grams (1 for a short prompt)
    example: str  # one shared n-gram (or the short prompt), for the drop detail

    @property
    def coverage(self) -> float:
        return self.shared / self.total


class NGramIndex:
    """Evaluation prompts indexed by their word n-grams (see the module docstring)."""

    def __init__(
        self,
        prompts: Iterable[str],
        *,
        n: int = DEFAULT_N,
        min_words: int = DEFAULT_MIN_WORDS,
        min_coverage: float = DEFAULT_MIN_COVERAGE,
    ) -> None:
        if n < 2 or not 1 <= min_words <= n or not 0.0 < min_coverage <= 1.0:
            raise ValueError(f"bad n-gram settings: n={n}, min_words={min_words}, min_coverage={min_coverage}")
        self.n, self.min_words, self.min_coverage = n, min_words, min_coverage
        self.grams: dict[str, list[int]] = defaultdict(list)  # n-gram -> prompts holding it
        self.totals: list[int] = []  # per prompt: distinct n-grams (1 when short, 0 when too short)
        self.short: dict[int, dict[str, int]] = defaultdict(dict)  # length -> phrase -> first prompt
        for number, prompt in enumerate(prompts):
            tokens = words(prompt)
            if len(tokens) >= n:
                grams = ngrams(tokens, n)
                for gram in grams:
                    self.grams[gram].append(number)
                self.totals.append(len(grams))
            elif len(tokens) >= min_words:
                self.short[len(tokens)].setdefault(" ".join(tokens), number)
                self.totals.append(1)
            else:
                self.totals.append(0)

    def overlaps(self, text: str) -> list[Overlap]:
        """Every evaluation prompt sharing words with ``text`` (as above), most covered first."""
        tokens = words(text)
        shared: dict[int, int] = defaultdict(int)
        example: dict[int, str] = {}
        for gram in ngrams(tokens, self.n) if len(tokens) >= self.n else ():
            for number in self.grams.get(gram, ()):
                shared[number] += 1
                example.setdefault(number, gram)
        found = [Overlap(p, count, self.totals[p], example[p]) for p, count in shared.items()]
        for length, phrases in self.short.items():
            if length > len(tokens):
                continue
            for gram in ngrams(tokens, length):
                number = phrases.get(gram)
                if number is not None:
                    found.append(Overlap(number, 1, 1, gram))
        found.sort(key=lambda o: (-o.coverage, o.prompt))
        return found

    def best(self, text: str) -> "Overlap | None":
        """The most covered evaluation prompt if it reaches ``min_coverage``, else None."""
        found = self.overlaps(text)
        return found[0] if found and found[0].coverage >= self.min_coverage else None


def detail(overlap: Overlap, origin: str) -> str:
    """A drop detail: ``"8-gram overlap 12/15 with eval prompt lima_test.jsonl:7: 'what is the …'"``."""
    return f"n-gram overlap {overlap.shared}/{overlap.total} with eval prompt {origin}: {overlap.example[:60]!r}"
