"""How well the story bank reads stories: `python -m evals.stories [--split dev|test]`.

On evals/graded_stories/stories.yaml (stories written and graded by a helper who never saw the code:
strong, average, weak and other for 12 LPs, plus retold and merely similar pairs). The LPs are
split before anything was measured: the dev LPs choose the bank's settings (the near-duplicate
threshold, which gaps are reported), the test LPs are reported once. The judge itself (its STAR,
pair and score-map models) was fitted on other material (evals/graded/set_*.yaml's train
questions) and is not refitted here.
"""

from __future__ import annotations

import argparse
import json
import logging
from itertools import combinations
from pathlib import Path

import numpy as np
import yaml

from evals.statistics import pairwise_accuracy, spearman

HERE = Path(__file__).resolve().parent
STORIES = HERE / "graded_stories" / "stories.yaml"
DEV_LPS = {"Ownership", "Dive Deep", "Earn Trust", "Invent and Simplify", "Learn and Be Curious"}
DEV_PAIRS = {"st-dup-1", "st-dup-2", "st-distinct-1", "st-distinct-2"}
GAPS = ("situation", "task", "action", "result", "learning", "measurable_result", "ownership", "specificity", "relevance")
log = logging.getLogger(__name__)


def load() -> list[dict]:
    return yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]


def split_of(story: dict) -> str:
    sid = story["id"]
    if sid.startswith(("st-dup-", "st-distinct-")):
        key = sid.rsplit("-", 1)[0] if sid.startswith("st-dup-") else sid
        return "dev" if key in DEV_PAIRS else "test"
    return "dev" if story["lp"] in DEV_LPS else "test"


def measure(split: str) -> dict:
    from interviewer.config import Settings
    from interviewer.corpus.loading import load_with_extras
    from interviewer.embeddings import get_embedder
    from interviewer.judge.offline import OfflineJudge
    from interviewer.judge.text import sentences
    from interviewer.report.history import overlap
    from interviewer.stories.assess import StoryAssessor
    from interviewer.stories.coverage import cosine

    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    judge = OfflineJudge(get_embedder())
    assessor = StoryAssessor(judge, corpus)
    stories = [s for s in load() if split_of(s) == split]
    bank = [s for s in stories if not s["id"].startswith(("st-dup-", "st-distinct-"))]

    scores, grades, strong_ok, top1, top3, top1_fit, gap_tp, gap_fp, gap_fn = [], [], 0, 0, 0, 0, {}, {}, {}
    fam = [0, 0, 0]
    for s in bank:
        # Scored as the candidate would file it: against the LP they wrote it for.
        a = assessor.assess(s["text"], [s["lp"]])
        scores.append(a.overall)
        grades.append(s["grade"])
        strong_ok += int(a.strong == (s["grade"] >= 3))
        ranked = [m.lp for m in a.matches]
        fits = {s["lp"], *s.get("also_fits", [])}
        if "relevance" not in s["gaps"]:
            top1 += ranked[0] == s["lp"]
            top3 += s["lp"] in ranked[:3]
            top1_fit += ranked[0] in fits
        found = {g.code for g in a.gaps}
        said_r, true_r = bool(found & {"result", "measurable_result"}), bool(set(s["gaps"]) & {"result", "measurable_result"})
        fam = [fam[0] + (said_r and true_r), fam[1] + (said_r and not true_r), fam[2] + (true_r and not said_r)]
        for code in GAPS:
            said, truth = code in found, code in s["gaps"]
            gap_tp[code] = gap_tp.get(code, 0) + (said and truth)
            gap_fp[code] = gap_fp.get(code, 0) + (said and not truth)
            gap_fn[code] = gap_fn.get(code, 0) + (truth and not said)
    mappable = sum(1 for s in bank if "relevance" not in s["gaps"])

    # Near-duplicates: every pair among this split's stories; positives are the retold pairs.
    def vector(text: str) -> np.ndarray:
        v = judge.vectors.embed([x.text for x in sentences(text)]).mean(axis=0)
        return v / np.linalg.norm(v)

    vectors = {s["id"]: vector(s["text"]) for s in stories}
    pairs = []
    for a, b in combinations(stories, 2):
        same = a.get("duplicate_of") == b["id"] or b.get("duplicate_of") == a["id"]
        pairs.append({"a": a["id"], "b": b["id"], "same": same, "cosine": round(cosine(vectors[a["id"]], vectors[b["id"]]), 4),
                      "words": round(overlap(a["text"], b["text"]), 4),
                      "hard": a.get("not_duplicate_of") == b["id"] or b.get("not_duplicate_of") == a["id"]})
    return {
        "split": split, "stories": len(bank),
        "spearman": round(spearman(scores, grades), 3), "pairwise": round(pairwise_accuracy(scores, grades), 3),
        # A baseline any scorer must beat: longer stories tend to be the better ones.
        "baseline_length_spearman": round(spearman([len(s["text"].split()) for s in bank], grades), 3),
        "strong_agreement": round(strong_ok / len(bank), 3),
        "lp_top1": f"{top1}/{mappable}", "lp_top3": f"{top3}/{mappable}", "lp_top1_any_fit": f"{top1_fit}/{mappable}",
        "gaps": {c: {"tp": gap_tp[c], "fp": gap_fp[c], "fn": gap_fn[c]} for c in GAPS},
        # Graders and the bank draw the line between "no result" and "no measurable result" differently.
        "result_family": {"tp": fam[0], "fp": fam[1], "fn": fam[2]},
        "scores": [{"id": s["id"], "grade": g, "score": sc} for s, g, sc in zip(bank, grades, scores, strict=True)],
        "pairs": pairs,
    }


def duplicate_figures(pairs: list[dict], min_cosine: float, min_words: float) -> dict:
    said = [p for p in pairs if p["cosine"] >= min_cosine or p["words"] >= min_words]
    tp = sum(p["same"] for p in said)
    return {"found": len(said), "true": tp, "false": len(said) - tp, "missed": sum(p["same"] for p in pairs) - tp,
            "hard_negatives_flagged": sum(p["hard"] for p in said)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from interviewer.stories.coverage import DUPLICATE_COSINE, DUPLICATE_WORDS

    result = measure(args.split)
    result["duplicates"] = duplicate_figures(result["pairs"], DUPLICATE_COSINE, DUPLICATE_WORDS)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    shown = {k: v for k, v in result.items() if k not in ("scores", "pairs")}
    print(json.dumps(shown, indent=2))


if __name__ == "__main__":
    main()
