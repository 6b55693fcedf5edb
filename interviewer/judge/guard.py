"""Guards on a candidate's text before it is scored or put in a model's prompt.

`normalise` undoes the tricks that hide text from a reader or a pattern (compatibility forms,
zero-width and control characters, Cyrillic or Greek look-alikes inside Latin words). Every
judge and every prompt that carries the candidate's words uses it first.

`is_instruction` says whether a piece of text addresses the grader instead of answering: in
English and nine other languages, and through base64, hex, rot13, URL or HTML encoding.
`strip_instructions` cuts those pieces out, and `strip_foreign` what is in another language
(which the judge cannot read, so cannot count). Pure functions, tested with literal examples.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote

from interviewer.retrieval.lexical import STOPWORDS

# ---- normalising ------------------------------------------------------------------------

# Invisible characters that split a word for a pattern but not for a reader (zero-width space,
# joiners, word joiner, BOM, soft hyphen, bidi controls, variation selectors, tag characters).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# Control characters other than tab and newline (a carriage return becomes a newline first).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")

# Cyrillic and Greek letters that look like Latin ones.
_LOOKALIKE = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "ɡ": "g", "ԍ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
_FOLD = str.maketrans(_LOOKALIKE)
_LETTERS = re.compile(r"[^\W\d_]+")
_ASCII_WORD = re.compile(r"[a-z]+")


# Superscript and subscript digits and signs keep their form ("R²", "x₁"): NFKC would turn "R²"
# into "R2", and nothing can be spelt with them.
_KEEP = re.compile("[\u00b2\u00b3\u00b9\u2070\u2074-\u207f\u2080-\u208e]+")


def _nfkc(text: str) -> str:
    out, pos = [], 0
    for m in _KEEP.finditer(text):
        out += [unicodedata.normalize("NFKC", text[pos:m.start()]), m.group()]
        pos = m.end()
    return "".join([*out, unicodedata.normalize("NFKC", text[pos:])])


def _is_latin(word: str) -> bool:
    return any("a" <= c.lower() <= "z" for c in word)


def normalise(text: str) -> str:
    """The text as a reader sees it: NFKC (superscript digits kept), no invisible or control
    characters (newlines and tabs stay), look-alike letters folded to Latin inside Latin words.
    Plain text comes back unchanged, and normalising twice changes nothing."""
    text = _LINE_BREAKS.sub("\n", text)
    if text.isascii():  # the common case, and nothing below applies to it but control characters
        return _CONTROL.sub("", text)
    text = _CONTROL.sub("", _INVISIBLE.sub("", _nfkc(text)))
    words = list(_LETTERS.finditer(text))
    out, pos = [], 0
    for i, m in enumerate(words):
        word = m.group()
        if word.isascii() or not any(c in _LOOKALIKE for c in word):
            continue
        # A word of three or more look-alikes ("АРІ") counts as Latin next to a Latin word; a
        # single Greek letter is a symbol ("Spearman's ρ", "α = 0.05") and stays.
        mixed = _is_latin(word) or len(word) >= 3 and all(c in _LOOKALIKE for c in word) and any(
            _is_latin(words[j].group()) for j in (i - 1, i + 1) if 0 <= j < len(words))
        if mixed:
            out += [text[pos:m.start()], word.translate(_FOLD)]
            pos = m.end()
    return "".join([*out, text[pos:]]) if out else text


def _fold_for_matching(text: str) -> str:
    """Lower case without accents on Latin letters ("réponse" -> "reponse"), so one pattern
    matches however the accents were typed; other scripts keep their marks."""
    if text.isascii():
        return text.lower()
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFKC", "".join(out)).casefold()


# ---- instructions to the grader ---------------------------------------------------------

_GRADER = "grader|judge|evaluator|scorer|rater|assessor|marker|examiner"
_MODEL = "ai|llm|language model|ai model|ai assistant|assistant"
_SCORE_KEYS = (r"(overall|score|grade|rating|coverage|accuracy|depth|structure|criteria|key_points_covered|"
               r"injection_detected|on_topic|star_structure|star_missing|specificity|ownership|lp_alignment)")

_ENGLISH = [
    # "ignore the prompt" alone is ordinary (users ignore prompts): the object must be the grader's.
    r"\b(ignore|disregard|override|bypass|forget)\b.{0,40}\b(instructions?|rubric|criteria|guidelines?|scoring|grading|"
    r"(previous|prior|above|earlier|original|system|your|grading|scoring)\s+(prompts?|messages?|rules|directions))\b",
    r"\b(ignore|disregard|forget)\s+(all|everything|anything)(\s+of)?(\s+the)?\s+(above|previous|prior|before)\b",
    r"\b(give|award|assign|grant|mark)\b.{0,30}\b(this|my|the)\b.{0,20}\b(answer|response|candidate|me)\b.{0,30}\b"
    r"([1-4]|four|full marks|top|maximum|max|highest|perfect|strong hire)\b",
    r"\b(give|award|assign)\s+(me|it|this( answer)?)\s+(a\s+|the\s+)?"
    r"(([1-5]|four|five)(\s*/\s*[45]|\s+out of|\s+points?|\s*[.!]?$)|"
    r"full marks|top score|perfect score|strong hire)",
    # "score: 4" but not "the error rate is 2%" or "the F1 score is 0.8".
    r"\b(score|grade|rating)\s*(this\s+answer\s*)?(=|:|as|is|should be|must be)\s*(a\s+)?"
    r"([1-4]|four|excellent|perfect|strong hire)\b"
    r"(?!\.?\d|\s*%|\s*percent)",
    # A line that is nothing but a verdict: "Score: 5", "Grade = A+".
    r"^\s*(final\s+|overall\s+|total\s+)?(score|grade|rating|verdict|mark)s?\s*[:=]\s*(\d+(\.\d+)?(\s*/\s*\d+)?|[a-f][+-]?|"
    r"full( marks)?|max(imum)?|perfect|excellent|strong hire|hire|raises the bar)\s*[.!]?\s*$",
    r"\b(score|grade|rating|mark|rate)\w*\b.{0,30}\b(?P<top>10|[45])\s*/\s*(?P=top)\b",
    r"^\s*(system|assistant|developer)\s*:",
    r"\[/?(inst|sys)\]|<\|[a-z_]+\|>|<</?sys>>|^\s*#{2,}\s*(system|instructions?|assistant)\b",
    r"\byou are (now|no longer)\b",
    r"\byou(?:'re| are)\s+(now\s+)?(the|an?|my|our)\s+([a-z-]+\s+){0,2}(" + _GRADER + "|" + _MODEL + r")\b",
    r"\bas (the|an?) (" + _GRADER + "|" + _MODEL + r")\b.{0,40}\b(must|should|will|shall)\b",
    r"\bas (the|an?) ([a-z-]+ )?(grader|judge|evaluator|scorer|examiner)\b.{0,60}\byou(r)?\b",
    r"\b(new|updated) instructions?\b",
    r"\bthis (answer|response) (deserves|merits|should (get|receive|score|be (scored|graded|rated)))\b",
    r"\b(note|instructions?|message|reminder)\s+(to|for)\s+(the\s+)?(automated\s+|ai\s+)?(" + _GRADER + r"|model)\b",
    r"\b(" + _GRADER + r")\s+(instructions?|note|override)\b",
    r"\b(assign|output|return|give|award|earns?|deserves?|merits?|warrants?)\b.{0,40}\b(grade|score|rating|mark)\b.{0,20}\b"
    r"([1-4]|four|maximum|max|top|full|highest)\b",
    r"\b(rate|grade|score|mark)\b.{0,40}\bas\s+(a\s+)?([1-4]|four|raises the bar|strong hire)\b",
    r"[\"']role[\"']\s*:\s*[\"'](system|assistant|developer)[\"']",
    # A score object written as JSON: {"score": 5}, {'coverage': 4, ...}.
    r"\{[^{}]{0,200}?[\"']?\b" + _SCORE_KEYS + r"[\"']?\s*:\s*([\"']?\d|true|false|\[|\{)",
    r"\b(injection_detected|on_topic|key_points_covered)\s*[:=]",
    r"\bend of (the )?(answer|response|transcript)\b",
    r"<\s*/?\s*[a-z_]*(grader|judge|evaluator|instruction|system|rubric|prompt)[a-z_]*\b[^<>]{0,40}>",
    # The tags a prompt wraps the candidate's words in, closed or opened from inside them.
    r"<\s*/?\s*(answer|candidate|key_?points?)\b[^<>]{0,40}>",
    r"\b(the )?rubric (for this question )?is (outdated|wrong|obsolete|replaced)\b",
    r"\b(the|this|your|according to the)\s+(grading\s+|scoring\s+|marking\s+|evaluation\s+)?(rubric|marking scheme|"
    r"grading (guide|scheme|criteria)|scoring (guide|policy|criteria))\b.{0,80}"
    r"\b(this (answer|response)|my (answer|response)|key points?|full marks|the candidate)\b",
    r"\b(scoring|grading|marking)\s+(policy|instructions?)\s*:",
    r"\b(every|all|each)\s+(criteri(on|a)|rubric items?)\b.{0,30}\b(scores?|gets?|receives?|should (get|be))\b.{0,15}"
    r"\b([45]|full|max|maximum|top)\b",
    r"\b(every|all|each)\s+key points?\b.{0,30}\bas covered\b",
    r"\b(mark|grade|score|rate)\s+(it\s+|me\s+|this\s+)?accordingly\b",
    r"\b(dear|hi|hello|hey)\s+(automated\s+|ai\s+)?(" + _GRADER + r"|model|llm)\b",
    r"(^|[\[(])\s*(automated\s+)?(grader|evaluator|scorer|assessor|examiner)\s*:",
    r"\bthis (answer|response)\b.{0,20}\b(warrants?|earns?|deserves?|merits?)\b.{0,30}\b"
    r"([1-4]|four|top|full|maximum|max|highest|perfect)\b",
]

# The same requests in other languages, matched on accent-free lower case. An English answer has
# no reason to ask for "la note maximale" or "满分" at all, so the top-marks phrase alone counts.
_OTHER_LANGUAGES = {
    "fr": [
        r"\b(ignor(e|ez|er)|oublie[rz]?)\b.{0,40}\b(instructions?|consignes?|regles|bareme|grille|criteres)\b",
        r"\b(note (maximale|maximum|parfaite)|meilleure note|tous les points|(20|10)/(20|10))\b",
        r"\b(le bareme|la grille|les criteres)( d'evaluation| de notation)?\b.{0,20}\b(dit|indique|exige|precise|prevoit)\b",
        r"\b(tu es|vous etes)\s+(le|l'|un)\s*(correcteur|evaluateur|examinateur|juge|notateur)\b",
    ],
    "es": [
        r"\b(ignora[rd]?|ignore|olvida|olvide)\b.{0,40}\b(instrucciones|reglas|rubrica|criterios|indicaciones)\b",
        r"\b(puntuacion (maxima|perfecta)|maxima (puntuacion|nota|calificacion)|nota (maxima|perfecta)|"
        r"calificacion maxima|todos los puntos)\b",
        r"\b(la rubrica|los criterios)( de evaluacion)?\b.{0,20}\b(dice|indica|exige|establece)\b",
        r"\b(eres|usted es)\s+el\s+(evaluador|calificador|corrector|juez|examinador)\b",
    ],
    "de": [
        r"\b(ignorier\w*|vergiss|vergessen sie|missachte\w*)\b.{0,50}"
        r"\b(anweisung\w*|instruktion\w*|regeln|bewertungsschema|rubrik|vorgaben)\b",
        r"\b(volle|hochste|maximale) (punktzahl|punkte|punkten|bewertung)\b|\b(bestnote|hochstnote|bestbewertung)\b",
        r"\b(das bewertungsschema|die rubrik|die bewertungskriterien)\b.{0,20}\b(sagt|besagt|verlangt|sieht vor)\b",
        r"\b(du bist|sie sind)\s+(jetzt\s+)?(der|die|ein)\s+(bewerter|prufer|korrektor|gutachter)\w*",
    ],
    "pt": [
        r"\b(ignore|ignora|ignorem|ignorar|esqueca)\b.{0,40}\b(instrucoes|instrucao|regras|rubrica|criterios)\b",
        r"\b(nota maxima|pontuacao maxima|nota dez|nota perfeita|todos os pontos)\b",
        r"\b(a rubrica|os criterios)( de avaliacao)?\b.{0,20}\b(diz|indica|exige)\b",
        r"\b(voce e|tu es)\s+o\s+(avaliador|corretor|examinador|juiz)\b",
    ],
    "it": [
        r"\b(ignora|ignorare|ignorate|dimentica)\b.{0,40}\b(istruzioni|regole|rubrica|criteri)\b",
        r"\b(punteggio (massimo|pieno)|voto (massimo|pieno)|massimo (punteggio|dei voti)|pieni voti|30 e lode)\b",
        r"\b(la rubrica|i criteri)( di valutazione)?\b.{0,20}\b(dice|indica|richiede|prevede)\b",
        r"\bsei\s+(il|un)\s+(valutatore|correttore|giudice|esaminatore)\b",
    ],
    "ru": [
        r"(игнорир\w*|проигнорир\w*|забудь\w*|не обращай\w*).{0,40}(инструкц\w*|указани\w*|правил\w*|критери\w*)",
        r"(высш\w*|максимальн\w*|полн\w*)\s+(балл\w*|оценк\w*)|пятерк\w*",
        r"(рубрик\w*|критери\w* оценк\w*).{0,20}(гласит|говорит|требует)",
        r"(ты|вы)\s+(-\s+|—\s+)?(оценщик|проверяющ\w*|экзаменатор|судья)",
    ],
    "zh": [
        r"(忽略|无视|忽视|不要理会|不理会|忘记|忘掉|無視).{0,12}(指令|指示|说明|說明|规则|規則|评分标准|評分標準|提示)",
        r"满分|滿分|最高分",
        r"(评分标准|評分標準|评分规则|評分規則|评分细则).{0,6}(说|說|规定|規定|要求|写着)",
        r"你(是|现在是|現在是).{0,4}(评分员|評分員|评分者|评委|評委|考官|评估者|評估者|裁判)",
    ],
    "ja": [
        r"(指示|命令|ルール|採点基準|指令|プロンプト).{0,10}(無視|むし)",
        r"満点|最高点|最高得点|最高評価",
        r"(採点基準|ルーブリック|評価基準).{0,10}(によると|によれば|では)",
        r"あなたは.{0,4}(採点者|評価者|審査員|試験官)",
    ],
    "hi": [
        r"(निर्देशों|निर्देश|नियमों|नियम|रूब्रिक).{0,20}(अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)",
        r"पूरे अंक|पूर्ण अंक|अधिकतम अंक|सबसे ज़्यादा अंक|सर्वोच्च अंक|पूरे नंबर|पूरे मार्क्स|फुल मार्क्स",
        r"(रूब्रिक|मूल्यांकन मानदंड).{0,20}(कहता|कहती|अनुसार)",
        r"(आप|तुम).{0,6}(परीक्षक|मूल्यांकनकर्ता|ग्रेडर)",
    ],
}


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    # Patterns go through NFKC like the text, so a Devanagari nukta is written one way in both.
    # Kept apart: one alternation of them all runs twice as slowly.
    return [re.compile(unicodedata.normalize("NFKC", p), re.I | re.M) for p in patterns]


_EN = _compile(_ENGLISH)
_ALL = [*_EN, *_compile([p for ps in _OTHER_LANGUAGES.values() for p in ps])]


def _matches(patterns: list[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _plain_english(text: str) -> bool:
    """Ordinary English (a fifth of its words are function words): not rot13 or reversed."""
    ws = _ASCII_WORD.findall(text)
    return not ws or sum(w in STOPWORDS for w in ws) >= 0.2 * len(ws)


# ---- encoded text -----------------------------------------------------------------------

_B64 = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_HEX = re.compile(r"(?:\b|0x)((?:[0-9a-fA-F]{2}[\s:,]?){8,})")
_HEX_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2}){8,}")
_PERCENT = re.compile(r"(?:%[0-9a-fA-F]{2}){4,}")
_ENTITIES = re.compile(r"(?:&#x?[0-9a-fA-F]+;){4,}")


def _readable(raw: bytes) -> str | None:
    """Decoded bytes when they are mostly printable text (a hash or random bytes are not)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    return text if len(text) >= 6 and printable >= 0.9 * len(text) else None


def _decoded(text: str) -> list[str]:
    """Every readable text hidden in `text` as base64, hex, escapes, URL or HTML encoding."""
    out: list[str] = []
    for m in _B64.finditer(text):
        blob = m.group()
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                found = _readable(decode(blob + "=" * (-len(blob) % 4)))
            except (binascii.Error, ValueError):
                continue
            if found:
                out.append(found)
                break
    for m in _HEX.finditer(text):
        digits = re.sub(r"[\s:,]", "", m.group(1))
        if len(digits) % 2 == 0 and (found := _readable(bytes.fromhex(digits))):
            out.append(found)
    for m in _HEX_ESCAPES.finditer(text):
        if found := _readable(bytes.fromhex(m.group().replace("\\x", ""))):
            out.append(found)
    if _PERCENT.search(text):
        out.append(unquote(text))
    if _ENTITIES.search(text):
        out.append(html.unescape(text))
    return out


def is_instruction(text: str, _depth: int = 0) -> bool:
    """True when the text addresses the grader instead of answering the question: in English or
    another language, written plainly, hidden by look-alike or invisible characters, or encoded
    (base64, hex, rot13, reversed, URL or HTML escapes)."""
    text = normalise(text)
    folded = _fold_for_matching(text)
    if _matches(_ALL, folded):
        return True
    # rot13 and reversed text hide English here (other languages have no Latin letters to rotate).
    if not _plain_english(folded) and (_matches(_EN, codecs.encode(folded, "rot13")) or _matches(_EN, folded[::-1])):
        return True
    return _depth < 2 and any(is_instruction(hidden, _depth + 1) for hidden in _decoded(text))


# ---- cutting instructions out -----------------------------------------------------------

# Pieces finer than the judge's sentences: any end of sentence (also 。！？ and a lower-case start), a line.
_PIECE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*(?=\S)|\n+")
# The candidate closing the block their words were given in, and whatever follows until they reopen it.
_CLOSED_BLOCK = re.compile(r"<\s*/\s*(answer|candidate)\b[^<>]{0,40}>.*?(<\s*(answer|candidate)\b[^<>]{0,40}>|\Z)",
                           re.I | re.S)


def strip_instructions(text: str) -> tuple[str, list[str]]:
    """The text without what addresses the grader (pieces of sentences, and anything written after
    closing the answer's block), and the pieces removed. Expects normalised text."""
    removed = [m.group().strip() for m in _CLOSED_BLOCK.finditer(text)]
    clean, cut = _cut(_CLOSED_BLOCK.sub("\n", text), is_instruction)
    return (clean, [*removed, *cut]) if removed or cut else (text, [])


# ---- text in another language -----------------------------------------------------------

_WORDS = re.compile(r"[^\W\d_]{2,}")
_CODE = re.compile(r"[=(){}\[\]_<>*/\\|`]")


def _latin(word: str) -> bool:
    return all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in word)


def is_foreign(text: str) -> bool:
    """Text the judge cannot read as English: mostly another script (Korean, Arabic, ...), or six
    words or more of a Latin-script language without one English function word (code aside). The
    judge's models read English only, so such text is not scored; it is not an accusation."""
    ws = _WORDS.findall(text)
    other = sum(len(w) for w in ws if not _latin(w))
    if other >= 4 and other >= 0.5 * sum(map(len, ws)):
        return True
    return len(ws) >= 6 and not _CODE.search(text) and not any(w.lower() in STOPWORDS for w in ws)


def strip_foreign(text: str) -> tuple[str, list[str]]:
    """The text without the pieces in another language, and those pieces."""
    return _cut(text, is_foreign)


def _cut(text: str, test: Callable[[str], bool]) -> tuple[str, list[str]]:
    """Remove the pieces (sentences, finer than the judge's, and lines) that pass `test`."""
    removed: list[str] = []
    kept: list[str] = []
    pos = 0
    for m in [*_PIECE_END.finditer(text), None]:
        piece = text[pos:m.start() if m else len(text)]
        if piece.strip() and test(piece):
            removed.append(piece.strip())
        else:
            kept.append(piece)
        if m is not None:
            kept.append(m.group())  # the break itself stays, so the pieces either side stay apart
            pos = m.end()
    return ("".join(kept).strip() if removed else text), removed
