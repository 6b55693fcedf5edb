"""What a model may say as the interviewer: checks on its words before the candidate sees them.

A small model may stream its prompt back, loop on one phrase, switch language, leak the hidden
rubric, grade the candidate aloud, or forget to ask anything. `UtteranceGuard` takes the reply as
it streams and releases it a sentence at a time, each release checked; the first failed check
stops the reply (the caller closes the request) and says why, and at the end it checks that the
question the policy asked for was asked. Pure functions over text, tested with literal examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.llm_limits import runaway

MAX_CHARS = 700  # two or three sentences, with room; a reply longer than this is not a question
SHINGLE = 7  # words in a row that count as copied
# Chat-template tokens of the common model families, role markers at a line start, and the tags
# prompts fence the candidate's words in (prompts.fence).
TEMPLATE_TOKENS = re.compile(
    r"<\|[^|<>\n]{1,40}\|>|</?(start_of_turn|end_of_turn|bos|eos|s|unk|pad)>|\[/?INST\]|<<\s*/?SYS\s*>>"
    r"|</?(answer|candidate|quote)(-[0-9a-f]{4,})?>|^\s*(system|user|assistant|human|model)\s*:|^\s*#{1,6}\s",
    re.I | re.M)
# Words a candidate must never hear from the interviewer: the prompt's own vocabulary, a grade.
PROMPT_WORDS = re.compile(
    r"\b(the candidate'?s?|hidden rubric|rubric|key points?|planned question|the policy|as an ai|language model|"
    r"system prompt|this (opens|continues) (a new|the current) round|neutral acknowledgement|follow-up that)\b", re.I)
SCORE_WORDS = re.compile(
    r"\b[1-4](\.\d+)?\s*(/|out of)\s*4\b|\byour (score|grade|rating|marks?)\b|\b(i'?d|i would|i will) (score|rate|grade)\b"
    r"|\b(strong|weak|no|lean)[ -]hire\b|\b(raises|meets|below) the bar\b|\b(you|that) (passed|failed)\b", re.I)
ASKING = re.compile(r"\?|\b(walk me through|tell me|tell us|describe|explain|talk me through|talk about|show me|give me|"
                    r"share|how would you|what would you|can you|could you|would you|let's|please|i'?d like to hear|"
                    r"i would like to hear|i'?m curious|i am curious|think of a time|a time (when|you)|write|sketch|"
                    r"design|estimate|derive|compute|implement|outline|list|name)\b", re.I)
ENGLISH = frozenset(
    "the a an and or but of to in on for with as at by from is are was were be been it this that these those you your "
    "i we they he she what how why when where which who do did does have has had can could would should will not "
    "about me my our their there here so if then than more most also any some one".split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_CONTENT = re.compile(r"[a-z][a-z0-9]{3,}")
_SENTENCE_END = re.compile(r"[.?!](?=\s)|\n")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _shingles(words: list[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def copied(text: str, source: str, n: int = SHINGLE, allowed: str = "") -> bool:
    """`text` holds `n` or more words in a row from `source` that are not also in `allowed`."""
    return bool((_shingles(_words(text), n) & _shingles(_words(source), n)) - _shingles(_words(allowed), n))


def not_english(text: str, planned: str = "") -> bool:
    """Mostly another script, or enough words with almost no common English word among them.
    Words of the planned question (table and column names, code) are not counted."""
    given = set(_words(planned))
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(c.isascii() for c in letters) / len(letters) < 0.85 and not_english(planned) is False:
        return True
    words = [w for w in _words(text) if w not in given or w in ENGLISH]
    return len(words) >= 10 and sum(w in ENGLISH for w in words) / len(words) < 0.12


def repeated_sentence(text: str) -> bool:
    seen = set()
    for s in re.split(r"(?<=[.?!])\s+|\n+", text):
        key = " ".join(_words(s))
        if len(key) >= 20 and key in seen:
            return True
        seen.add(key)
    return False


@dataclass
class UtteranceRules:
    """What this one utterance must and must not contain."""

    planned: str  # the policy's question, follow-up or probe: what must be asked
    candidate_said: str = ""  # the candidate's last message: acknowledged, not repeated
    prompt_texts: list[str] = field(default_factory=list)  # the prompt's instructions: never said
    hidden: list[str] = field(default_factory=list)  # hidden rubric key points: never revealed
    needs_question: bool = True
    max_chars: int = MAX_CHARS


def _said_anew(pattern: re.Pattern[str], text: str, planned: str) -> bool:
    """`pattern` matches in `text` with words the planned question does not itself use."""
    return any(m.group(0).lower() not in planned.lower() for m in pattern.finditer(text))


def problem(text: str, rules: UtteranceRules, complete: bool) -> str | None:
    """Why `text` (all of it so far) must not reach the candidate, or None. `complete`: the reply
    has ended, so what must be in it is checked too."""
    stripped = text.strip()
    if complete and not stripped:
        return "empty"
    if len(stripped) > rules.max_chars:
        return f"too long (over {rules.max_chars} characters)"
    if TEMPLATE_TOKENS.search(text):
        return "chat-template tokens or prompt delimiters"
    if runaway(text) or repeated_sentence(text):
        return "repetitive"
    if _said_anew(PROMPT_WORDS, text, rules.planned) or any(copied(text, p) for p in rules.prompt_texts):
        return "echoes its prompt"
    if rules.candidate_said and copied(text, rules.candidate_said, 10, allowed=rules.planned):
        return "repeats the candidate's message"
    if any(copied(text, h, 5, allowed=rules.planned) for h in rules.hidden):
        return "reveals a hidden key point"
    if _said_anew(SCORE_WORDS, text, rules.planned):
        return "reveals a score"
    if not_english(text, rules.planned):
        return "not in the interview's language (English)"
    if complete and rules.needs_question:
        if not ASKING.search(text) and ASKING.search(rules.planned):
            return "asks no question"
        wanted = set(_CONTENT.findall(rules.planned.lower()))
        said = set(_CONTENT.findall(stripped.lower()))
        if len(wanted) >= 3 and len(wanted & said) < max(2, len(wanted) // 4):
            return "lacks the question the policy asked for"
    return None


class UtteranceGuard:
    """Feed the reply's pieces in; get back what may be shown now. Once `rejected` is set, stop."""

    def __init__(self, rules: UtteranceRules):
        self.rules = rules
        self.text = ""
        self.released = 0
        self.rejected: str | None = None

    def feed(self, piece: str) -> str:
        """What can be released now: up to the last complete sentence, if all of it passes."""
        if self.rejected:
            return ""
        self.text += piece
        ends = [m.end() for m in _SENTENCE_END.finditer(self.text, self.released)]
        # Checked on everything so far, so a problem in an unfinished sentence stops the reply early.
        self.rejected = problem(self.text, self.rules, complete=False)
        if self.rejected or not ends:
            return ""
        out, self.released = self.text[self.released:ends[-1]], ends[-1]
        return out

    def finish(self) -> str:
        """The rest, once the reply has ended and passes every check; "" with `rejected` set if not."""
        if self.rejected:
            return ""
        self.rejected = problem(self.text, self.rules, complete=True)
        if self.rejected:
            return ""
        out, self.released = self.text[self.released:], len(self.text)
        return out
