# HTK platform. `make run` starts everything on the embedded default; `make test` runs the tests.
# Each installs what it needs and no more: `make run` uv (from the Python package index), the
# workspace and the Debian packages the running platform uses; `make test` (`make setup`) adds
# the test-only Debian packages and the operator models the deployment tests check against (npm
# packages, tests/deploy/crd_schemas).

SHELL := /bin/bash
# Looked up when a recipe runs (=, not :=), after the uv target may have installed it: pip puts
# it in ~/.local/bin, or (where Debian refuses --user installs) on PATH.
UV = $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
# Voikko gives Finnish base forms and compound parts to search, wswedish the Swedish word list
# that splits Swedish compounds; fonts-dejavu-core gives the
# yearly report's PDF a font with every letter it prints. Only the tests need the rest: the
# browser tests drive Debian's chromium through Playwright (its own browser download is not
# used); the prometheus package brings promtool, which checks the alert rules and the
# dashboard's queries. tests/test_newcomer_path.py keeps chromium and prometheus out of `make run`.
DEBIAN_RUN := libvoikko1 voikko-fi wswedish fonts-dejavu-core
DEBIAN_TEST := chromium prometheus
PYTEST_ARGS ?=

.PHONY: help setup setup-run uv debian debian-run sync crd-models run test test-fast fuzz lint \
	format schemas bench clean audit compose-env deploy-check k8s-render admin demo htk

help:
	@echo "make run    start the platform on the embedded default and print its URL"
	@echo "make admin EMAIL=you@example.org   the first coordinator (the platform running)"
	@echo "make demo   load demo actions into the running platform"
	@echo "make htk ARGS=\"...\"   any operator command (the same as ./htk ...)"
	@echo "make test   run every test (starts its own broker and database)"
	@echo "make test-fast   the in-memory tier of the consumer tests (seconds, no processes)"
	@echo "make fuzz   the fuzzers and property tests drawing new cases (make test repeats fixed ones)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  run the benchmarks, results under bench/results/"
	@echo "make audit  check the locked dependencies for known vulnerabilities"

# Everything the tests need; `make run` needs only setup-run.
setup: uv debian sync crd-models
setup-run: uv debian-run sync

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || { \
		echo "Installing uv ..."; \
		python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages uv; }

# apt-get only for what is missing, so a machine that has everything installs nothing.
define install_debian
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y --no-install-recommends $$missing; }; \
	fi
endef

debian-run:
	$(call install_debian,$(DEBIAN_RUN))

debian:
	$(call install_debian,$(DEBIAN_RUN) $(DEBIAN_TEST))

sync: uv
	@$(UV) sync --frozen --quiet

# The Strimzi and ECK models (npm packages pinned by package-lock.json) that tests/deploy checks
# the operators' resources against; installed again whenever the lock file changes. Node.js and
# npm come with the machine, else from Debian.
CRD_MODELS := tests/deploy/crd_schemas
crd-models: $(CRD_MODELS)/node_modules/.package-lock.json

$(CRD_MODELS)/node_modules/.package-lock.json: $(CRD_MODELS)/package.json $(CRD_MODELS)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian packages: nodejs npm"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y --no-install-recommends nodejs npm >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y --no-install-recommends nodejs npm; }; }
	@echo "Installing the operator models (npm ci in $(CRD_MODELS)) ..."
	@cd $(CRD_MODELS) && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

run: setup-run
	$(UV) run htk up $(HTK_UP_ARGS)

# The operator commands, for a shell where uv is not on PATH (it went to ~/.local/bin); ./htk
# does the same. Each talks to the platform `make run` started, so run them in another terminal.
admin: sync
	@[ -n "$(EMAIL)" ] || { echo 'usage: make admin EMAIL=you@example.org' >&2; exit 2; }
	$(UV) run htk admin create --email "$(EMAIL)"

demo: sync
	$(UV) run htk demo load

htk: sync
	$(UV) run htk $(ARGS)

test: setup
	$(UV) run pytest $(PYTEST_ARGS)

# The in-memory tier only: consumer, dead-letter and projection cases on FastStream's
# TestKafkaBroker, no broker or database process (README.md, "Tests"). `make test` runs the same
# cases on tansu as well.
test-fast: setup
	$(UV) run pytest -m memory $(PYTEST_ARGS)

# `make test` (and CI) draw the same fuzz and property cases every run; this draws new ones,
# FUZZ_SCALE times as many per API operation. A failure prints the case (and a reproduction
# blob): make it an ordinary test, then fix it.
FUZZ_SCALE ?= 5
FUZZ_TESTS := tests/fuzz libs/runtime/tests/test_text.py \
	services/submissions/tests/test_workflow_properties.py \
	services/reporting/tests/test_replay_property.py
fuzz: setup
	HTK_HYPOTHESIS_PROFILE=fuzz HTK_FUZZ_SCALE=$(FUZZ_SCALE) $(UV) run pytest $(FUZZ_TESTS) $(PYTEST_ARGS)

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run hadolint Dockerfile

format: sync
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

schemas: sync
	$(UV) run python -m htk_contracts.schemas

bench: setup
	$(UV) run python -m bench

# Known vulnerabilities in the locked dependencies (pip-audit). Exit 1: vulnerable; exit 3: the
# vulnerability service could not be used, which is reported as such and never as a pass.
audit: sync
	$(UV) run python -m tests.security.dependency_audit

# Deployment (deploy/README.md). hadolint, kubectl (with kustomize) and the Kubernetes schemas are
# dev dependencies from the Python package index; the operator models are crd-models above.
compose-env: sync
	@$(UV) run python deploy/compose/make_env.py .env.example .env

deploy-check: sync crd-models
	$(UV) run pytest tests/deploy -q

OVERLAY ?= dev
k8s-render: sync
	@$(UV) run kubectl kustomize deploy/k8s/overlays/$(OVERLAY)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache $(CRD_MODELS)/node_modules
