"""The judge before issue 11, kept only so benchmarks can compare against it: key-point
coverage by cosine similarity with hand-set thresholds, common mistakes by similarity plus a
negation cue, STAR parts by cue phrases. Not part of the product."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from evals.statistics import negation_mismatch
from interviewer.judge.mapping import integrity
from interviewer.judge.offline import WEIGHTS, OfflineJudge
from interviewer.judge.reading import REASONING, SIGNPOST, TECHNICAL_DETAIL
from interviewer.judge.rubric import Rubric
from interviewer.judge.text import (
    filler_count,
    generic_claims,
    ownership,
    specificity,
    star_parts,
    words,
)
from interviewer.schemas import Criterion, Score

MISTAKE_PENALTY = 0.4
_CONTRAST = re.compile(r"\b(rather than|instead of|avoid|isn'?t|not|n't|mistake|wrong|myth|pitfall|careful|warning|trap|unless)\b|n't\b", re.I)
_OMISSION = re.compile(r"\s*(forgetting|ignoring|not |skipping|missing|failing|neglecting|leaving out|overlooking|omitting|never )", re.I)


@dataclass(frozen=True)
class CosineThresholds:
    cover_low: float = 0.40
    cover_high: float = 0.62
    mistake: float = 0.68
    red_flag: float = 0.62
    signal_low: float = 0.25
    signal_high: float = 0.50


CT = CosineThresholds()


def _level(value: float) -> int:
    return int(min(4, max(1, round(value))))


def _scale(x: float, low: float, high: float) -> float:
    return float(np.clip((x - low) / (high - low), 0.0, 1.0))


class CosineJudge(OfflineJudge):
    """The old scoring on the new judge's plumbing (sentence split, guards, embeddings)."""

    name = "offline-cosine"

    def _technical(self, rubric: Rubric, answer: str) -> Score:
        t = self.t
        prep = self._prepare(answer)
        names = ("coverage", "accuracy", "depth", "structure")
        min_words = rubric.min_words if rubric.min_words is not None else t.min_words_technical
        units = prep.units or ([s for s in prep.kept if len(words(s.text)) >= min_words] if rubric.min_words else [])
        prep.units = units
        if prep.word_count < min_words or not prep.units:
            return self._insufficient(rubric, prep, names, 0.0)

        sims, windows = self._similarity(prep.units, [*rubric.key_points, *rubric.common_mistakes, rubric.question])
        kp_sims = sims[: len(rubric.key_points)]
        mistake_sims = sims[len(rubric.key_points) : len(rubric.key_points) + len(rubric.common_mistakes)]
        relevance = float(sims.max()) if sims.size else 0.0

        best = kp_sims.max(axis=1)
        credit = np.array([_scale(b, CT.cover_low, CT.cover_high) for b in best])
        coverage = float(credit.mean()) if len(credit) else 0.0
        covered = [i + 1 for i, c in enumerate(credit) if c >= 0.5]
        missed = [i + 1 for i in np.argsort(credit) if credit[i] < 0.5]
        coverage_quotes = [self._quote(answer, windows[int(kp_sims[i - 1].argmax())]) for i in covered]
        coverage_score = 1.0 + 3.0 * coverage
        coverage_c = Criterion(
            name="coverage", score=_level(coverage_score),
            rationale=f"Covered {len(covered)} of {len(rubric.key_points)} key points"
            + (f"; partly touched {sum(1 for c in credit if 0 < c < 0.5)} more." if any(0 < c < 0.5 for c in credit) else "."),
            evidence=coverage_quotes,
        )

        # A stated mistake: close to a common mistake and of the same polarity. Embeddings cannot
        # tell "L2 gives sparse weights" from "L2 does not give sparse weights"; a negation can.
        mistake_quotes: list[str] = []
        for m, mistake in enumerate(rubric.common_mistakes):
            if _OMISSION.match(mistake):
                continue  # "Forgetting X" cannot be said; saying X means the mistake was avoided
            for j, unit in enumerate(prep.units):
                if (mistake_sims[m][j] >= CT.mistake and not negation_mismatch(unit.text, mistake)
                        and not _CONTRAST.search(unit.text)):
                    mistake_quotes.append(self._quote(answer, windows[j]))
                    break
        accuracy_score = max(1.0, min(4.0, 1.5 + 2.5 * coverage) - 1.25 * len(mistake_quotes))
        accuracy_c = Criterion(
            name="accuracy", score=_level(accuracy_score),
            rationale=(f"States {len(mistake_quotes)} common mistake(s)." if mistake_quotes else "No common mistake stated."),
            evidence=mistake_quotes,
        )

        content = " ".join(s.text for s in prep.kept)
        reasoning = [s for s in prep.units if REASONING.search(s.text)]
        detail = [s for s in prep.units if TECHNICAL_DETAIL.search(s.text)]
        depth_raw = min(1.0, len(reasoning) / 3) * 0.5 + min(1.0, len(detail) / 3) * 0.2 + min(1.0, prep.word_count / 150) * 0.3
        depth_score = 1.0 + 3.0 * depth_raw * (0.4 + 0.6 * coverage)
        depth_c = Criterion(
            name="depth", score=_level(depth_score),
            rationale=f"{len(reasoning)} sentence(s) give reasons or trade-offs; {len(detail)} carry formulas, numbers or specifics.",
            evidence=[self._quote(answer, s) for s in reasoning[:2]],
        )

        on_topic = [s for k, s in enumerate(prep.units) if sims[:, k].max() >= CT.cover_low]
        focus = len(on_topic) / max(1, len(prep.units))
        signposts = len(SIGNPOST.findall(content))
        structure_raw = 0.6 * focus + 0.2 * min(1.0, signposts / 2) + 0.2 * (1.0 if 3 <= len(prep.units) <= 14 else 0.5)
        structure_score = 1.0 + 3.0 * structure_raw * (0.5 + 0.5 * coverage)
        structure_c = Criterion(
            name="structure", score=_level(structure_score),
            rationale=f"{round(focus * 100)}% of sentences address the question; {signposts} signpost(s).",
            evidence=[self._quote(answer, on_topic[0])] if on_topic else [],
        )

        w = WEIGHTS["technical"]
        overall = (w["coverage"] * coverage_score + w["accuracy"] * accuracy_score + w["depth"] * depth_score
                   + w["structure"] * structure_score)
        # A stated factual error weighs on the whole answer, not only on its accuracy line.
        overall -= MISTAKE_PENALTY * min(2, len(mistake_quotes))
        overall = integrity(overall, prep.flags)
        flags = list(prep.flags)
        if mistake_quotes:
            flags.append("common_mistake")
        criteria = self._verified([coverage_c, accuracy_c, depth_c, structure_c], answer, flags)
        return Score(
            overall=round(float(np.clip(overall, 1.0, 4.0)), 2), kind="technical", judge=self.name,
            matched_question_id=rubric.question_id, criteria=criteria, flags=flags,
            key_points_covered=covered, key_points_missed=missed, relevance=relevance,
        )

    def _behavioral(self, rubric: Rubric, answer: str) -> Score:
        t = self.t
        prep = self._prepare(answer)
        names = ("star_structure", "specificity", "ownership", "lp_alignment")
        if prep.word_count < t.min_words_behavioral or not prep.kept:
            return self._insufficient(rubric, prep, names, 0.0)
        content = answer if not prep.flags else " ".join(s.text for s in prep.kept)

        parts = star_parts(content)
        habitual, past_events = generic_claims(content)
        # "I always dig into the data" is a self-description, not a story: no real situation.
        generic = habitual >= 2 and past_events < 4
        if generic:
            parts["situation"] = parts["task"] = parts["result"] = None
        weights = {"situation": 0.15, "task": 0.15, "action": 0.3, "result": 0.25, "learning": 0.15}
        star_raw = sum(w for p, w in weights.items() if parts[p] is not None)
        missing = [p for p in ("result", "action", "situation", "task", "learning") if parts[p] is None]
        rambling = filler_count(content) >= 3
        star_score = 1.0 + 3.0 * star_raw * (0.6 if rambling else 1.0)
        star_c = Criterion(
            name="star_structure", score=_level(star_score),
            rationale="STAR parts present: " + ", ".join(p for p in weights if parts[p] is not None)
            + (f"; missing: {', '.join(missing)}." if missing else "."),
            evidence=[parts[p].text for p in ("situation", "action", "result") if parts[p] is not None],
        )

        n_specific, carriers = specificity(content)
        spec_score = 1.0 + min(3.0, n_specific * 0.75)
        spec_c = Criterion(
            name="specificity", score=_level(spec_score),
            rationale=f"{n_specific} concrete number(s), metric(s) or time frame(s).",
            evidence=[c.text for c in carriers[:2]],
        )

        i_count, we_count = ownership(content)
        share = i_count / max(1, i_count + we_count)
        own_score = 1.0 if i_count == 0 else 1.0 + 3.0 * min(1.0, share / 0.6)
        own_quote = next((s.text for s in prep.kept if re.search(r"\bI\b", s.text)), None)
        own_c = Criterion(
            name="ownership", score=_level(own_score),
            rationale=f'"I" {i_count} time(s) against "we" {we_count} time(s).',
            evidence=[own_quote] if own_quote else [],
        )

        sims, windows = self._similarity(prep.units or prep.kept, [*rubric.signals, *rubric.red_flags, rubric.question])
        sig = sims[: len(rubric.signals)]
        red = sims[len(rubric.signals) : len(rubric.signals) + len(rubric.red_flags)]
        relevance = float(sims.max()) if sims.size else 0.0
        signal_credit = float(np.mean([_scale(row.max(), CT.signal_low, CT.signal_high) for row in sig])) if len(sig) else 0.0
        red_hits = [self._quote(answer, windows[int(row.argmax())]) for row in red if row.size and row.max() >= CT.red_flag]
        align_score = max(1.0, 1.0 + 3.0 * signal_credit - 0.75 * len(red_hits))
        sig_quotes = [self._quote(answer, windows[int(row.argmax())]) for row in sig if row.size and row.max() >= CT.signal_high]
        align_c = Criterion(
            name="lp_alignment", score=_level(align_score),
            rationale=f"Matches {len(sig_quotes)} of {len(rubric.signals)} signals of {rubric.lp}"
            + (f"; {len(red_hits)} red flag(s)." if red_hits else "."),
            evidence=(sig_quotes + red_hits)[:3],
        )

        w = WEIGHTS["behavioral"]
        overall = (w["star_structure"] * star_score + w["specificity"] * spec_score + w["ownership"] * own_score
                   + w["lp_alignment"] * align_score)
        if generic:
            overall = min(overall, 1.75)
        overall = integrity(overall, prep.flags)
        flags = list(prep.flags)
        if generic:
            flags.append("generic_claims")
        if rambling:
            flags.append("rambling")
        if red_hits:
            flags.append("red_flag")
        if i_count == 0 and we_count > 0:
            flags.append("we_only")
        criteria = self._verified([star_c, spec_c, own_c, align_c], answer, flags)
        return Score(
            overall=round(float(np.clip(overall, 1.0, 4.0)), 2), kind="behavioral", judge=self.name,
            matched_question_id=rubric.question_id, lp=rubric.lp, criteria=criteria, flags=flags,
            star_missing=missing, relevance=relevance,
        )

