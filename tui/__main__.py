"""`python -m tui` runs the newsmark command (the app's commands included)."""

from tui.cli import main

main()
