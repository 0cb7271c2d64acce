"""Keys typed ahead act as if typed slowly: each goes to the focus the key before it left.

Textual hands a key to the focused widget by posting it to that widget's queue; the
key's bindings run later, when it has bubbled up to the app. Keys that come in one
read from the terminal (over SSH: ``/two`` in one write) are all posted at once, to
the widget that had the focus when they came, before the first of them has moved the
focus: the letters of ``/two`` reached the text pane, not the find bar ``/`` opens,
and a ``2`` after ``Enter`` in the find bar reached the bar, not the text.

:class:`OrderedKeys` (mixed into the app) sends a key on only once the key before it
has been handled all the way up: after each key it posts a marker
(:class:`KeyHandled`) to the same widget, which bubbles up the same path behind the
key and so reaches the app after it. When a key changed the screen (help, the edit
dialog, the command palette), the next one waits until the new screen has been
composed and has set its focus. Keys that arrive meanwhile wait in order. Textual has
no such option (its keys are posted, never awaited), hence this module.

What a key starts by message (``Input.Submitted``) is not waited for: keys that move
the focus must do it in their binding (the bars, ``enter`` in the list and ``e`` call
the screen directly). Work a key hands to a worker (a corpus search) holds the keys
typed after it (:meth:`OrderedKeys.hold_keys`) until its result is drawn, as a slow
typist would have seen it before typing on.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

# A marker lost on the way (its widget removed while the key was handled) must not
# hold the keys back for good: after this long the waiting keys go on.
STUCK_AFTER = 1.0  # seconds
HOLD_AT_MOST = 10.0  # seconds: a hold whose release never comes (a worker that died)


class KeyHandled(Message):
    """Posted behind a key, to the widget the key went to: bubbling, it follows the key up."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class OrderedKeys(App[None]):
    """An app whose keys are handled one after another, each by the focus of its time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # App's own options (ansi_color: see NewsmarkApp)
        self._waiting: deque[events.Key] = deque()
        self._in_flight: events.Key | None = None
        self._in_flight_screen: Screen | None = None
        self._watchdog: Timer | None = None
        self._watched: events.Key | None = None
        self._holds: dict[object, Timer] = {}

    @property
    def keys_pending(self) -> bool:
        """Whether a key typed is still waiting or being handled (tests wait for this to end)."""
        return bool(self._waiting) or self._in_flight is not None

    def hold_keys(self, why: object) -> None:
        """Keys typed from now on wait until :meth:`release_keys` (``why``), or HOLD_AT_MOST."""
        self.release_keys(why, send=False)
        self._holds[why] = self.set_timer(HOLD_AT_MOST, lambda: self.release_keys(why))

    def release_keys(self, why: object, send: bool = True) -> None:
        """End the hold ``why`` (none: nothing happens); waiting keys go on when no hold is left."""
        timer = self._holds.pop(why, None)
        if timer is not None:
            timer.stop()
            if send and not self._holds:
                self.call_later(self._send_waiting)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._waiting.append(event)
            if self._in_flight is None:
                await self._send_waiting()
            elif self._watchdog is None and not self._holds:
                self._watched = self._in_flight
                self._watchdog = self.set_timer(STUCK_AFTER, self._unstick)
            return
        await super().on_event(event)

    async def _send_waiting(self) -> None:
        """Send waiting keys, one at a time: stop at one that is still being handled."""
        while self._waiting and self._in_flight is None and not self._holds:
            key = self._waiting.popleft()
            screen = self.screen
            target = self.focused or screen
            await super().on_event(key)  # an app-wide (priority) binding, or posted to `target`
            if key.is_forwarded:
                self._in_flight, self._in_flight_screen = key, screen
                if not target.post_message(KeyHandled(key)):  # the widget is closing: nothing follows
                    self._in_flight = self._in_flight_screen = None
            elif self.screen is not screen:  # a priority binding opened a screen (ctrl+p)
                self._in_flight, self._in_flight_screen = key, screen
                self._after_new_screen(key)

    async def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        if message.key is not self._in_flight:
            return  # sent on already by the watchdog
        if self.screen is not self._in_flight_screen:
            self._after_new_screen(message.key)
        else:
            await self._done(message.key)

    def _after_new_screen(self, key: events.Key) -> None:
        # The new screen composes and focuses before it reads its queue: a callback
        # there runs once the keys have a focus to go to; it hands the key back to the
        # app's own queue, where keys are sent from.
        if not self.screen.call_later(self.call_later, self._done, key):
            self.call_later(self._done, key)

    async def _done(self, key: events.Key) -> None:
        if key is not self._in_flight:
            return
        self._in_flight = self._in_flight_screen = None
        await self._send_waiting()
        if self._in_flight is None and self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None

    async def _unstick(self) -> None:
        self._watchdog = None
        key = self._in_flight
        if key is None:
            return
        if key is self._watched:  # no progress in STUCK_AFTER seconds: go on without the marker
            await self._done(key)
        if self._in_flight is not None:
            self._watched = self._in_flight
            self._watchdog = self.set_timer(STUCK_AFTER, self._unstick)
