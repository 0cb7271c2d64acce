"""`python -m annotations` runs the newsmark command."""

from annotations.cli import main

main()
