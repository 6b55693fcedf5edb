"""How the offline judge reads and scores a behavioural answer (a mixin of OfflineJudge, which
provides the shared reading in judge/offline.py).

STAR parts by a trained sentence classifier (judge/star.py), specificity, ownership ("I" versus
"we", in the action sentences too) and the LP's signals read by the pair classifier. Not the
LP's red flags: read the same way they did not separate weak stories from strong ones (strong
ones matched more), so the judge does not claim to see them.
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np

from interviewer.judge.mapping import integrity
from interviewer.judge.reading import BehavioralReading, ItemReading
from interviewer.judge.rubric import Rubric
from interviewer.judge.shortlist import ranking_scores
from interviewer.judge.text import (
    STAR_PARTS,
    filler_count,
    generic_claims,
    normalise,
    ownership,
    specificity,
)
from interviewer.schemas import Criterion, Score


class BehavioralScoring:
    """The behavioural half of OfflineJudge. Uses the host's settings and shared reading: t, star,
    score_map, name, _prepare, _similarity, _verdicts, _quote, _verified, _insufficient."""

    def _read_behavioral(self, rubric: Rubric, answer: str) -> BehavioralReading | None:
        t = self.t
        prep = self._prepare(answer)
        if prep.word_count < t.min_words_behavioral or not prep.kept:
            return None
        content = " ".join(s.text for s in prep.kept)
        spans = prep.kept
        probs = self.star.probabilities([s.text for s in spans])
        parts = self.star.parts(spans, probs)
        habitual, past_events = generic_claims(content)
        generic = habitual >= 2 and past_events < 4  # "I always dig into the data" is not a story
        if generic:
            parts["situation"] = parts["task"] = parts["result"] = None
        star_weights = {"situation": 0.15, "task": 0.15, "action": 0.3, "result": 0.25, "learning": 0.15}
        rambling = filler_count(content) >= 3
        star = sum(w for p, w in star_weights.items() if parts[p] is not None) * (0.6 if rambling else 1.0)

        n_specific, carriers = specificity(content)
        i_count, we_count = ownership(content)
        action_spans = [s for s, p in zip(spans, probs, strict=True) if max(p, key=p.get) == "action"]
        i_actions = sum(1 for s in action_spans if ownership(s.text)[0] > 0)
        we_actions = sum(1 for s in action_spans if ownership(s.text)[0] == 0 and ownership(s.text)[1] > 0)
        share = i_count / max(1, i_count + we_count)
        own = 0.0 if i_count == 0 else min(1.0, share / 0.6) * (0.5 if action_spans and i_actions == 0 else 1.0)

        sims, windows = self._similarity(prep.units or spans, [*rubric.signals, rubric.question])
        alignment, shown = self._signals(rubric.signals, sims[: len(rubric.signals)], windows)
        measures = {
            "star_structure": star,
            "specificity": min(1.0, n_specific / 4),
            "ownership": own,
            "lp_alignment": alignment,
            "generic": 1.0 if generic else 0.0,
            "length": min(1.0, np.log1p(prep.word_count) / np.log1p(400)),
            "relevance": float(sims.max()) if sims.size else 0.0,
        }
        i_action = next((s for s in action_spans if ownership(s.text)[0] > 0), None)
        we_action = next((s for s in action_spans if ownership(s.text)[0] == 0 and ownership(s.text)[1] > 0), None)
        any_i = next((s for s in prep.kept if re.search(r"\bI\b", s.text)), None)
        return BehavioralReading(prep, parts, generic, rambling, n_specific, carriers, i_count, we_count,
                                 len(action_spans), we_actions, shown, measures,
                                 ownership_quote=i_action or we_action or any_i)

    def read_story(self, rubric: Rubric, answer: str) -> BehavioralReading | None:
        """What the judge reads in a story for this LP (None when there is too little to judge):
        the story bank names a story's gaps from it."""
        return self._read_behavioral(rubric, normalise(answer))

    def signal_strengths(self, rubrics: list[Rubric], answer: str) -> list[tuple[float, list[ItemReading]]]:
        """For each LP's rubric: how strongly the story shows its signals (the mean of the three
        best-read signals, as lp_alignment) and the signals it shows. The story is split and
        embedded once for all of them."""
        prep = self._prepare(normalise(answer))
        units = prep.units or prep.kept
        return [self._signals(rubric.signals, *self._similarity(units, rubric.signals)) for rubric in rubrics]

    def _signals(self, signals: list[str], sims: np.ndarray, windows: list) -> tuple[float, list[ItemReading]]:  # noqa: ANN001
        """An LP's signals read against the story's best-ranked sentences: the mean of the three
        best-read (lp_alignment's measure) and those shown."""
        if not windows or not signals:
            return 0.0, []
        ranks = ranking_scores(sims, signals, [w.text for w in windows])
        readings = self._verdicts(signals, windows, ranks, k=self.t.signal_shortlist)
        top = sorted((r.states for r in readings), reverse=True)[:3]
        return float(np.mean(top)), [r for r in readings if r.states >= self.t.signal]

    def _behavioral(self, rubric: Rubric, answer: str) -> Score:
        names = ("star_structure", "specificity", "ownership", "lp_alignment")
        r = self._read_behavioral(rubric, answer)
        if r is None:
            return self._insufficient(rubric, self._prepare(answer), names, 0.0)
        m, smap = r.measures, self.score_map
        quote = partial(self._quote, answer)
        present = [p for p in STAR_PARTS if r.parts[p] is not None]
        missing = [p for p in ("result", "action", "situation", "task", "learning") if r.parts[p] is None]
        star_c = Criterion(
            name="star_structure", score=smap.criterion("star_structure", m["star_structure"]),
            rationale="STAR parts present: " + (", ".join(present) or "none")
            + (f"; missing: {', '.join(missing)}." if missing else ".") + (" The story rambles." if r.rambling else ""),
            evidence=[quote(r.parts[p]) for p in ("situation", "action", "result") if r.parts[p] is not None],
        )
        spec_c = Criterion(
            name="specificity", score=smap.criterion("specificity", m["specificity"]),
            rationale=f"{r.n_specific} concrete number(s), metric(s) or time frame(s).",
            evidence=[quote(c) for c in r.carriers[:2]],
        )
        own_quote = quote(r.ownership_quote) if r.ownership_quote is not None else None
        own_c = Criterion(
            name="ownership", score=smap.criterion("ownership", m["ownership"]),
            rationale=f'"I" {r.i_count} time(s) against "we" {r.we_count} time(s)'
            + (f"; {r.we_actions} of {r.n_actions} action sentence(s) say only what the team did." if r.we_actions else "."),
            evidence=[own_quote] if own_quote else [],
        )
        align_c = Criterion(
            name="lp_alignment", score=smap.criterion("lp_alignment", m["lp_alignment"]),
            rationale=f"Shows {len(r.shown)} of {len(rubric.signals)} signals of {rubric.lp}"
            + (f" ({', '.join(str(x.index) for x in r.shown)})." if r.shown else "."),
            evidence=[quote(x.states_unit) for x in r.shown if x.states_unit is not None][:3],
        )
        flags = list(r.prep.flags)
        for flag, on in (("generic_claims", r.generic), ("rambling", r.rambling),
                         ("we_only", r.i_count == 0 and r.we_count > 0)):
            if on:
                flags.append(flag)
        overall = integrity(smap.behavioral(m), flags)
        criteria = self._verified([star_c, spec_c, own_c, align_c], answer, flags)
        return Score(
            overall=round(float(np.clip(overall, 1.0, 4.0)), 2), kind="behavioral", judge=self.name,
            matched_question_id=rubric.question_id, lp=rubric.lp, criteria=criteria, flags=flags,
            star_missing=missing, relevance=m["relevance"],
        )
