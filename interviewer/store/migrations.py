"""The store's schema as named, append-only migrations, one script per dialect.

SQLite's scripts are the ones that shipped before Postgres (never edit a shipped one); Postgres's
build the same tables step by step, so both record the same names and upgrade in place the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    sqlite: str
    postgresql: str

    def script(self, dialect: str) -> str:
        return getattr(self, dialect)


# 0002's new columns: the same statements in both dialects.
TYPED_META_COLUMNS = """
        ALTER TABLE sessions ADD COLUMN speaker TEXT NOT NULL DEFAULT 'offline';
        ALTER TABLE sessions ADD COLUMN judge TEXT NOT NULL DEFAULT 'offline';
        ALTER TABLE sessions ADD COLUMN mode TEXT;
        ALTER TABLE sessions ADD COLUMN model TEXT;
        ALTER TABLE sessions ADD COLUMN usage_calls INTEGER;
        ALTER TABLE sessions ADD COLUMN usage_prompt_tokens INTEGER;
        ALTER TABLE sessions ADD COLUMN usage_completion_tokens INTEGER;
        ALTER TABLE sessions ADD COLUMN usage_failures INTEGER;
        ALTER TABLE sessions ADD COLUMN summary TEXT;
        ALTER TABLE sessions ADD COLUMN report_md TEXT;
        ALTER TABLE sessions ADD COLUMN report_html TEXT;
        ALTER TABLE sessions ADD COLUMN report_json TEXT;
        ALTER TABLE sessions ADD COLUMN guess_lp INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN lp_guesses_json TEXT NOT NULL DEFAULT '[]';
"""

# Append-only: never edit or reorder a migration that has shipped; add a new one.
SQLITE: list[tuple[str, str]] = [
    (
        "0001_sessions_and_turns",
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            plan_id TEXT NOT NULL,
            role TEXT NOT NULL,
            seed INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            state_json TEXT NOT NULL,
            meta_json TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE turns (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            idx INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            text TEXT NOT NULL,
            round_index INTEGER NOT NULL,
            item_id TEXT,
            classification TEXT,
            decision_json TEXT,
            score_json TEXT,
            created_at REAL NOT NULL,
            PRIMARY KEY (session_id, idx)
        );
        CREATE INDEX sessions_by_user ON sessions(user, created_at);
        """,
    ),
    (
        # What was free-form meta_json becomes typed columns; existing sessions keep their values.
        "0002_typed_session_meta",
        TYPED_META_COLUMNS + """
        UPDATE sessions SET
            speaker = COALESCE(json_extract(meta_json, '$.speaker'), 'offline'),
            judge = COALESCE(json_extract(meta_json, '$.judge'), 'offline'),
            mode = json_extract(meta_json, '$.mode'),
            model = json_extract(meta_json, '$.model'),
            usage_calls = json_extract(meta_json, '$.usage.calls'),
            usage_prompt_tokens = json_extract(meta_json, '$.usage.prompt_tokens'),
            usage_completion_tokens = json_extract(meta_json, '$.usage.completion_tokens'),
            usage_failures = json_extract(meta_json, '$.usage.failures'),
            summary = json_extract(meta_json, '$.summary'),
            report_md = json_extract(meta_json, '$.reports.md'),
            report_html = json_extract(meta_json, '$.reports.html'),
            report_json = json_extract(meta_json, '$.reports.json'),
            guess_lp = COALESCE(json_extract(meta_json, '$.guess_lp'), 1),
            lp_guesses_json = COALESCE(json_extract(meta_json, '$.lp_guesses'), '[]');
        ALTER TABLE sessions DROP COLUMN meta_json;
        """,
    ),
    (
        # Failed logins per user name and per client address (ui/login.py), kept across restarts.
        "0003_login_failures",
        """
        CREATE TABLE login_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure REAL NOT NULL,
            locked_until REAL NOT NULL DEFAULT 0
        );
        """,
    ),
    (
        # In model mode: who phrased each interviewer line, and why the templates did when the model did not.
        "0004_model_events",
        "ALTER TABLE sessions ADD COLUMN model_events_json TEXT NOT NULL DEFAULT '[]';",
    ),
    (
        # The story bank (interviewer/stories/): the candidate's prepared STAR stories.
        "0005_story_bank",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            lps_json TEXT NOT NULL DEFAULT '[]',
            assessment_json TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX stories_by_user ON stories(user, created_at);
        """,
    ),
]


# "user" is a reserved word in Postgres: quoted here and in every query (SQLite accepts the quotes).
# Times are DOUBLE PRECISION: REAL is four bytes in Postgres and would round the seconds.
POSTGRESQL: dict[str, str] = {
    "0001_sessions_and_turns": """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            "user" TEXT NOT NULL,
            plan_id TEXT NOT NULL,
            role TEXT NOT NULL,
            seed BIGINT NOT NULL,
            status TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            state_json TEXT NOT NULL,
            meta_json TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE turns (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            idx INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            text TEXT NOT NULL,
            round_index INTEGER NOT NULL,
            item_id TEXT,
            classification TEXT,
            decision_json TEXT,
            score_json TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (session_id, idx)
        );
        CREATE INDEX sessions_by_user ON sessions("user", created_at);
        """,
    "0002_typed_session_meta": TYPED_META_COLUMNS + """
        UPDATE sessions SET
            speaker = COALESCE(meta_json::jsonb ->> 'speaker', 'offline'),
            judge = COALESCE(meta_json::jsonb ->> 'judge', 'offline'),
            mode = meta_json::jsonb ->> 'mode',
            model = meta_json::jsonb ->> 'model',
            usage_calls = (meta_json::jsonb #>> '{usage,calls}')::integer,
            usage_prompt_tokens = (meta_json::jsonb #>> '{usage,prompt_tokens}')::integer,
            usage_completion_tokens = (meta_json::jsonb #>> '{usage,completion_tokens}')::integer,
            usage_failures = (meta_json::jsonb #>> '{usage,failures}')::integer,
            summary = meta_json::jsonb ->> 'summary',
            report_md = meta_json::jsonb #>> '{reports,md}',
            report_html = meta_json::jsonb #>> '{reports,html}',
            report_json = meta_json::jsonb #>> '{reports,json}',
            guess_lp = CASE WHEN meta_json::jsonb ->> 'guess_lp' = 'false' THEN 0 ELSE 1 END,
            lp_guesses_json = COALESCE((meta_json::jsonb -> 'lp_guesses')::text, '[]');
        ALTER TABLE sessions DROP COLUMN meta_json;
        """,
    "0003_login_failures": """
        CREATE TABLE login_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure DOUBLE PRECISION NOT NULL,
            locked_until DOUBLE PRECISION NOT NULL DEFAULT 0
        );
        """,
    "0004_model_events": "ALTER TABLE sessions ADD COLUMN model_events_json TEXT NOT NULL DEFAULT '[]';",
    "0005_story_bank": """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            "user" TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            lps_json TEXT NOT NULL DEFAULT '[]',
            assessment_json TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX stories_by_user ON stories("user", created_at);
        """,
}

MIGRATIONS: list[Migration] = [Migration(name, sql, POSTGRESQL[name]) for name, sql in SQLITE]


def statements(script: str) -> list[str]:
    """A script's statements (none of ours has a semicolon inside a literal)."""
    return [s.strip() for s in script.split(";") if s.strip()]
