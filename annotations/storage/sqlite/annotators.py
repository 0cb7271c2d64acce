"""Annotator names and their ids: the one table every other repository joins."""

from __future__ import annotations

from collections.abc import Iterable

from annotations.storage.sqlite.connection import Database
from annotations.storage.types import now


class Annotators:
    """Name -> id, created on first write, cached once committed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ids: dict[str, int] = {}  # name -> id, committed rows only

    def id(self, name: str) -> int:
        """The id of annotator ``name``, created on first use."""
        found = self.known_id(name)
        if found is not None:
            return found
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)", (name, now()))
        found = self.known_id(name)
        assert found is not None
        return found

    def known_id(self, name: str) -> int | None:
        """The id of ``name`` without creating it, so that reads never write (None: unknown).

        Cached per Store: the list asks for it on every screenful. Only ids
        read outside a transaction are cached, as an open one may roll back.
        """
        cached = self._ids.get(name)
        if cached is not None:
            return cached
        row = self.db.conn.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        found = int(row[0])
        if not self.db.in_transaction:
            self._ids[name] = found
        return found

    def known_ids(self, names: Iterable[str]) -> list[int]:
        """The ids of those of ``names`` that exist."""
        return [i for i in map(self.known_id, names) if i is not None]

    def known_or_nobody(self, name: str) -> int:
        """The id of ``name``, or -1 (which matches no row) if they never wrote."""
        found = self.known_id(name)
        return -1 if found is None else found
