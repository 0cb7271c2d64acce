"""newsmark core library: corpus import, cleaning, the SQLite store and the CLI.

Nothing in this package imports Textual: the terminal app lives in ``tui/`` and
talks to this package only through :mod:`annotations.storage`.
"""

__version__ = "0.1.0"
