"""The scroll view the line-API panes (article list, article text) are drawn on.

Textual's ``ScrollView`` repaints its scrollbars at every layout of the screen, even
when its own size has not changed: it compares the virtual size the compositor
passes in (what the content would take on screen) with its own (the whole list or
article), which never match for a view drawn line by line. Any layout anywhere (a
bar shown, the footer's keys changing with the focus) then sent both scrollbars
again, 3.5 KB a frame over SSH. Here the test uses the view's own virtual size, so
the scrollbars are updated when the view's size, its content's size or its
container changed, not otherwise.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


class LineScrollView(ScrollView):
    """A ``ScrollView`` whose scrollbars are repainted only when something they show changed."""

    _scrollbars_for: Size | None = None  # the virtual size the scrollbars were last set for

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        if self.virtual_size != self._scrollbars_for:  # a new article or list: as ScrollView does
            self._scrollbars_for = self.virtual_size
            # ScrollView's repaint of the scrollbar at the next layouts made up for one that
            # can be lost (the first article, drawn before the scrollbar was): one more, once.
            self.call_after_refresh(self._repaint_scrollbars)
            return super()._size_updated(size, virtual_size, container_size, layout)
        return super()._size_updated(size, self.virtual_size, container_size, layout)

    def _repaint_scrollbars(self) -> None:
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.refresh()
