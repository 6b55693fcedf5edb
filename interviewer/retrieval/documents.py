"""Turn corpus items into the documents that are indexed for retrieval.

Three collections: questions, LPs (one overview per LP and one document per probe) and
candidate reports (one document per thing a candidate says was asked, and one per paragraph of
the narrative). Metadata carries the filters: round, role, difficulty, topic and LP. Chroma
metadata values are scalars, so a topic or LP becomes a boolean key such as `t_regularization`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from interviewer.corpus.loading import Corpus
from interviewer.schemas import Question, Role

# Bump when the text or metadata of documents changes, so existing indexes are rebuilt.
DOC_FORMAT_VERSION = "3"

COLLECTIONS = ("questions", "lps", "reports")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def topic_key(topic: str) -> str:
    return f"t_{slug(topic)}"


def lp_key(lp_name: str) -> str:
    return f"lp_{slug(lp_name)}"


def role_key(role: Role | str) -> str:
    return f"role_{Role(role).value.lower()}"


@dataclass(frozen=True)
class IndexDoc:
    id: str
    collection: str
    kind: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


def question_text(q: Question) -> str:
    """What is embedded for a question: the question itself, its topics and its key points.

    Key points help when a user describes the problem rather than quoting it (measured in
    evals/bench_retrieval.py).
    """
    return f"{q.question}\nTopics: {', '.join(q.topics)}.\n" + " ".join(q.key_points)


def _question_doc(q: Question) -> IndexDoc:
    meta: dict[str, Any] = {
        "kind": "question",
        "round": q.round.value,
        "difficulty": q.difficulty,
        "topics": "|".join(q.topics),
        "display": q.question,
    }
    for role in q.roles:
        meta[role_key(role)] = True
    for topic in q.topics:
        meta[topic_key(topic)] = True
    for lp in q.pivot.lps:
        meta[lp_key(lp)] = True
    return IndexDoc(q.id, "questions", "question", question_text(q), meta)


def build_documents(corpus: Corpus) -> dict[str, list[IndexDoc]]:
    docs: dict[str, list[IndexDoc]] = {name: [] for name in COLLECTIONS}
    docs["questions"] = [_question_doc(q) for q in corpus.questions]

    for lp in corpus.lps:
        base = {"lp": lp.name, lp_key(lp.name): True, "round": "behavioral", "topics": lp.name}
        overview = f"{lp.name}. {lp.description} Strong stories show: " + "; ".join(lp.signals)
        docs["lps"].append(IndexDoc(lp.id, "lps", "lp", overview, {**base, "kind": "lp", "display": lp.description}))
        for i, probe in enumerate(lp.probes, start=1):
            docs["lps"].append(
                IndexDoc(
                    f"{lp.id}.probe-{i}", "lps", "lp_probe", probe.text,
                    {**base, "kind": "lp_probe", "research": probe.research, "display": probe.text},
                )
            )

    for report in corpus.reports:
        base = {role_key(report.role): True, "report": report.id, "outcome": report.outcome}
        for i, asked in enumerate(report.asked, start=1):
            meta = {**base, "kind": "report_asked", "round": asked.round.value, "topics": "|".join(asked.topics),
                    "display": asked.summary}
            for topic in asked.topics:
                meta[topic_key(topic)] = True
            text = f"{asked.summary} Topics: {', '.join(asked.topics)}."
            docs["reports"].append(IndexDoc(f"{report.id}.asked-{i}", "reports", "report_asked", text, meta))
        paragraphs = [p.strip() for p in report.body.split("\n\n") if p.strip()]
        for i, para in enumerate(paragraphs, start=1):
            meta = {**base, "kind": "report_story", "topics": "", "display": para}
            docs["reports"].append(IndexDoc(f"{report.id}.story-{i}", "reports", "report_story", para, meta))
        takeaways = f"{report.title}. Takeaways: " + " ".join(report.takeaways)
        docs["reports"].append(
            IndexDoc(f"{report.id}.takeaways", "reports", "report_takeaways", takeaways,
                     {**base, "kind": "report_takeaways", "topics": "", "display": takeaways})
        )
    return docs
