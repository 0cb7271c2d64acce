#!/usr/bin/env python3
"""Time the article list and full-text search on a big database.

Usage:
    python bench/query_bench.py --articles 1000000 [--db PATH] [--runs 200] [--budget 20]
                                [--fts trigger|rebuild] [--workdir DIR] [--keep]

Builds (or, with ``--db`` naming an existing file, reuses) a database of N
generated articles, then times with a warm cache, through the app's own
``Store`` methods:

* a page of 50 titles: ``Store.page(after_id, 50)`` at random positions, and
  ``Store.page_at(offset, 50)`` at random and at small offsets;
* FTS queries: ``Store.search(q, 50)`` for words of different frequency, two
  words, a phrase, an OR query;

and prints median, p95 and max per case against the issue's floors (page of 50
titles <= 5 ms, FTS query <= 100 ms on 1,000,000 articles), with the query plans.

Building: running 1,000,000 articles through the importer would take most of
an hour, so the rows are what a JSONL import of the generated corpus would
store, computed directly: the raw page as ``raw_text``, the generated
paragraphs as ``clean_text`` (what a perfect cleaner keeps), the app's own
``content_hash``, ``CLEANER_VERSION`` and timestamp format. The schema is the
app's (``Store(path)`` runs the migrations); rows go in with executemany, one
transaction per 50,000, and the FTS index is filled by the app's own trigger
(``--fts trigger``, the default) or rebuilt once at the end (``--fts rebuild``).
Not filled: ``sources``/``source_lines`` (pass-1 line counts), which no
measured query reads. Generation runs in a worker process while the main
process inserts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Timing, db_size, mib, time_calls, workdir  # noqa: E402
from make_corpus import JSONL_PER_FILE, QUERY_WORDS, generate_many  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from annotations.cleaning import CLEANER_VERSION  # noqa: E402
from annotations.importing import content_hash  # noqa: E402
from annotations.storage import Store, now  # noqa: E402

PAGE_FLOOR = 0.005  # seconds, a page of 50 titles
FTS_FLOOR = 0.100  # seconds, one FTS query
CHUNK = 10_000  # articles per generator task
TXN_ROWS = 50_000  # articles per write transaction

# The same columns, in the same order, as Store.add_article writes.
INSERT = (
    "INSERT INTO articles (title, source, published, byline, url, external_id,"
    " content_hash, raw_format, origin, cleaner_version, imported_at, meta,"
    " clean_text, raw_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

Row = tuple[object, ...]


# --------------------------------------------------------------------------- build


def _rows(task: tuple[int, int, int]) -> list[Row]:
    """Rows for articles ``start`` .. ``start + n - 1``, from their own seed (runs in a worker)."""
    seed, start, n = task
    stamp = now()
    rows = []
    for art in generate_many(n, seed=seed * 1_000_003 + start, start=start):
        k, line = divmod(art.id - 1, JSONL_PER_FILE)
        rows.append(
            (
                art.title,
                art.site.name,
                art.published,
                art.byline,
                None,
                str(art.id),
                content_hash("text", art.page),
                "text",
                f"corpus-{k:03d}.jsonl:{line + 1}",
                CLEANER_VERSION,
                stamp,
                "{}",
                art.body,
                art.page,
            )
        )
    return rows


def build(db: Path, n: int, seed: int, fts: str) -> None:
    store = Store(db)  # migrations: the app's schema, triggers, FTS table
    conn = store.conn
    trigger_sql = None
    if fts == "rebuild":
        trigger_sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'"
        ).fetchone()[0]
        conn.execute("DROP TRIGGER articles_ai")
    tasks = [(seed, start, min(CHUNK, n - start + 1)) for start in range(1, n + 1, CHUNK)]
    t0 = time.perf_counter()
    done = 0
    # One worker generates while this process inserts: the machine has two cores.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        conn.execute("BEGIN IMMEDIATE")
        for rows in pool.imap(_rows, tasks):
            conn.executemany(INSERT, rows)
            done += len(rows)
            if done % TXN_ROWS == 0 or done == n:
                conn.execute("COMMIT")
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:>9,} articles  {rate:,.0f}/s  {mib(db_size(db))}", flush=True)
                if done < n:
                    conn.execute("BEGIN IMMEDIATE")
    if trigger_sql is not None:
        t1 = time.perf_counter()
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        conn.execute(trigger_sql)
        print(f"  FTS rebuild {time.perf_counter() - t1:.0f} s")
    store.close()  # checkpoints the WAL into the main file


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    call: Callable[[int], object]
    floor: float
    note: str = ""


def fts_queries() -> dict[str, str]:
    """FTS queries by kind, from rare to very common terms."""
    words = QUERY_WORDS
    return {
        "rare place": words["rare_place"],
        "mid place": words["mid_place"],
        "most frequent place": words["top_place"],
        'common word "forces"': words["common"],
        "two words (AND)": f"{words['mid_place']} curfew",
        "phrase": '"humanitarian corridor"',
        "OR of two places": f"{words['rare_place']} OR {words['mid_place']}",
        "plain words, not FTS syntax": "drone strike hospital?",
    }


# Not the app's query: newest matches first instead of best first. FTS5 walks
# its index in rowid order and stops after 50, where ORDER BY rank must score
# every match. Timed to show what a recency order for broad queries would buy.
SEARCH_NEWEST = (
    "SELECT a.id, a.title, a.source, a.published FROM articles_fts"
    " JOIN articles a ON a.id = articles_fts.rowid"
    " WHERE articles_fts MATCH ? ORDER BY articles_fts.rowid DESC LIMIT ?"
)


def cases(store: Store, n: int, seed: int) -> Iterator[Case]:
    rng = random.Random(seed)
    ids = [rng.randrange(0, max(1, n - 50)) for _ in range(10_000)]

    def pick(i: int) -> int:
        return ids[i % len(ids)]

    yield Case("list", "page(after_id) at random ids", lambda i: store.page(pick(i), 50), PAGE_FLOOR)
    yield Case("list", "page(0): the first page", lambda i: store.page(0, 50), PAGE_FLOOR)
    yield Case("list", "page_at(offset < 1,000)", lambda i: store.page_at(pick(i) % 1000, 50), PAGE_FLOOR)
    yield Case("list", "page_at(random offset)", lambda i: store.page_at(pick(i), 50), PAGE_FLOOR)
    yield Case("list", "page_at(last page)", lambda i: store.page_at(n - 50, 50), PAGE_FLOOR)
    yield Case(
        "list", "article_count()", lambda i: store.article_count(), PAGE_FLOOR, "the list's title shows it"
    )
    for kind, q in fts_queries().items():
        yield Case("search", f"{kind}: {q}", lambda i, q=q: store.search(q, 50), FTS_FLOOR)
    for kind in ('common word "forces"', "most frequent place"):
        q = fts_queries()[kind]
        yield Case(
            "alternative",
            f"newest first: {q}",
            lambda i, q=q: store.conn.execute(SEARCH_NEWEST, (q, 50)).fetchall(),
            FTS_FLOOR,
            "not the app's SQL",
        )


def hits(store: Store, query: str) -> int:
    try:
        return store.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return -1  # not FTS syntax: the app falls back to plain words


def explain(store: Store, console: Console) -> None:
    plans = {
        "Store.search": (
            "SELECT a.id, a.title, a.source, a.published FROM articles_fts"
            " JOIN articles a ON a.id = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            ("forces", 50),
        ),
        "newest first (alternative)": (SEARCH_NEWEST, ("forces", 50)),
        "Store.page_at": (
            "SELECT id, title, source, published FROM articles ORDER BY id LIMIT ? OFFSET ?",
            (50, 500_000),
        ),
        "Store.page": (
            "SELECT id, title, source, published FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (500_000, 50),
        ),
    }
    for name, (sql, params) in plans.items():
        rows = store.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        console.print(f"[bold]{name}[/]: " + "; ".join(r[-1] for r in rows))


# --------------------------------------------------------------------------- main


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument(
        "--db",
        type=Path,
        default=None,
        help="database to build, or reuse if it exists (then kept); default: in --workdir",
    )
    ap.add_argument("--runs", type=int, default=200, help="timed calls per case")
    ap.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds per case; a slow case stops after this (at least 5 runs)",
    )
    ap.add_argument(
        "--fts",
        choices=("trigger", "rebuild"),
        default="trigger",
        help="fill the FTS index row by row via the app's trigger, or rebuild it once",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the built database")
    args = ap.parse_args(argv)
    console = Console(highlight=False)
    if not console.is_terminal:  # a log file: wide enough that the table's rows stay on one line
        console = Console(highlight=False, width=150)

    with workdir(args.workdir, args.keep) as work:
        db = args.db or work / f"query-{args.articles}.db"
        if db.exists():
            console.print(f"reusing {db} ({mib(db_size(db))})")
        else:
            console.print(f"building {db}: {args.articles:,} articles, FTS by {args.fts}")
            t0 = time.perf_counter()
            build(db, args.articles, args.seed, args.fts)
            console.print(f"built in {time.perf_counter() - t0:,.0f} s, {mib(db_size(db))}")
        store = Store(db)  # the app's connection settings, as the TUI opens it
        n = store.article_count()
        console.print(f"{n:,} articles; SQLite {sqlite3.sqlite_version}")
        explain(store, console)

        table = Table(title=f"{n:,} articles, warm cache, ms per call")
        for col in ("case", "hits", "runs", "median", "p95", "max", "floor", ""):
            table.add_column(col, justify="left" if col == "case" else "right")
        for case in cases(store, n, args.seed):
            timing: Timing = time_calls(case.call, args.runs, args.budget)
            count = ""
            if case.group == "search":
                count = f"{hits(store, case.name.split(': ', 1)[1]):,}"
            ok = timing.median <= case.floor
            verdict = "ok" if ok else "[bold red]MISS[/]"
            table.add_row(
                f"[dim]{case.group}[/] {case.name}" + (f" [dim]({case.note})[/]" if case.note else ""),
                count,
                str(len(timing.runs)),
                ms(timing.median),
                ms(timing.p95),
                ms(timing.max),
                ms(case.floor),
                verdict,
            )
            console.print(f"  {case.name}: median {ms(timing.median)} ms", style="dim")
        store.close()
        console.print(table)
        console.print(f"database {db}: {mib(db_size(db))}")
        if args.db is not None:
            console.print("(database kept: it was named with --db)")


if __name__ == "__main__":
    main()
