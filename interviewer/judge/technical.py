"""How the offline judge reads and scores a technical answer (a mixin of OfflineJudge, which
provides the shared reading in judge/offline.py).

Each key point against the answer's best-ranked sentences (judge/shortlist.py), read by the
trained pair classifier; long sentences clause by clause. A key point counts as covered only
with the sentence that states it; a sentence that contradicts one is quoted against the correct
statement. Depth and structure count sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from interviewer.judge.mapping import integrity
from interviewer.judge.reading import (
    REASONING,
    SIGNPOST,
    TECHNICAL_DETAIL,
    ItemReading,
    TechnicalReading,
)
from interviewer.judge.rubric import Rubric
from interviewer.judge.shortlist import ranking_scores
from interviewer.judge.text import Span, clauses, words
from interviewer.schemas import Contradiction, Criterion, Score


class TechnicalScoring:
    """The technical half of OfflineJudge. Uses the host's settings and shared reading: t,
    score_map, name, _prepare, _similarity, _verdicts, _quote, _verified, _insufficient."""

    def _read_technical(self, rubric: Rubric, answer: str) -> TechnicalReading | None:
        t = self.t
        prep = self._prepare(answer)
        min_words = rubric.min_words if rubric.min_words is not None else t.min_words_technical
        units = prep.units or ([s for s in prep.kept if len(words(s.text)) >= min_words] if rubric.min_words else [])
        prep.units = units
        if prep.word_count < min_words or not units:
            return None
        # Key points are read clause by clause in long sentences (text.clauses); depth and
        # structure count sentences.
        pieces = [c for s in units for c in clauses(s)]
        sims, windows = self._similarity(pieces, [*rubric.key_points, rubric.question])
        kp_sims = sims[: len(rubric.key_points)]
        ranks = ranking_scores(kp_sims, rubric.key_points, [w.text for w in windows])
        readings = self._verdicts(rubric.key_points, windows, ranks, sides=True)
        covered = [r for r in readings if r.states >= t.states and r.states >= r.contradicts]
        contradicted = [r for r in readings if r.contradicts >= t.contradicts and r.contradicts > r.states]
        coverage = float(np.mean([r.states for r in readings])) if readings else 0.0

        content = " ".join(s.text for s in prep.kept)
        reasoning = [s for s in units if REASONING.search(s.text)]
        detail = [s for s in units if TECHNICAL_DETAIL.search(s.text)]
        depth = min(1.0, len(reasoning) / 3) * 0.5 + min(1.0, len(detail) / 3) * 0.2 + min(1.0, prep.word_count / 150) * 0.3
        on_topic = [s for k, s in enumerate(pieces) if sims[:, k].max() >= t.on_topic]
        focus = len(on_topic) / max(1, len(pieces))
        signposts = len(SIGNPOST.findall(content))
        structure = 0.6 * focus + 0.2 * min(1.0, signposts / 2) + 0.2 * (1.0 if 3 <= len(units) <= 14 else 0.5)
        n_contra = len(contradicted)
        measures = {
            "coverage": coverage,
            "covered_share": len(covered) / max(1, len(readings)),
            "similarity": float(kp_sims.max(axis=1).mean()) if kp_sims.size else 0.0,
            "accuracy": coverage * (0.5 ** n_contra),
            "contradictions": float(min(n_contra, 3)),
            "contradiction_soft": float(np.mean([max(0.0, r.contradicts - r.states) for r in readings])) if readings else 0.0,
            "depth": depth,
            "structure": structure,
            "length": min(1.0, np.log1p(prep.word_count) / np.log1p(400)),
            "relevance": float(sims.max()) if sims.size else 0.0,
        }
        shown = covered + self._found_wider(rubric.key_points, windows, ranks, covered)
        return TechnicalReading(prep, readings, sorted(shown, key=lambda r: r.index), contradicted, reasoning, detail,
                                on_topic, focus, signposts, measures)

    def _found_wider(self, points: Sequence[str], windows: list[Span], ranks: np.ndarray,
                     covered: list[ItemReading]) -> list[ItemReading]:
        """Key points the score's reading missed but one of the next closest sentences states.

        The score map reads the closest sentence per point (the setting that ranked graded
        answers best), but a dense answer can state a point in its second or third closest
        sentence; the report must not call that point missed. These readings go into the
        report's covered list and its evidence, not into the score."""
        t = self.t
        done = {r.index for r in covered}
        todo = [i for i in range(len(points)) if i + 1 not in done]
        if t.report_shortlist <= t.shortlist or not todo:
            return []
        wider = self._verdicts([points[i] for i in todo], windows, ranks[todo], k=t.report_shortlist, sides=True)
        return [replace(w, index=i + 1) for i, w in zip(todo, wider, strict=True)
                if w.states >= t.states and w.states >= w.contradicts]

    def _technical(self, rubric: Rubric, answer: str) -> Score:
        names = ("coverage", "accuracy", "depth", "structure")
        r = self._read_technical(rubric, answer)
        if r is None:
            return self._insufficient(rubric, self._prepare(answer), names, 0.0)
        m, smap = r.measures, self.score_map
        n = len(rubric.key_points)
        quote = partial(self._quote, answer)
        coverage_c = Criterion(
            name="coverage", score=smap.criterion("coverage", m["coverage"]),
            rationale=f"States {len(r.covered)} of {n} key points"
            + (f" ({', '.join(str(x.index) for x in r.covered)})." if r.covered else "."),
            evidence=[quote(x.states_unit) for x in r.covered if x.states_unit is not None],
        )
        wrong_statements = self._wrong_statements(rubric, r, quote)
        wrong = [(c.quote, f"contradicts key point {c.key_point}") for c in wrong_statements]
        if wrong:
            why = "; ".join(f'"{q}" {what}' for q, what in wrong)
            accuracy_c = Criterion(name="accuracy", score=smap.criterion("accuracy", m["accuracy"]),
                                   rationale=f"{len(wrong)} statement(s) are wrong: {why}.",
                                   evidence=[q for q, _ in wrong])
        else:
            accuracy_c = Criterion(name="accuracy", score=smap.criterion("accuracy", m["accuracy"]),
                                   rationale=f"No sentence was read as contradicting one of the {n} key points "
                                             "(wrong claims about anything else are not checked); the score also "
                                             f"counts how much could be checked: {len(r.covered)} of {n} stated.")
        depth_c = Criterion(
            name="depth", score=smap.criterion("depth", m["depth"]),
            # The measure weighs all three, so the rationale names all three.
            rationale=f"{len(r.reasoning)} sentence(s) give reasons or trade-offs, {len(r.detail)} give technical "
                      f"detail (formulas, numbers, complexity); {r.prep.word_count} words.",
            evidence=[quote(s) for s in r.reasoning[:2]],
        )
        structure_c = Criterion(
            name="structure", score=smap.criterion("structure", m["structure"]),
            rationale=f"{round(r.focus * 100)}% of sentences address the question; {r.signposts} signpost(s).",
            evidence=[quote(r.on_topic[0])] if r.on_topic else [],
        )
        flags = list(r.prep.flags)
        if wrong_statements:
            flags.append("contradiction")
        overall = integrity(smap.technical(m), flags)
        covered_ix = sorted(x.index for x in r.covered)
        contradicted_ix = {x.index for x in r.contradicted}
        # Biggest gap first: a contradicted point, then the least stated.
        missed = sorted((x for x in r.readings if x.index not in covered_ix),
                        key=lambda x: (x.index not in contradicted_ix, x.states))
        criteria = self._verified([coverage_c, accuracy_c, depth_c, structure_c], answer, flags)
        return Score(
            overall=round(float(np.clip(overall, 1.0, 4.0)), 2), kind="technical", judge=self.name,
            matched_question_id=rubric.question_id, criteria=criteria, flags=flags,
            key_points_covered=covered_ix, key_points_missed=[x.index for x in missed],
            contradictions=wrong_statements,
            relevance=m["relevance"],
        )

    @staticmethod
    def _wrong_statements(rubric: Rubric, r: TechnicalReading, quote: Callable[[Span], str]) -> list[Contradiction]:
        """Sentences that contradict a key point, each next to the key point; a sentence once, by
        the point it most contradicts."""
        out: list[Contradiction] = []
        for x in sorted(r.contradicted, key=lambda x: -x.contradicts):
            said = quote(x.contradicts_unit)
            if said not in {c.quote for c in out}:
                out.append(Contradiction(key_point=x.index, quote=said, statement=rubric.key_points[x.index - 1]))
        return out
