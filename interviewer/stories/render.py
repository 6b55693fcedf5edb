"""The story bank as Markdown, for the terminal and the Story bank tab alike."""

from __future__ import annotations

from interviewer.schemas import LEADERSHIP_PRINCIPLES
from interviewer.stories.coverage import link_lines
from interviewer.stories.model import FITS, BankStory, Coverage

CELL = {0: "·  ·", 1: "■  ·", 2: "■  ■"}


def story_md(story: BankStory, matches: int = 5, with_text: bool = False) -> str:
    a = story.assessment
    lines = [f"### {story.title}", f"`{story.id}`", ""]
    if with_text:
        lines += [*(f"> {line}" if line.strip() else ">" for line in story.text.splitlines()), ""]
    if a is None:
        return "\n".join([*lines, "Not scored yet."])
    verdict = "strong" if a.strong else "not yet strong"
    fits = [lp for lp in story.counted_for if story.fit(lp) < FITS]
    lines += [f"**{a.overall:.1f} / 4** against *{a.lp}* ({verdict}; scored by the {a.judge} judge)."
              + (f" It fits {', '.join(fits)} poorly (LP fit under 3), so it does not count as strong there."
                 if fits and a.strong else ""),
              ""]
    lines += [f"- {c.name.replace('_', ' ')}: {c.score if c.score is not None else 'n/a'} / 4 — {c.rationale}" for c in a.criteria]
    lines += ["", "**What to fix**" if a.gaps else "**No gaps found.** Rehearse it aloud in under three minutes.", ""]
    for g in a.gaps:
        lines.append(f"- **{g.message}**" + (f' ("{_cut(g.quote)}")' if g.quote else "") + f". {g.fix}")
    counted = story.lps or story.suggested
    how = "your choice" if story.lps else "suggested; confirm or change it"
    even = 1 / max(1, len(a.matches))
    lines += ["", f"**Counted for:** {', '.join(counted)} ({how})", "",
              f"**LPs it can evidence**: the share of the story's LP reading each takes ({even:.0%} each would be no "
              "lean at all), and the LP's signals read in it:", ""]
    for m in a.matches[:matches]:
        shown = "; ".join(m.signals[:2]) if m.signals else "no signal clearly shown"
        lines.append(f"- {m.lp}: {m.strength:.0%} — {shown}")
    return "\n".join(lines)


def _cut(text: str, n: int = 140) -> str:
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "..."


def stories_table_md(stories: list[BankStory]) -> str:
    if not stories:
        return "Your bank is empty. Add a story: a real episode, told in STAR order, in your own words."
    lines = ["| id | title | score | counted for | gaps |", "|---|---|---|---|---|"]
    for s in stories:
        a = s.assessment
        score = f"{a.overall:.1f}" + (" strong" if a.strong else "") if a else "n/a"
        gaps = ", ".join(g.code.replace("_", " ") for g in a.gaps[:3]) if a else ""
        lines.append(f"| `{s.id}` | {_cell(s.title)} | {score} | {_cell('; '.join(s.counted_for))} | {gaps} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "/")


def grid_md(stories: list[BankStory], cov: Coverage) -> str:
    titles = {s.id: s.title for s in stories}
    full = sum(1 for r in cov.rows if r.filled == 2)
    lines = [f"**{full} of {len(LEADERSHIP_PRINCIPLES)} LPs have two strong stories.** "
             "■ a strong story (3 or more), · an empty slot.", "",
             "| Leadership Principle | strong | stories |", "|---|---|---|"]
    for r in cov.rows:
        named = [f"{_cell(titles[i])} (strong)" for i in r.strong] + [_cell(titles[i]) for i in r.weaker]
        lines.append(f"| {r.lp} | {CELL[r.filled]} | {'; '.join(named) or '—'} |")
    if cov.stretched:
        lines += ["", "**Stretched stories**", ""]
        for s in cov.stretched:
            why = (f"counted for {len(s.lps)} LPs" if len(s.lps) > 2 else "") + \
                  (("; " if len(s.lps) > 2 else "") + f"shows little of {', '.join(s.weak)}" if s.weak else "")
            lines.append(f'- "{titles[s.story_id]}" (`{s.story_id}`): {why}. Give those LPs stories of their own.')
    if cov.duplicates:
        lines += ["", "**Near-duplicates** (the same episode twice: keep the better one, or find another)", ""]
        lines += [f'- "{titles[d.first]}" (`{d.first}`) and "{titles[d.second]}" (`{d.second}`): meaning '
                  f"{d.similarity:.2f}, shared words {d.shared_words:.0%}" for d in cov.duplicates]
    told = link_lines(stories, cov.links)
    if told:
        lines += ["", "**Told in your interviews**", "", *[f"- {t}" for t in told]]
    weakest = [lp for lp in cov.weakest if next(r for r in cov.rows if r.lp == lp).filled < 2][:3]
    if weakest:
        lines += ["", f"**Weakest:** {', '.join(weakest)}. Practice draws its probes from these."]
    return "\n".join(lines)
