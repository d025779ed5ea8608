"""The partnership's rules as plain Python.

This package owns the domain layer: action status, RAG, drift and delay (``actions``), working days
for England and Wales (``working_days``), identifier screening (``identifiers``) and the other rules
of docs/design/domain.md. It imports neither botbuilder nor SQLAlchemy nor any other package of this
project, and it never reads the clock: "now" and "today" are always passed in by the caller.
"""
