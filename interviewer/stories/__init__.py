"""The story bank: the candidate's prepared STAR stories, scored, mapped to Leadership
Principles, checked for coverage (two strong stories per LP), near-duplicates and reuse in
interviews, exported and imported."""
