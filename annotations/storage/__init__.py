"""The storage facade: the one door from the rest of newsmark to its database.

Everything outside this package imports :class:`Store` and the helpers below from
here, never from ``annotations.storage.sqlite`` (an import-linter contract says so),
so that a second backend is one more package behind the same names.
"""

from annotations.storage.sqlite.store import (
    ADDED,
    DB_ENV,
    DEFAULT_DB,
    DUPLICATE,
    KEPT_ANNOTATED,
    RECLEANED,
    REVIEW_VIEWS,
    Stats,
    Store,
    now,
    open_store,
    plain_fts_query,
    resolve_db_path,
    stamp,
    verbatim_hash,
)

__all__ = [
    "ADDED",
    "DB_ENV",
    "DEFAULT_DB",
    "DUPLICATE",
    "KEPT_ANNOTATED",
    "RECLEANED",
    "REVIEW_VIEWS",
    "Stats",
    "Store",
    "now",
    "open_store",
    "plain_fts_query",
    "resolve_db_path",
    "stamp",
    "verbatim_hash",
]
