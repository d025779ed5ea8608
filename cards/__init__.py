"""Adaptive Card builders: pure functions from domain data to Adaptive Card 1.5 JSON for Teams."""
