"""What the article list shows: the ids of the current view, and rows on demand.

Why our own model and not a widget that holds rows: a million-article list must
not build a million of anything. The model keeps only the *ids* of the current
view (an ``array`` of 8-byte ints: 8 MB for a million) and fetches rows a page
at a time, by id, from the store, keeping recent pages in an LRU cache. Until
the full id list is loaded (a background worker), it holds the first page of
ids, so the first screen never waits for a scan of the whole table.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence

from annotations.model import ListRow
from annotations.storage import Store

PAGE = 64  # rows fetched per query
CACHED_PAGES = 64


class ListModel:
    """The ids of one view (all / to do / done / flagged / skipped, or a search)."""

    def __init__(self, store: Store, annotator: str) -> None:
        self.store = store
        self.annotator = annotator
        self.view = "all"
        self.query: str | None = None  # a corpus search replaces the view while set
        self.complete = False  # False while only the first page of ids is known
        self._ids: Sequence[int] = []
        self._positions: dict[int, int] | None = None  # for unsorted ids (search results)
        self._pages: OrderedDict[int, list[ListRow | None]] = OrderedDict()

    def set_ids(
        self,
        ids: Sequence[int],
        *,
        view: str | None = None,
        query: str | None = None,
        complete: bool = True,
        ranked: bool = False,
    ) -> None:
        """Show ``ids``: a view's ids in article order, or search hits by rank."""
        if view is not None:
            self.view = view
        self.query = query
        self.complete = complete
        self._ids = ids
        self._positions = {aid: i for i, aid in enumerate(ids)} if ranked else None
        self._pages.clear()

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[int]:
        """The ids the list holds now, in list order (a copy: for checks, not for drawing)."""
        return list(self._ids)

    def id_at(self, index: int) -> int | None:
        return self._ids[index] if 0 <= index < len(self._ids) else None

    def index_of(self, article_id: int) -> int | None:
        if self._positions is not None:
            return self._positions.get(article_id)
        i = bisect_left(self._ids, article_id)  # a view's ids are in article order
        return i if i < len(self._ids) and self._ids[i] == article_id else None

    def row(self, index: int) -> ListRow | None:
        if not 0 <= index < len(self._ids):
            return None
        number, within = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            ids = list(self._ids[number * PAGE : (number + 1) * PAGE])
            found = {r.id: r for r in self.store.list_rows(self.annotator, ids)}
            page = [found.get(aid) for aid in ids]  # None: deleted since the ids were read
            self._pages[number] = page
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[within] if within < len(page) else None

    def forget(self, article_id: int) -> None:
        """Drop the cached page holding ``article_id`` (its status or spans changed)."""
        index = self.index_of(article_id)
        if index is not None:
            self._pages.pop(index // PAGE, None)

    def neighbour(self, article_id: int, step: int) -> int | None:
        """The article ``step`` places from ``article_id`` in this view, if any."""
        index = self.index_of(article_id)
        if index is None:
            return None
        return self.id_at(index + step)
