"""Data for training and measuring the offline judge: splits by question, pairs from the contrast
data, the team's graded answers and SemEval-2013.

Splits are by question (or LP) and come from the graded set: a graded question is train, dev or
test by a hash of its id. The contrast sentences of dev and test questions never reach training,
so a test figure measures questions the model has not seen in any form.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from interviewer.corpus.contrast import ContrastData
from interviewer.corpus.loading import Corpus
from interviewer.judge.offline import Thresholds
from interviewer.judge.shortlist import ranking_scores

HERE = Path(__file__).resolve().parent
GRADED_DIR = HERE / "graded"
SEMEVAL = HERE.parent.parent / "shared" / "eval-data" / "semeval2013-task7" / "semeval2013_3way_flat.csv"
SEMEVAL_LABELS = {"correct": 0, "contradictory": 1, "incorrect": 2}
SEMEVAL_TESTS = ("test-unseen-answers", "test-unseen-questions", "test-unseen-domains")
STATES, CONTRADICTS, SILENT = 0, 1, 2


def split_of(target: str) -> str:
    """train (50%), dev (20%) or test (30%), fixed by the id alone."""
    bucket = int(hashlib.sha256(target.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 5 else "dev" if bucket < 7 else "test"


@dataclass(frozen=True)
class Pair:
    item: str  # key point, LP signal or red flag, or reference answer
    sentence: str
    label: int
    source: str  # contrast, lp, semeval
    group: str  # question id, LP id or SemEval question id


def load_graded() -> list[dict]:
    """Every graded answer of evals/graded/*.yaml, with its split."""
    answers = []
    for file in sorted(GRADED_DIR.glob("*.yaml")):
        for a in yaml.safe_load(file.read_text(encoding="utf-8"))["answers"]:
            answers.append({**a, "split": split_of(a["target"]), "file": file.name})
    return answers


def held_out_targets(graded: list[dict]) -> set[str]:
    """Questions and LPs whose contrast data must not be trained on: graded dev and test ones."""
    return {a["target"] for a in graded if a["split"] != "train"}


# Terms whose swap turns a true statement false. A "states" sentence that shares one of them
# with its key point, with the pair swapped, becomes an extra contradiction: the model must learn
# that "L2 gives sparse weights" is not "L1 gives sparse weights", and embeddings cannot see it.
SWAPS = (
    ("L1", "L2"), ("lasso", "ridge"), ("Lasso", "Ridge"), ("precision", "recall"), ("Precision", "Recall"),
    ("type I", "type II"), ("Type I", "Type II"), ("false positive", "false negative"),
    ("false positives", "false negatives"), ("bias", "variance"), ("overfitting", "underfitting"),
    ("increases", "decreases"), ("increase", "decrease"), ("higher", "lower"), ("larger", "smaller"),
    ("above", "below"), ("before", "after"), ("sensitivity", "specificity"), ("numerator", "denominator"),
    ("maximum", "minimum"), ("max", "min"), ("upper", "lower"), ("rises", "falls"), ("faster", "slower"),
    ("bagging", "boosting"), ("encoder", "decoder"), ("convex", "concave"),
    ("sparse", "dense"), ("ROWS", "RANGE"), ("LEFT JOIN", "INNER JOIN"),
    ("batch norm", "layer norm"), ("BatchNorm", "LayerNorm"), ("one-sided", "two-sided"), ("wider", "narrower"),
    ("always", "never"), ("with replacement", "without replacement"),
)


def swapped(point: str, sentence: str) -> str | None:
    """The sentence with the first swap pair it shares with the point exchanged (both ways at
    once), or None when they share none."""
    for a, b in SWAPS:
        either = re.compile(rf"\b({re.escape(a)}|{re.escape(b)})\b")
        # "between L1 and L2", "precision or recall": swapping both sides says the same thing.
        symmetric = re.compile(rf"\b({re.escape(a)}|{re.escape(b)})\b\W+(and|or|vs\.?|versus|and the|or the|to)\W+\b({re.escape(a)}|{re.escape(b)})\b")
        if either.search(point) and either.search(sentence) and not symmetric.search(sentence):
            return either.sub(lambda m, a=a, b=b: b if m.group(1) == a else a, sentence)
    return None


_FILLERS = ("I think ", "So basically, ", "Right, so ", "The way I see it, ", "Well, ", "I'd say ")
_CLAUSE = re.compile(r";\s+|,\s+(?:so|because|which|while|and)\s+")


def light_edits(point: str, rng: random.Random) -> list[str]:
    """The point itself, and said the way a candidate would (a filler in front, or only its first
    clause): the writers kept "states" sentences far from the point's wording and
    "contradicts" sentences close to it, and without these the model learns that a sentence
    close to the point's wording contradicts it."""
    lower = point[:1].lower() + point[1:] if not point[:2].isupper() else point
    edits = [point, rng.choice(_FILLERS) + lower]
    head = _CLAUSE.split(point, maxsplit=1)[0].rstrip(".,;") + "."
    if head != point and len(head.split()) >= 6:
        edits.append(head)
    return edits


_JOINERS = ("; ", ", and ", ". ", ", also ")


def joined(first: str, second: str, rng: random.Random) -> str:
    """Two sentences said as one, the way answers run claims together."""
    joiner = rng.choice(_JOINERS)
    first = first.rstrip().rstrip(".")
    if joiner != ". " and second[:1].isupper() and not second[1:2].isupper() and not re.match(r"I\b", second):
        second = second[:1].lower() + second[1:]
    return first + joiner + second


def compound_pairs(item, others: list, qid: str, rng: random.Random) -> list[Pair]:
    """Sentences that carry two claims, as real answers do: the written ones carry one each, and
    without these the model reads any long sentence on the question's topic as stating the point
    (a sentence about L2 "never making weights exactly zero" as stating that L1 does)."""
    donors = [s for o in others for s in o.states]
    if len(donors) < 2:
        return []
    out: list[Pair] = []

    def pair(own: str, label: int) -> None:
        other = rng.choice(donors)
        first, second = (own, other) if rng.random() < 0.5 else (other, own)
        out.append(Pair(item.point, joined(first, second, rng), label, "compound", qid))

    for s in rng.sample(item.states, min(2, len(item.states))):
        pair(s, STATES)
    pair(rng.choice(item.contradicts), CONTRADICTS)
    pair(rng.choice(item.near_misses), SILENT)
    a, b = rng.sample(donors, 2)
    out.append(Pair(item.point, joined(a, b, rng), SILENT, "compound", qid))
    return out


def contrast_pairs(contrast: ContrastData, corpus: Corpus, exclude: set[str], seed: int = 13) -> list[Pair]:
    """(item, sentence, label) pairs: each sentence against its own item, plus hard negatives (a
    sentence stating or contradicting another key point of the same question, or showing another
    signal of the same LP, is silent on this one)."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    by_question: dict[str, list] = defaultdict(list)
    for item in contrast.key_points:
        if item.question not in exclude:
            by_question[item.question].append(item)
    for qid, items in sorted(by_question.items()):
        for item in items:
            pairs += [Pair(item.point, s, STATES, "contrast", qid) for s in item.states]
            pairs += [Pair(item.point, s, CONTRADICTS, "contrast", qid) for s in item.contradicts]
            pairs += [Pair(item.point, s, SILENT, "contrast", qid) for s in item.near_misses]
            others = [s for o in items if o is not item for s in o.states]
            pairs += [Pair(item.point, s, SILENT, "contrast", qid) for s in rng.sample(others, min(3, len(others)))]
            # A wrong claim about another point is silent on this one: a contradiction is of this
            # claim, not of anything said on the topic (right answers lost points to that reading).
            wrong = [s for o in items if o is not item for s in o.contradicts]
            pairs += [Pair(item.point, s, SILENT, "contrast", qid) for s in rng.sample(wrong, min(2, len(wrong)))]
            pairs += [Pair(item.point, t, STATES, "identity", qid) for t in light_edits(item.point, rng)]
            flipped = [f for f in (swapped(item.point, s) for s in item.states) if f]
            pairs += [Pair(item.point, f, CONTRADICTS, "swap", qid) for f in flipped[:2]]
            pairs += compound_pairs(item, [o for o in items if o is not item], qid, rng)
    lp_ids = {lp.id for lp in corpus.lps}
    for lp_id, items in sorted(contrast.lp_items.items()):
        if lp_id in exclude or lp_id not in lp_ids:
            continue
        for item in items:
            pairs += [Pair(item.text, s, STATES, "lp", lp_id) for s in item.shows]
            pairs += [Pair(item.text, t, STATES, "identity", lp_id) for t in light_edits(item.text, rng)[:1]]
            pairs += [Pair(item.text, s, SILENT, "lp", lp_id) for s in item.lacks]
            others = [s for o in items if o is not item for s in o.shows]
            pairs += [Pair(item.text, s, SILENT, "lp", lp_id) for s in rng.sample(others, min(1, len(others)))]
    return pairs


# Silent answer sentences become training pairs only among a key point's best-ranked few: one
# further than the judge ever reads (its report's wider read), for more of the hard negatives;
# a sentence further away never reaches the pair classifier.
ANSWER_SHORTLIST = Thresholds().report_shortlist + 1


def answer_held_out(question: str, share: int = 15) -> bool:
    """Labelled answers kept out of training to measure on: a fixed share of their questions, by
    a hash of the id (salted, so it is not the graded split)."""
    return int(hashlib.sha256(f"answers:{question}".encode()).hexdigest(), 16) % 100 < share


def answer_pairs(contrast: ContrastData, corpus: Corpus, exclude: set[str],
                 similarity: Callable[[list[str], list[str]], np.ndarray] | None = None) -> list[Pair]:
    """(key point, sentence) pairs from the labelled whole answers. A labelled sentence is always
    a pair; a silent one only when it is among the sentences the judge would read for that key
    point (its best-ranked ANSWER_SHORTLIST: `similarity` is the cosine, ranked as the judge
    ranks it, judge/shortlist.py), as at scoring time. Without
    `similarity` every sentence is paired with every key point."""
    pairs: list[Pair] = []
    for answer in contrast.answers:
        if answer.question in exclude:
            continue
        points = corpus.question(answer.question).key_points
        texts = [s.text for s in answer.sentences]
        sims = ranking_scores(similarity(list(points), texts), points, texts) if similarity is not None else None
        for i, point in enumerate(points, start=1):
            near = set(np.argsort(-sims[i - 1])[:ANSWER_SHORTLIST].tolist()) if sims is not None else set(range(len(texts)))
            for j, s in enumerate(answer.sentences):
                label = STATES if i in s.states else CONTRADICTS if i in s.contradicts else SILENT
                if label != SILENT or j in near:
                    pairs.append(Pair(point, s.text, label, "answer", answer.question))
    return pairs


def semeval_rows(split: str | None = None) -> list[dict]:
    if not SEMEVAL.exists():
        return []
    with SEMEVAL.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if split is None or r["split"] == split]


def semeval_pairs(rows: list[dict]) -> list[Pair]:
    return [Pair(r["reference_answer"], r["student_answer"], SEMEVAL_LABELS[r["label_3way"]], "semeval", r["question_id"])
            for r in rows]


def split_semeval_train(rows: list[dict], dev_share: float = 0.1) -> tuple[list[dict], list[dict]]:
    """SemEval's train split, divided by question into what we fit on and a dev part to choose on."""
    train, dev = [], []
    for r in rows:
        bucket = int(hashlib.sha256(r["question_id"].encode()).hexdigest(), 16) % 100
        (dev if bucket < dev_share * 100 else train).append(r)
    return train, dev
