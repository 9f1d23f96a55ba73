"""Benchmarks and evaluations run on demand (`make bench`, `make eval`), not in the default tests."""
