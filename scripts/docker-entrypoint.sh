#!/bin/sh
# Container start: bring the database schema up to date, then run the bot in the foreground.
# `exec` makes the bot process PID 1's replacement, so it receives SIGTERM on shutdown.
set -eu
python -m manage upgrade
exec python bot.py
