"""Persistence: models, engine and sessions, query modules, dialog state, migrations, seed data."""
