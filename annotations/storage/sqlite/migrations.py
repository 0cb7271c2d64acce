"""The SQLite schema, as an ordered list of migrations.

A database records each migration it has had in the ``migrations`` table (and
the newest in ``PRAGMA user_version``); opening a store applies the rest, in
order, each in its own transaction. To change the schema, append a migration;
never edit one that has shipped.

The schema is meant to be read without a manual, in ``sqlite3`` or Datasette:

* ``articles``: one row per imported article: metadata first, then the cleaned
  text (``clean_text``, which span offsets point into) and the raw page
  (``raw_text``) last, so that listing titles never reads the big columns.
* ``articles_fts``: FTS5 index over ``title`` and ``clean_text``, kept in step by
  triggers.
* ``annotators``, ``spans`` (code-point offsets into ``clean_text``, end
  exclusive; ids never reused, so undo can put a deleted span back under its
  old id), ``article_status`` (one status per annotator and article; a missing
  row means ``new``).
* ``edits``: each annotator's undo log, one row per action (add, delete or
  update a span, set a status) with the before/after state as JSON; ``undone``
  rows are the redo stack. It lives in the file, so undo survives a restart.
  ``session`` says which session owns a row (see ``undo.py``).
* ``sessions``: the app runs (sessions) that may still be running, by host and pid.
* ``source_lines``: how many articles of a source contain a line; lines common
  in a source are boilerplate to the cleaner.
* ``assignments``: which annotator is given which article (``newsmark assign``);
  an annotator with none sees every article as to do.
* ``review_decisions``: what a reviewer settled for each disagreement (a region
  of overlapping spans the annotators made differently): whose version was
  taken, or ``edited``. The reviewer's spans themselves are in ``spans``, under
  the reviewer's name, with status ``reviewed`` in ``article_status``.
* ``suggestions``: the spans the rules expect (``newsmark suggest``), apart from
  everyone's ``spans``: offsets, label, text and attributes as a span has them,
  ``origin`` (the rule that made it) and ``version`` (the suggester's, when it was
  made); one per article, offsets and label. ``suggestion_answers``: what each
  annotator answered (``accepted``, ``rejected``); a suggestion with no answer of
  theirs is open to them. An accepted one became their span, whose ``origin`` says
  which rule it came from (``spans.origin`` NULL: made by hand). ``suggested_articles``:
  which suggester version last looked at an article (also when it found nothing), so
  that ``newsmark suggest`` knows what is still to do. ``annotators.suggestions``:
  whether the annotator is shown suggestions (0: not primed by them).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

STATUSES = ("new", "in_progress", "done", "skipped", "flagged")  # as of migration 1


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


_STATUS_LIST = ", ".join(f"'{s}'" for s in STATUSES)

_INITIAL = f"""
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            title TEXT,
            source TEXT,
            published TEXT,
            byline TEXT,
            url TEXT,
            external_id TEXT,
            content_hash TEXT NOT NULL UNIQUE,
            raw_format TEXT NOT NULL CHECK (raw_format IN ('text', 'html')),
            origin TEXT,
            cleaner_version TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(meta)),
            clean_text TEXT NOT NULL,
            raw_text TEXT NOT NULL
        );
        CREATE INDEX articles_source ON articles (source);

        CREATE TABLE annotators (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );

        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(attributes)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX spans_article ON spans (article_id, annotator_id);
        CREATE INDEX spans_annotator_label ON spans (annotator_id, label);

        CREATE TABLE article_status (
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            status TEXT NOT NULL CHECK (status IN ({_STATUS_LIST})),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator_id)
        );
        CREATE INDEX article_status_by_annotator ON article_status (annotator_id, status);

        CREATE TABLE source_lines (
            source TEXT NOT NULL,
            line TEXT NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (source, line)
        ) WITHOUT ROWID;

        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            articles INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE VIRTUAL TABLE articles_fts USING fts5 (
            title, clean_text, content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, clean_text)
            VALUES (new.id, new.title, new.clean_text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, clean_text)
            VALUES ('delete', old.id, old.title, old.clean_text);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, clean_text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, clean_text)
            VALUES ('delete', old.id, old.title, old.clean_text);
            INSERT INTO articles_fts (rowid, title, clean_text)
            VALUES (new.id, new.title, new.clean_text);
        END;
"""


# SQLite cannot add AUTOINCREMENT to a table, so spans is rebuilt (same columns
# and checks) and its rows copied with their ids; nothing references spans, so
# dropping the old table is safe with foreign keys on.
_UNDO_LOG = """
        CREATE TABLE spans_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        INSERT INTO spans_new (id, article_id, annotator_id, start, "end", label, text,
                               attributes, created_at, updated_at)
            SELECT id, article_id, annotator_id, start, "end", label, text,
                   attributes, created_at, updated_at FROM spans;
        DROP TABLE spans;
        ALTER TABLE spans_new RENAME TO spans;
        CREATE INDEX spans_article ON spans (article_id, annotator_id);
        CREATE INDEX spans_annotator_label ON spans (annotator_id, label);

        CREATE TABLE edits (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            kind TEXT NOT NULL
                CHECK (kind IN ('add_span', 'delete_span', 'update_span', 'set_status')),
            "before" TEXT CHECK ("before" IS NULL OR json_valid("before")),
            "after" TEXT CHECK ("after" IS NULL OR json_valid("after")),
            undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE INDEX edits_by_annotator ON edits (annotator_id, undone, id);
        CREATE INDEX edits_article ON edits (article_id);

        -- Status-filtered article lists read this index alone, in article order.
        DROP INDEX article_status_by_annotator;
        CREATE INDEX article_status_by_annotator ON article_status (annotator_id, status, article_id);
"""


# Migration 3: a reviewer's status ``reviewed`` (the status CHECK is part of the
# table, so article_status is rebuilt), edits that belong together (``batch``:
# accepting a version deletes and adds spans, and one undo takes it all back),
# the review decisions, and assignments.
_REVIEW_STATUSES = ", ".join(f"'{s}'" for s in (*STATUSES, "reviewed"))
_REVIEW = f"""
        CREATE TABLE article_status_new (
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            status TEXT NOT NULL CHECK (status IN ({_REVIEW_STATUSES})),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator_id)
        );
        INSERT INTO article_status_new SELECT article_id, annotator_id, status, updated_at
            FROM article_status;
        DROP TABLE article_status;
        ALTER TABLE article_status_new RENAME TO article_status;
        CREATE INDEX article_status_by_annotator ON article_status (annotator_id, status, article_id);

        CREATE TABLE edits_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            kind TEXT NOT NULL
                CHECK (kind IN ('add_span', 'delete_span', 'update_span', 'set_status', 'decide')),
            "before" TEXT CHECK ("before" IS NULL OR json_valid("before")),
            "after" TEXT CHECK ("after" IS NULL OR json_valid("after")),
            undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
            created_at TEXT NOT NULL,
            batch INTEGER
        );
        INSERT INTO edits_new (id, annotator_id, article_id, kind, "before", "after", undone, created_at)
            SELECT id, annotator_id, article_id, kind, "before", "after", undone, created_at FROM edits;
        DROP TABLE edits;
        ALTER TABLE edits_new RENAME TO edits;
        CREATE INDEX edits_by_annotator ON edits (annotator_id, undone, id);
        CREATE INDEX edits_article ON edits (article_id);
        CREATE INDEX edits_batch ON edits (batch) WHERE batch IS NOT NULL;

        CREATE TABLE review_decisions (
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            reviewer_id INTEGER NOT NULL REFERENCES annotators (id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            choice TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (article_id, reviewer_id, start, "end")
        );

        CREATE TABLE assignments (
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            assigned_at TEXT NOT NULL,
            PRIMARY KEY (annotator_id, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX assignments_article ON assignments (article_id);
"""


# Migration 4: undo per session. Each entry names the session that owns it (made
# it, or undid it: NULL for entries from before), and ``sessions`` lists the
# sessions that may be running (a row per app run that logged something, removed
# when it ends or is found gone), so that one never undoes another's edit.
_SESSIONS = """
        ALTER TABLE edits ADD COLUMN session INTEGER;
        CREATE INDEX edits_by_session ON edits (annotator_id, session, undone, id);
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL
        );
"""


# Migration 5: suggestions. The edits kind CHECK gains 'answer' (an accepted or
# rejected suggestion, undone like any edit): a CHECK cannot be altered, so edits
# is rebuilt with every column and index it has, as migration 3 did.
_SUGGESTIONS = """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
            origin TEXT NOT NULL,
            version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (article_id, start, "end", label)
        );

        CREATE TABLE suggestion_answers (
            suggestion_id INTEGER NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            answer TEXT NOT NULL CHECK (answer IN ('accepted', 'rejected')),
            answered_at TEXT NOT NULL,
            PRIMARY KEY (suggestion_id, annotator_id)
        ) WITHOUT ROWID;

        CREATE TABLE suggested_articles (
            article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            version TEXT NOT NULL,
            suggested_at TEXT NOT NULL
        );

        ALTER TABLE spans ADD COLUMN origin TEXT;
        ALTER TABLE annotators ADD COLUMN suggestions INTEGER NOT NULL DEFAULT 1
            CHECK (suggestions IN (0, 1));

        CREATE TABLE edits_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            annotator_id INTEGER NOT NULL REFERENCES annotators (id),
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            kind TEXT NOT NULL
                CHECK (kind IN ('add_span', 'delete_span', 'update_span', 'set_status', 'decide',
                                'answer')),
            "before" TEXT CHECK ("before" IS NULL OR json_valid("before")),
            "after" TEXT CHECK ("after" IS NULL OR json_valid("after")),
            undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
            created_at TEXT NOT NULL,
            batch INTEGER,
            session INTEGER
        );
        INSERT INTO edits_new (id, annotator_id, article_id, kind, "before", "after", undone, created_at,
                               batch, session)
            SELECT id, annotator_id, article_id, kind, "before", "after", undone, created_at,
                   batch, session FROM edits;
        DROP TABLE edits;
        ALTER TABLE edits_new RENAME TO edits;
        CREATE INDEX edits_by_annotator ON edits (annotator_id, undone, id);
        CREATE INDEX edits_article ON edits (article_id);
        CREATE INDEX edits_batch ON edits (batch) WHERE batch IS NOT NULL;
        CREATE INDEX edits_by_session ON edits (annotator_id, session, undone, id);
"""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "articles, annotators, spans, statuses, FTS5, source lines", _INITIAL),
    Migration(2, "undo log (edits), span ids never reused, status index in article order", _UNDO_LOG),
    Migration(3, "status reviewed, edit batches, review decisions, assignments", _REVIEW),
    Migration(4, "undo per session: edits.session, sessions", _SESSIONS),
    Migration(5, "suggestions, their answers, spans.origin, edits kind answer", _SUGGESTIONS),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


class SchemaTooNew(RuntimeError):
    """The database was written by a newer newsmark than this one."""


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Bring the schema up to date; return the versions applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each
    migration runs in its own ``BEGIN IMMEDIATE`` transaction, so a crash
    mid-way leaves the database at the previous version, never in between.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"database schema version {current} is newer than this newsmark's ({SCHEMA_VERSION}); "
            "upgrade newsmark"
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        name = migration.name.replace("'", "''")
        # One script, BEGIN to COMMIT: executescript() would commit a transaction
        # opened outside it, so the whole migration must live inside the script.
        script = (
            f"BEGIN IMMEDIATE;\n{migration.sql}\n"
            f"INSERT INTO migrations (version, name, applied_at)"
            f" VALUES ({migration.version:d}, '{name}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));\n"
            f"PRAGMA user_version = {migration.version:d};\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied
