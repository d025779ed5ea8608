# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint format bench migrate seed package e2e clean desk desk-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP_RUN) $@

## run: set up, build the desk, migrate, seed the demo partnership on first start, start the bot on 127.0.0.1:$${PORT:-3978}
run: $(STAMP_RUN) desk
	$(BIN)/python -m manage upgrade
	$(BIN)/python -m manage seed-demo --if-empty
	$(BIN)/python bot.py

## test: set up with the dev requirements and run the whole suite
test: $(STAMP_DEV)
	$(BIN)/python -m pytest

## lint: ruff, the layer contract (import-linter, pyproject.toml) and pyright (strict on domain/ and cards/)
lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pyright

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP_RUN)
	$(BIN)/python -m manage upgrade

seed: $(STAMP_RUN)
	$(BIN)/python -m manage seed-demo --if-empty

# The broadcast bench's options, shared by `bench` and `bench-broadcast`. The bench empties the
# database it is given, so it reads BENCH_DATABASE_URL, never the bot's own DATABASE_URL.
BROADCAST_OPTIONS = $(if $(QUICK),--quick) $(if $(SENDERS),--senders $(SENDERS)) \
	$(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

## bench: the benchmarks in bench/ (not part of make test): turn latency, reminder planning at scale,
##   broadcasts, then the identifier screen (about six minutes in all; QUICK=1, SENDERS=K and BENCH_DATABASE_URL as for bench-broadcast)
bench: $(STAMP_DEV)
	$(BIN)/python -m bench.turn_latency
	$(BIN)/python -m bench.planner_scale $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))
	$(BIN)/python -m bench.broadcast $(BROADCAST_OPTIONS)
	$(BIN)/python -m bench.identifier_scores --speed

## bench-planner: one planning pass over 10,000 and 100,000 synthetic actions (BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL: that database is emptied)
.PHONY: bench-planner
bench-planner: $(STAMP_DEV)
	$(BIN)/python -m bench.planner_scale $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

## bench-identifiers: the identifier screen's precision and recall on the labelled samples, and its time on hostile 10 KB texts
.PHONY: bench-identifiers
bench-identifiers: $(STAMP_DEV)
	$(BIN)/python -m bench.identifier_scores --speed

## bench-reach: installing the bot for 10,000 people through a fake Graph, then an announcement to them (QUICK=1 for 600; BENCH_DATABASE_URL for PostgreSQL, emptied)
.PHONY: bench-reach
bench-reach: $(STAMP_DEV)
	$(BIN)/python -m bench.reach $(if $(QUICK),--quick) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache desk/dist

## package: the Teams app package build/appPackage.zip (needs MicrosoftAppId, BOT_DOMAIN and, in production, the APP_* settings; docs/deploy.md)
package: $(STAMP_RUN)
	$(BIN)/python -m scripts.package_app --out build/appPackage.zip

## e2e: the main journeys in the Microsoft 365 Agents Playground, headless, then the desk's unit tests and its
##   browser journeys against the real bot (CI runs it after test; docs/e2e.md)
E2E_CHROMIUM ?= /usr/bin/chromium
e2e: $(STAMP_RUN) desk
	@test -x "$(E2E_CHROMIUM)" || { echo "make e2e: Chromium is not installed at $(E2E_CHROMIUM)."; \
	  echo "  Install it with: sudo apt-get install -y chromium (or set E2E_CHROMIUM=/path/to/chromium)"; exit 2; }
	@command -v npm >/dev/null || { echo "make e2e: Node.js 20+ with npm is needed (docs/e2e.md)"; exit 2; }
	E2E_CHROMIUM=$(E2E_CHROMIUM) $(BIN)/python -m scripts.e2e

## e2e-desk: only the desk's part of make e2e (its unit tests, then its browser journeys against a fresh bot)
.PHONY: e2e-desk
e2e-desk: $(STAMP_RUN) desk
	@test -x "$(E2E_CHROMIUM)" || { echo "make e2e-desk: Chromium is not installed at $(E2E_CHROMIUM)."; exit 2; }
	E2E_CHROMIUM=$(E2E_CHROMIUM) $(BIN)/python -m scripts.e2e --part desk

## bench-broadcast: 10,000 announcements through the outbox at 50/s and 500/s, then a crash and resume (QUICK=1: 1,000;
##   SENDERS=2 BENCH_DATABASE_URL=postgresql+psycopg://...: two sending processes on one PostgreSQL database, each at
##   R/2; that database is emptied)
.PHONY: bench-broadcast
bench-broadcast: $(STAMP_DEV)
	$(BIN)/python -m bench.broadcast $(BROADCAST_OPTIONS)

# The desk, the bot's Teams tab (desk/, docs/desk-frontend.md). Its npm packages come from the
# committed lockfile, installed again only when the lockfile changes; it is built again only when its
# sources change. Both happen before the bot starts, so nothing is fetched at run time.
DESK_INSTALLED := desk/node_modules/.installed
DESK_BUILT := desk/dist/.built
DESK_SOURCES := $(shell find desk/src -type f 2>/dev/null) desk/index.html desk/vite.config.ts \
	desk/tsconfig.json desk/package.json

$(DESK_INSTALLED): desk/package-lock.json
	@command -v npm >/dev/null || { echo "make desk: Node.js 20.19+ with npm is needed to build the desk (docs/desk-frontend.md)"; exit 2; }
	cd desk && npm ci --no-audit --no-fund
	touch $@

$(DESK_BUILT): $(DESK_INSTALLED) $(DESK_SOURCES)
	cd desk && npm run build
	touch $@

## desk: install the desk's npm packages when its lockfile changed, build it into desk/dist when its sources changed
desk: $(DESK_BUILT)

## desk-test: the desk's unit tests (Vitest), then its browser journeys and axe-core checks in Chromium against
##   the stub API (tests/stub-server.mjs); DESK_URL=http://127.0.0.1:3978/desk/ runs them against a running bot
desk-test: $(DESK_BUILT)
	@test -x "$(E2E_CHROMIUM)" || { echo "make desk-test: Chromium is not installed at $(E2E_CHROMIUM)."; \
	  echo "  Install it with: sudo apt-get install -y chromium (or set E2E_CHROMIUM=/path/to/chromium)"; exit 2; }
	cd desk && npm test
	cd desk && DESK_CHROMIUM=$(E2E_CHROMIUM) node tests/browser.mjs
