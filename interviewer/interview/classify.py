"""Classify a candidate message before anything else happens: plain, tested rules.

The policy acts on the class: a clarifying question is answered, "I can't think of an example"
gets one other scenario, an empty or echoed reply gets one re-prompt, and so on.
"""

from __future__ import annotations

import re
from enum import Enum

from interviewer.retrieval.lexical import STOPWORDS, tokenize


class MessageKind(str, Enum):
    ANSWER = "answer"
    CLARIFYING_QUESTION = "clarifying_question"
    DONT_KNOW = "dont_know"
    NO_EXAMPLE = "no_example"
    HINT_REQUEST = "hint_request"
    SKIP = "skip"
    END = "end"
    OFF_TOPIC = "off_topic"
    EMPTY = "empty"
    GIBBERISH = "gibberish"
    ECHO = "echo"


_COMMANDS = {"/hint": MessageKind.HINT_REQUEST, "/skip": MessageKind.SKIP, "/end": MessageKind.END}

_HINT = re.compile(
    r"^\s*(can i (get|have) a hint|could you give me a hint|(give me |any )?hints?\??|i'?m stuck|"
    r"can you give me a (hint|nudge|pointer)|a hint,? please|could i get a (hint|nudge))\b", re.I)
_SKIP = re.compile(
    r"^\s*(skip|pass|next( question)?|can we (skip|move on)|let'?s (skip|move on)|i'?d like to skip|"
    r"move on|skip (this|it)( one)?|i'?ll pass)\b", re.I)
_END = re.compile(r"^\s*(end( the)? interview|i'?d like to (stop|end)|let'?s (stop|end) here|stop the interview)\b", re.I)
_NO_EXAMPLE = re.compile(
    r"\b(can'?t|cannot|can not|couldn'?t|don'?t|do not) (think of|recall|remember|come up with)\b.{0,30}\b(example|time|situation|story|instance|case|one)\b|"
    r"\b(don'?t|do not) have (an?|any) (good |real |specific |relevant |great )?(example|story|situation)|"
    r"\bnever (been in|had|faced|experienced) (that|such|a situation|this)|"
    r"\bno (example|story|experience) (comes to mind|of that)|nothing comes to mind|"
    r"\b(don'?t|do not) (really )?have (one|a story like that|anything like that)\b|"
    r"\bhaven'?t (really )?(had|been in|faced|done) (one|that|such|anything like)|"
    r"\b(none|no one) (that )?i can think of\b",
    re.I,
)
_DONT_KNOW = re.compile(
    r"\b(i )?(don'?t|do not) know\b|\bno idea\b|\bnot sure\b|\bi'?m not familiar\b|\bnever (heard|learned|studied)\b|"
    r"\bi have no clue\b|\bno clue\b|\bi'?m blanking\b|\bi forget\b|\bcan'?t remember (how|what)\b",
    re.I,
)
_CLARIFY_START = re.compile(
    r"^\s*(just )?(to clarify|quick question|can i assume|could i assume|may i assume|should i assume|"
    r"do we|do i|does|is|are|can|could|should|will|would|what|which|how (big|large|many|much|often|long)|"
    r"when|where|who|am i|before i (start|answer))\b",
    re.I,
)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text.lower())).strip()


def is_echo(message: str, question: str) -> bool:
    """The candidate repeated the question (or most of it) instead of answering."""
    m, q = normalise(message), normalise(question)
    if not m or not q:
        return False
    if m in q and len(m.split()) >= 4:
        return True
    mt, qt = set(tokenize(message)), set(tokenize(question))
    if not mt:
        return False
    new_words = mt - qt
    return len(mt & qt) / len(mt) >= 0.85 and len(new_words) <= 2


def is_gibberish(message: str, vocabulary: frozenset[str]) -> bool:
    """Mostly tokens that are not words we know (corpus vocabulary plus function words)."""
    raw = re.findall(r"[A-Za-z]+", message)
    if not raw:
        # Only digits and symbols.
        return bool(re.search(r"\S", message))
    known = 0
    for word in raw:
        w = word.lower()
        if w in STOPWORDS or w in vocabulary or (len(w) <= 2 and w in {"a", "i", "ok", "no", "so", "ah", "um", "uh"}):
            known += 1
        elif re.search(r"[aeiouy]", w) and not re.search(r"[^aeiouy]{5,}", w) and len(w) <= 14 and not re.search(r"(.)\1\1", w):
            known += 0.5  # plausible but unknown word
    return known / len(raw) < 0.45


def classify(
    message: str,
    question: str,
    behavioral: bool,
    vocabulary: frozenset[str] = frozenset(),
    relevance: float | None = None,
    off_topic_below: float = 0.18,
) -> MessageKind:
    """Decide what kind of message this is. `relevance` (0-1, from the judge) flags off-topic text."""
    text = message.strip()
    lowered = text.lower()
    if lowered in _COMMANDS:
        return _COMMANDS[lowered]
    if not text or not re.search(r"[A-Za-z0-9]", text):
        return MessageKind.EMPTY
    n_words = len(text.split())
    if n_words <= 12:
        if _END.search(text):
            return MessageKind.END
        if _HINT.search(text):
            return MessageKind.HINT_REQUEST
        if _SKIP.search(text):
            return MessageKind.SKIP
    if is_gibberish(text, vocabulary):
        return MessageKind.GIBBERISH
    if is_echo(text, question):
        return MessageKind.ECHO
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    # Up to 30 words, or a longer message that opens by saying so and tells nothing new (no figures).
    if (n_words <= 30 and _NO_EXAMPLE.search(text)) or (
            n_words <= 70 and _NO_EXAMPLE.search(first) and not re.search(r"\d", text)):
        return MessageKind.NO_EXAMPLE if behavioral else MessageKind.DONT_KNOW
    if n_words <= 20 and _DONT_KNOW.search(text):
        return MessageKind.NO_EXAMPLE if behavioral and re.search(r"example|time|situation|story", lowered) else MessageKind.DONT_KNOW
    if "?" in text and n_words <= 40 and (_CLARIFY_START.search(text) or text.rstrip().endswith("?")):
        # A short message that asks something: a clarifying question, not an answer.
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
        if sum(s.rstrip().endswith("?") for s in sentences) >= max(1, len(sentences) // 2):
            return MessageKind.CLARIFYING_QUESTION
    if relevance is not None and n_words >= 6 and relevance < off_topic_below:
        return MessageKind.OFF_TOPIC
    return MessageKind.ANSWER
