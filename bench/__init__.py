"""Benchmarks; each brings its own fake Bot Connector and never imports tests."""
