"""Test suite. A package, so tests/conftest.py puts the repo root (not tests/) on sys.path."""
