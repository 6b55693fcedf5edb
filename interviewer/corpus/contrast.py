"""Contrast data: the labelled sentences the offline judge's model learns from.

corpus/contrast/ holds, for every key point of every technical question, sentences that state
it, sentences that contradict it with its own vocabulary, and near-misses on the same topic; for
every LP signal and red flag, story sentences that show it and some that do not; and story
sentences labelled with their STAR part and voice; and whole answers, written the way candidates
speak, with each sentence labelled by the key points it states or gets wrong (real answers carry
caveats, asides and references back that single written sentences do not). Interviews never read these files (only
`make train-judge` and `corpus validate` do), so they load apart from the rest of the corpus.

Every problem names the file, the line, the item and the field, like the rest of the corpus.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from interviewer.corpus.loading import (
    Corpus,
    CorpusError,
    CorpusProblem,
    read_yaml,
    validate_located,
    yaml_node_at,
)

CONTRAST_DIR = "contrast"
STAR_FILE = "star.yaml"
ANSWERS_DIR = "answers"
MIN_STAR_SENTENCES = 600

Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=12, max_length=400)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyPointContrast(_Strict):
    """Sentences about one key point of one question."""

    question: str
    key_point: int = Field(ge=1)
    point: str  # the key point's text, copied, so an edited key point shows up as out of date
    states: list[Sentence] = Field(min_length=4)
    contradicts: list[Sentence] = Field(min_length=3)
    near_misses: list[Sentence] = Field(min_length=2)


class QuestionContrastFile(_Strict):
    source: str
    items: list[KeyPointContrast] = Field(min_length=1)


class LpContrast(_Strict):
    """Story sentences about one signal or red flag of one LP."""

    kind: Literal["signal", "red_flag"]
    index: int = Field(ge=1)
    text: str
    shows: list[Sentence] = Field(min_length=4)
    lacks: list[Sentence] = Field(min_length=2)


class LpContrastFile(_Strict):
    lp: str
    items: list[LpContrast] = Field(min_length=1)


StarPart = Literal["situation", "task", "action", "result", "learning"]


class StarSentence(_Strict):
    text: Sentence
    part: StarPart
    voice: Literal["i", "we", "none"]


class StarFile(_Strict):
    sentences: list[StarSentence] = Field(min_length=1)


class AnswerSentence(_Strict):
    """One sentence of a labelled answer: the key points (1-based) it states and gets wrong."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=400)]
    states: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    contradicts: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> AnswerSentence:
        both = sorted(set(self.states) & set(self.contradicts))
        if both:
            raise ValueError(f"key point(s) {both} both stated and contradicted by one sentence")
        return self


class LabelledAnswer(_Strict):
    """A whole answer to one technical question, sentence by sentence."""

    question: str
    voice: Literal["strong", "partial", "confidently_wrong"]
    sentences: list[AnswerSentence] = Field(min_length=2)


class AnswersFile(_Strict):
    source: str
    answers: list[LabelledAnswer] = Field(min_length=1)


@dataclass
class ContrastData:
    key_points: list[KeyPointContrast] = field(default_factory=list)
    lp_items: dict[str, list[LpContrast]] = field(default_factory=dict)  # by LP id
    star: list[StarSentence] = field(default_factory=list)
    answers: list[LabelledAnswer] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def pair_count(self) -> int:
        n = sum(len(i.states) + len(i.contradicts) + len(i.near_misses) for i in self.key_points)
        n += sum(len(i.shows) + len(i.lacks) for items in self.lp_items.values() for i in items)
        return n + len(self.star) + sum(len(a.sentences) for a in self.answers)


def _load_file(file: Path, model: type[BaseModel], problems: list[CorpusProblem], complete: bool = True,
               key: str = "items") -> BaseModel | None:
    """Each item is checked on its own, so one bad item neither hides the others' problems nor
    (with complete=False, while the data is being written) stops the whole items being used."""
    loaded = read_yaml(file, problems)
    if loaded is None:
        return None
    data, node = loaded
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return validate_located(model, data, file, node, problems)
    item_model = model.model_fields[key].annotation.__args__[0]
    whole = []
    for n, item in enumerate(data[key]):
        item_problems: list[CorpusProblem] = []
        item_node = yaml_node_at(node, (key, n))[0]
        parsed = validate_located(item_model, item, file, item_node, item_problems)
        if parsed is not None:
            whole.append(item)
        elif complete:
            problems.extend(CorpusProblem(p.file, p.line, _item_tag(item), f"{key}.{n + 1}.{p.field}", p.message)
                            for p in item_problems)
    return validate_located(model, {**data, key: whole}, file, node, problems) if whole else None


def _item_tag(item: object) -> str | None:
    if not isinstance(item, dict):
        return None
    if "sentences" in item:
        return f"{item.get('question')}/{item.get('voice')}"
    if "question" in item:
        return f"{item.get('question')}#{item.get('key_point')}"
    return f"{item.get('kind')}#{item.get('index')}"


def _line(file: Path, loc: tuple) -> int | None:
    loaded = read_yaml(file, [])
    return yaml_node_at(loaded[1], loc)[1] if loaded else None


def _check_key_points(
    file: Path, parsed: QuestionContrastFile, corpus: Corpus, seen: Counter, problems: list[CorpusProblem]
) -> None:
    by_id = {q.id: q for q in corpus.questions}
    for n, item in enumerate(parsed.items):
        where = ("items", n)
        q = by_id.get(item.question)
        if q is None:
            problems.append(CorpusProblem(file, _line(file, (*where, "question")), item.question, "question", "no question with this id"))
            continue
        tag = f"{item.question}#{item.key_point}"
        if item.key_point > len(q.key_points):
            problems.append(CorpusProblem(file, _line(file, (*where, "key_point")), tag, "key_point",
                                          f"the question has {len(q.key_points)} key points"))
            continue
        if " ".join(item.point.split()) != " ".join(q.key_points[item.key_point - 1].split()):
            problems.append(CorpusProblem(file, _line(file, (*where, "point")), tag, "point",
                                          "out of date: the question's key point now reads "
                                          f"{q.key_points[item.key_point - 1]!r}; check the sentences and copy it"))
        seen[tag] += 1
        _check_duplicates(file, where, tag, [*item.states, *item.contradicts, *item.near_misses], problems)


def _check_duplicates(file: Path, where: tuple, tag: str, texts: list[str], problems: list[CorpusProblem]) -> None:
    for text, count in Counter(t.lower() for t in texts).items():
        if count > 1:
            problems.append(CorpusProblem(file, _line(file, where), tag, None, f"sentence listed {count} times: {text!r}"))


def _check_answers(file: Path, parsed: AnswersFile, corpus: Corpus, problems: list[CorpusProblem]) -> None:
    by_id = {q.id: q for q in corpus.questions}
    for n, answer in enumerate(parsed.answers):
        q = by_id.get(answer.question)
        tag = f"{answer.question}/{answer.voice}"
        if q is None:
            problems.append(CorpusProblem(file, _line(file, ("answers", n, "question")), tag, "question",
                                          "no technical question with this id"))
            continue
        for m, sentence in enumerate(answer.sentences):
            for name in ("states", "contradicts"):
                bad = [i for i in getattr(sentence, name) if i > len(q.key_points)]
                if bad:
                    problems.append(CorpusProblem(file, _line(file, ("answers", n, "sentences", m, name)), tag,
                                                  f"answers.{n + 1}.sentences.{m + 1}.{name}",
                                                  f"key point(s) {bad}: the question has {len(q.key_points)}"))


def _check_lp(file: Path, parsed: LpContrastFile, corpus: Corpus, problems: list[CorpusProblem], complete: bool) -> None:
    lp = next((x for x in corpus.lps if x.id == parsed.lp), None)
    if lp is None:
        problems.append(CorpusProblem(file, _line(file, ("lp",)), parsed.lp, "lp", "no Leadership Principle with this id"))
        return
    have = Counter()
    for n, item in enumerate(parsed.items):
        texts = lp.signals if item.kind == "signal" else lp.red_flags
        tag = f"{lp.id}:{item.kind}#{item.index}"
        if item.index > len(texts):
            problems.append(CorpusProblem(file, _line(file, ("items", n, "index")), tag, "index", f"the LP has {len(texts)} {item.kind}s"))
            continue
        if " ".join(item.text.split()) != " ".join(texts[item.index - 1].split()):
            problems.append(CorpusProblem(file, _line(file, ("items", n, "text")), tag, "text",
                                          f"out of date: the LP's {item.kind} now reads {texts[item.index - 1]!r}"))
        have[(item.kind, item.index)] += 1
        _check_duplicates(file, ("items", n), tag, [*item.shows, *item.lacks], problems)
    for kind, texts in (("signal", lp.signals), ("red_flag", lp.red_flags)):
        for i in range(1, len(texts) + 1) if complete else ():
            if have[(kind, i)] != 1:
                problems.append(CorpusProblem(file, None, f"{lp.id}:{kind}#{i}", None,
                                              f"expected exactly one item, found {have[(kind, i)]}"))


def load_contrast(corpus_dir: Path, corpus: Corpus, complete: bool = True) -> ContrastData:
    """Load and check corpus/contrast/ against the corpus it describes.

    With `complete`, every key point of every technical question, every signal and red flag of
    every LP, and at least MIN_STAR_SENTENCES STAR sentences must be there.
    Raises CorpusError listing every problem.
    """
    root = corpus_dir / CONTRAST_DIR
    data = ContrastData()
    problems: list[CorpusProblem] = []
    seen: Counter = Counter()
    for file in sorted((root / "questions").glob("*.yaml")):
        parsed = _load_file(file, QuestionContrastFile, problems, complete)
        data.files.append(file)
        if isinstance(parsed, QuestionContrastFile):
            _check_key_points(file, parsed, corpus, seen, problems)
            data.key_points.extend(parsed.items)
    for file in sorted((root / "lps").glob("*.yaml")):
        parsed = _load_file(file, LpContrastFile, problems, complete)
        data.files.append(file)
        if isinstance(parsed, LpContrastFile):
            _check_lp(file, parsed, corpus, problems, complete)
            data.lp_items[parsed.lp] = parsed.items
    star_file = root / STAR_FILE
    if star_file.exists():
        parsed = _load_file(star_file, StarFile, problems)
        data.files.append(star_file)
        if isinstance(parsed, StarFile):
            data.star = parsed.sentences
    for file in sorted((root / ANSWERS_DIR).glob("*.yaml")):
        parsed = _load_file(file, AnswersFile, problems, complete, key="answers")
        data.files.append(file)
        if isinstance(parsed, AnswersFile):
            _check_answers(file, parsed, corpus, problems)
            data.answers.extend(parsed.answers)
    if complete:
        problems += _completeness(root, corpus, data, seen)
    if problems:
        raise CorpusError(problems)
    return data


def _completeness(root: Path, corpus: Corpus, data: ContrastData, seen: Counter) -> list[CorpusProblem]:
    problems = []
    for q in corpus.questions:
        for i in range(1, len(q.key_points) + 1):
            tag = f"{q.id}#{i}"
            if seen[tag] != 1:
                problems.append(CorpusProblem(root / "questions", None, tag, None,
                                              f"expected exactly one contrast item for this key point, found {seen[tag]}"))
    for lp in corpus.lps:
        if lp.id not in data.lp_items:
            problems.append(CorpusProblem(root / "lps", None, lp.id, None, "no contrast file for this Leadership Principle"))
    parts = Counter(s.part for s in data.star)
    if len(data.star) < MIN_STAR_SENTENCES:
        problems.append(CorpusProblem(root / STAR_FILE, None, None, "sentences",
                                      f"{len(data.star)} STAR sentences; at least {MIN_STAR_SENTENCES} are needed"))
    for part in ("situation", "task", "action", "result", "learning"):
        if data.star and parts[part] < 50:
            problems.append(CorpusProblem(root / STAR_FILE, None, None, "sentences", f"only {parts[part]} sentences labelled {part}"))
    return problems
