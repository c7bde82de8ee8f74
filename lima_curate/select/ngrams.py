"""N-gram overlap between candidate texts and evaluation prompts: the leak test beside cosine.

A cosine over a whole prompt misses an evaluation prompt that became one part of a
longer prompt (a test prompt as the body under another title scores 0.81-0.88 against
itself, under the 0.9 threshold). Word n-grams do not dilute: the overlap is counted
on the evaluation prompt's side.

How texts are compared, following GPT-3's decontamination (Brown et al. 2020, App. C:
lower-cased word n-grams, N from 8 to 13) and datatrove's ``NGramsDecontIndexer``
(normalised words, n = 12, any shared n-gram marks a document):

* both sides become words: NFKC, case-folded, punctuation removed, split on whitespace
  (:func:`words`, the same normalisation as :mod:`~lima_curate.select.fingerprint`);
* an evaluation prompt of at least ``n`` words is indexed by its distinct ``n``-grams;
  a candidate matches it when it holds at least ``min_coverage`` of them (the share of
  the prompt found in the candidate; 1 shared n-gram at least);
* a *short* evaluation prompt (``min_words`` <= words < ``n``) has no n-gram; it matches
  a candidate that holds its whole word sequence (GPT-3 did the same for examples
  shorter than N). Prompts shorter than ``min_words`` ("Tell me a joke") are left to the
  exact-text test: as a phrase they occur in ordinary text.

Everything is in text order (no set is iterated), so the same inputs give the same
overlaps and the same example n-gram in every process.

The index holds the n-gram strings (no hashing, so no collisions); a lookup costs
O(words of the candidate) plus one pass per distinct short-prompt length (< n).
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

    def __len__(self) -> int:
        return len(self.totals)

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

    def contamination(self, texts: Sequence[str]) -> dict[int, Overlap]:
        """Position -> best overlap, for every text that reaches ``min_coverage``."""
        out = {}
        for position, text in enumerate(texts):
            hit = self.best(text)
            if hit is not None:
                out[position] = hit
        return out


def detail(overlap: Overlap, origin: str) -> str:
    """A drop detail: ``"8-gram overlap 12/15 with eval prompt lima_test.jsonl:7: 'what is the …'"``."""
    return f"n-gram overlap {overlap.shared}/{overlap.total} with eval prompt {origin}: {overlap.example[:60]!r}"
