"""The storage facade: the one door from the rest of newsmark to its database.

Everything outside this package imports :class:`Store`, its result types and the
helpers below from here, never from ``annotations.storage.sqlite`` (an
import-linter contract says so), so that a second backend is one more package
behind the same names. See README.md here for the layers.
"""

from annotations.storage.sqlite.articles import plain_fts_query
from annotations.storage.sqlite.backup import BackupError, BackupResult, backup_database
from annotations.storage.sqlite.connection import DB_ENV, DEFAULT_DB, resolve_db_path
from annotations.storage.sqlite.store import Store, open_store
from annotations.storage.types import (
    ADDED,
    DUPLICATE,
    KEPT_ANNOTATED,
    RECLEANED,
    REVIEW_VIEWS,
    AddResult,
    AssignmentCount,
    Batch,
    ExportKey,
    Extent,
    ImportResult,
    Progress,
    RecleanRow,
    ReviewedKeys,
    SourceLineCounts,
    Stats,
    UndoConflict,
    now,
    stamp,
)

__all__ = [
    "ADDED",
    "DB_ENV",
    "DEFAULT_DB",
    "DUPLICATE",
    "KEPT_ANNOTATED",
    "RECLEANED",
    "REVIEW_VIEWS",
    "AddResult",
    "AssignmentCount",
    "BackupError",
    "BackupResult",
    "Batch",
    "ExportKey",
    "Extent",
    "ImportResult",
    "Progress",
    "RecleanRow",
    "ReviewedKeys",
    "SourceLineCounts",
    "Stats",
    "Store",
    "UndoConflict",
    "backup_database",
    "now",
    "open_store",
    "plain_fts_query",
    "resolve_db_path",
    "stamp",
]
