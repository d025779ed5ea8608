"""Scheduled work: APScheduler wiring and the jobs it ticks (planners, dispatcher, housekeeping)."""
