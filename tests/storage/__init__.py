"""Storage contract tests, run against every backend (see conftest.py)."""
