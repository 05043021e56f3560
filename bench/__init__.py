"""Benchmarks of the duty desk (run as scripts from the repository root; importable as ``bench.x`` for the tests)."""
