"""Pure text features of a candidate's answer: sentences, injection attempts (judge/guard.py),
keyword lists, padding, STAR parts, specificity and ownership. Small functions, tested with
literal examples."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Normalising and detecting instructions live in judge/guard.py; named here too, with the rest
# of the answer's text features.
from interviewer.judge.guard import is_instruction as is_instruction
from interviewer.judge.guard import normalise as normalise
from interviewer.retrieval.lexical import STOPWORDS

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:[.,]\d+)*%?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Span:
    """A sentence of the answer, with its exact position so quotes stay verbatim."""

    text: str
    start: int
    end: int


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences(text: str) -> list[Span]:
    """Split into sentences; each span's text is an exact substring of `text`."""
    spans: list[Span] = []
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        _add_span(text, pos, match.start(), spans)
        pos = match.end()
    _add_span(text, pos, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip().strip("-*•").strip()
    if not stripped:
        return
    offset = text.index(stripped, start)
    spans.append(Span(stripped, offset, offset + len(stripped)))


MAX_UNIT_WORDS = 35  # the pair classifier reads at most 96 tokens of item and sentence together
_CLAUSE_BREAK = re.compile(r";\s+")
_COMMA_BREAK = re.compile(r",\s+")


def clauses(span: Span, max_words: int = MAX_UNIT_WORDS) -> list[Span]:
    """A long sentence cut into pieces the pair classifier can read whole: at semicolons, then at
    commas into runs of at most `max_words` words. Dense answers run five claims into one
    sentence; read whole, everything after the first 60 or so words was cut off unseen. Shorter
    sentences come back as they are, and every piece is an exact slice of the answer."""
    if len(words(span.text)) <= max_words:
        return [span]
    pieces: list[tuple[int, int]] = []
    for start, end in _split(span.text, _CLAUSE_BREAK):
        chunk = span.text[start:end]
        if len(words(chunk)) <= max_words:
            pieces.append((start, end))
            continue
        run_start, run_end = None, None
        for a, b in _split(chunk, _COMMA_BREAK):
            if run_start is not None and len(words(chunk[run_start:b])) > max_words:
                pieces.append((start + run_start, start + run_end))
                run_start = None
            run_start = a if run_start is None else run_start
            run_end = b
        if run_start is not None:
            pieces.append((start + run_start, start + run_end))
    # A clause of a few words ("Typical beta1 = 0.9") joins the piece before it.
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged and len(words(span.text[a:b])) < 6:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return [Span(span.text[a:b], span.start + a, span.start + b) for a, b in merged]


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


# ---- bare keyword lists ------------------------------------------------------------------


def is_fragment(sentence: str) -> bool:
    """A unit too thin to show understanding: very short, or almost no function words.

    Coverage only counts real sentences, so a list of the right buzzwords earns nothing.
    """
    ws = [w.lower() for w in words(sentence)]
    if len(ws) < 5:
        return True
    function_share = sum(w in STOPWORDS for w in ws) / len(ws)
    return function_share < 0.15


def is_keyword_list(text: str) -> bool:
    """Mostly comma- or line-separated terms rather than sentences."""
    ws = words(text)
    if not ws:
        return False
    pieces = [p for p in re.split(r"[,;\n•]|\s-\s", text) if p.strip()]
    avg_piece = len(ws) / max(len(pieces), 1)
    function_share = sum(w.lower() in STOPWORDS for w in ws) / len(ws)
    return (len(pieces) >= 4 and avg_piece <= 3.5) or (len(ws) >= 6 and function_share < 0.12)


# ---- padding ----------------------------------------------------------------------------

# Words that link claims or sound weighty without making one: a sentence of these and little
# else adds reasoning words to an answer but nothing to reason about.
_CONNECTIVES = frozenset(
    """because therefore hence thus so since however whereas although though trade-off trade-offs tradeoff
    tradeoffs consequently moreover furthermore also first firstly second secondly third then next finally
    overall instead otherwise indeed basically essentially actually really unless assuming meanwhile
    nevertheless nonetheless accordingly e.g i.e example instance""".split()
)
_VAGUE = frozenset(
    """matters matter depends depend practice reason reasons important thing things way ways case cases
    point points key crucial essential good bad better best stuff lot lots various many several aspect
    aspects factor factors situation context approach general generally interesting relevant main
    obviously clearly course sure yes""".split()
)


def is_padding(sentence: str) -> bool:
    """Connectives with nothing they connect ("Because, therefore, trade-off, hence."; "This matters
    because of the trade-off, therefore it depends"): reasoning words without a claim."""
    ws = [w.lower() for w in words(sentence)]
    if not any(w in _CONNECTIVES for w in ws):
        return False
    return not {w for w in ws if w not in STOPWORDS and w not in _CONNECTIVES and w not in _VAGUE}


def substantive(spans: list[Span]) -> list[Span]:
    """The sentences that can count: a sentence said again (same words) and padding add nothing,
    so repeating one, or a string of reasoning words, cannot raise a score."""
    seen: set[tuple[str, ...]] = set()
    out: list[Span] = []
    for span in spans:
        key = tuple(w.lower() for w in words(span.text)) or (span.text,)
        if key in seen or is_padding(span.text):
            continue
        seen.add(key)
        out.append(span)
    return out


# ---- behavioural features ----------------------------------------------------------------

STAR_PARTS = ("situation", "task", "action", "result", "learning")

_STAR_CUES: dict[str, re.Pattern[str]] = {
    "situation": re.compile(
        r"\b(at my (last|previous|current|first)|when i (was|joined|started|worked)|i was (working|leading|on|building|running|"
        r"responsible|the)|our team|the team|the project|in my (first|second|third|last|previous|current|phd|thesis)|"
        r"at (a|an|my) [a-z-]+ (company|startup|team|lab|job|firm|org)|for (a|an|our|my) [a-z-]+ (project|model|forecast|"
        r"launch|feature|paper|study|system|pipeline)|i led|during my|on a project|"
        r"in (early|late|mid)?\s*(19|20)\d\d|last (year|quarter|summer)|a few (months|years) ago|"
        r"we were|there was|we had|the company|the product|the context|background)\b",
        re.I,
    ),
    "task": re.compile(
        r"\b(my (goal|task|job|role|responsibility|mandate) was|i was (asked|responsible|tasked|supposed)|i needed to|"
        r"i had to|we needed to|the goal was|the challenge was|the problem was|the deadline|the question was|"
        r"i owned|the aim was|i was expected|i wanted to|i decided to|i committed|i promised|we had to)\b",
        re.I,
    ),
    "action": re.compile(
        r"\b(i|we) (then |also |first |quickly |personally )?(built|wrote|designed|proposed|decided|ran|analy[sz]ed|dug|traced|pulled|met|talked|"
        r"convinced|pushed|set up|set|created|implemented|rewrote|reran|tested|checked|investigated|"
        r"reached out|scheduled|prototyped|trained|switched|changed|added|removed|split|compared|"
        r"presented|escalated|organi[sz]ed|mentored|asked|found|fixed|shipped|led|drafted|wrote up|"
        r"went|spent|took|started|broke|reviewed|benchmarked|measured|collected|labelled|labeled|"
        r"automated|simplified|cut|negotiated|explained|showed|volunteered|paired|argued|disagreed|"
        r"listed|looked|offered|told|recommended|chose|picked|replaced|rebuilt|retrained|sampled|"
        r"ran|worked|coded|debugged|profiled|documented|interviewed|surveyed|called|emailed|flagged)\b",
        re.I,
    ),
    "result": re.compile(
        r"\b(as a result|the result|resulted in|in the end|ultimately|eventually|end(ed)? up|which (led|meant|cut|"
        r"saved|improved|reduced|increased|raised|is what)|led to|(we|it|they|the team|the model) (launched|shipped|saved|"
        r"cut|reduced|improved|increased|hit|missed|delivered|adopted|started|caught|merged|agreed|approved)|"
        r"(improved|reduced|increased|decreased|cut|saved|lifted|dropped|grew|raised|fell|rose|shrank|doubled|halved|"
        r"went (up|down)|came down|moved)\b.{0,50}\b(by|from|to)\b|\bfrom \S+ to \S+ (percent|%)|"
        r"outcome|impact|the launch|went live|after launch|was adopted|adopted by|since then|has caught|"
        r"got (promoted|accepted|published)|was accepted|published)\b",
        re.I,
    ),
    "learning": re.compile(
        r"\b(i learned|i learnt|lesson|taught me|in hindsight|looking back|next time|now i|since then|"
        r"i would (do|have)|i'd do|what i took away|takeaway|i realised|i realized|changed how i|"
        r"i now|do differently|what i learned|i've learned|i have learned|stuck with me)\b",
        re.I,
    ),
}

_HABITUAL = re.compile(
    r"\b(i always|i usually|i tend to|i typically|whenever|i'?m (someone|the (kind|type) of person|the person)|"
    r"in general|generally|in my experience|i believe in|i make sure|i try to|my approach is|i would always|"
    r"i'?m (very|really|quite|always)|people know|my teams? know)\b",
    re.I,
)
_PAST_EVENT = re.compile(
    r"\b(was|were|had|did|made|took|went|found|wrote|built|ran|led|saw|told|got|spent|thought|knew|chose|began|"
    r"brought|came|gave|kept|left|lost|met|sent|set|shipped|[a-z]{3,}ed)\b",
    re.I,
)
_FILLER = re.compile(
    r"\b(anyway|by the way|i don'?t remember|or actually|sort of|kind of|you know|i guess|i mean|"
    r"or maybe|something like that|whatever|long story short|oh,|well,|um+|uh+)\b",
    re.I,
)


def generic_claims(text: str) -> tuple[int, int]:
    """Habitual self-description ("I always...") against narrated past events."""
    return len(_HABITUAL.findall(text)), len(_PAST_EVENT.findall(text))


def filler_count(text: str) -> int:
    return len(_FILLER.findall(text))


_NUMBER = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(%|percent|x\b|ms|seconds?|minutes?|hours?|days?|weeks?|months?|years?|"
    r"k\b|m\b|million|billion|thousand|users|customers|points?|pp|bps|basis points|dollars|\$)|"
    r"\$\s?\d|\b\d+(?:[.,]\d+)?\b",
    re.I,
)
_TIMEFRAME = re.compile(
    r"\b(in|within|after|over|for)\s+(two|three|four|five|six|a few|\d+)\s+(days|weeks|months|quarters|years)\b|"
    r"\b(q[1-4]|january|february|march|april|may|june|july|august|september|october|november|december|"
    r"(19|20)\d\d)\b",
    re.I,
)
_I = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|myself|mine)\b", re.I)
_WE = re.compile(r"\b(we|we're|we've|we'd|we'll|us|our|ours|ourselves|the team)\b", re.I)


def star_cues(sentence: str) -> set[str]:
    """The STAR parts whose cue phrases appear in one sentence."""
    return {part for part, cue in _STAR_CUES.items() if cue.search(sentence)}


def star_parts(text: str) -> dict[str, Span | None]:
    """For each STAR part, the first sentence that shows it (None when none does)."""
    found: dict[str, Span | None] = {part: None for part in STAR_PARTS}
    for span in sentences(text):
        for part, cue in _STAR_CUES.items():
            if found[part] is None and cue.search(span.text):
                found[part] = span
    return found


def specificity(text: str) -> tuple[int, list[Span]]:
    """How many concrete numbers, metrics or time frames; the sentences that carry them."""
    count = 0
    carriers: list[Span] = []
    for span in sentences(text):
        n = len(_NUMBER.findall(span.text)) + len(_TIMEFRAME.findall(span.text))
        if n:
            count += n
            carriers.append(span)
    return count, carriers


# "I think", "I'm not sure", "if I remember right": an "I" that hedges, and owns nothing.
_HEDGE = re.compile(
    r"\b(?:if\s+)?i(?:'m|\s+am)?\s+(?:think|guess|believe|suppose|feel|mean|would say|'d say|not sure|"
    r"don't know|do not know|(?:can't|cannot|don't|do not)?\s*(?:remember|recall)(?:\s+(?:right|correctly))?)\b",
    re.I)


def ownership(text: str) -> tuple[int, int]:
    """Counts of first-person singular and plural references ("I" versus "we"); an "I" that
    only hedges ("I think we fixed it") is not counted."""
    return len(_I.findall(_HEDGE.sub(" ", text))), len(_WE.findall(text))

