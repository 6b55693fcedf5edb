"""Every line of the seed-topics checklist is covered by at least one corpus item tagged for it."""

from __future__ import annotations

import re

import pytest

from interviewer.assessment.content import load_assessment
from interviewer.config import Settings
from interviewer.corpus.loading import load_seed_checklist, seed_tags_in_use
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def checklist():
    return load_seed_checklist(Settings.from_env(env={}).corpus_dir)


def assessment_tags() -> list[list[str]]:
    content = load_assessment(Settings.from_env(env={}).corpus_dir)
    return [item.seed_tags for item in [*content.mcq, *content.work_style]]


def test_every_checklist_tag_is_used(corpus, checklist):
    used = seed_tags_in_use(corpus, assessment_tags())
    missing = [tag for line in checklist for tag in line["tags"] if used[tag] == 0]
    assert not missing, f"seed-topic tags with no corpus item: {missing}"


def test_items_use_only_known_tags(corpus, checklist):
    known = {tag for line in checklist for tag in line["tags"]}
    unknown = set(seed_tags_in_use(corpus, assessment_tags())) - known
    assert not unknown, f"items carry tags that are not in seed_checklist.yaml: {sorted(unknown)}"


def test_checklist_lists_every_bullet_of_seed_topics(checklist):
    source = SHARED / "design" / "seed-topics.md"
    if not source.exists():
        pytest.skip("shared/design/seed-topics.md is not beside this checkout")
    bullets = [m.group(1) for m in re.finditer(r"^- (.+)$", source.read_text(), flags=re.M)]
    listed = [line["line"] for line in checklist]

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    uncovered = [b for b in bullets if not any(norm(b).startswith(norm(l)) for l in listed)]
    assert not uncovered, f"seed-topics bullets missing from the checklist: {uncovered}"
    assert len(listed) == len(bullets)
