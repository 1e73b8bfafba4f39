"""Benchmarks of the platform. ``make bench`` runs every ``bench/bench_*.py`` module."""
