# HTK platform. `make run` starts everything on the embedded default; `make test` runs the tests.
# Both install what they need: uv (from the Python package index), the Debian packages, and the
# operator models the deployment tests check against (npm packages, tests/deploy/crd_schemas).

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
DEBIAN_PACKAGES := libvoikko1 voikko-fi wswedish chromium prometheus fonts-dejavu-core
PYTEST_ARGS ?=

.PHONY: help setup uv debian sync crd-models run test test-fast fuzz lint format schemas bench clean audit \
	compose-env deploy-check k8s-render

help:
	@echo "make run    start the platform on the embedded default and print its URL"
	@echo "make test   run every test (starts its own broker and database)"
	@echo "make fuzz   the fuzzers and property tests drawing new cases (make test repeats fixed ones)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  run the benchmarks, results under bench/results/"
	@echo "make audit  check the locked dependencies for known vulnerabilities"

setup: uv debian sync crd-models

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || { \
		echo "Installing uv ..."; \
		python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages uv; }

# Voikko gives Finnish base forms and compound parts to search, wswedish the Swedish word list
# that splits Swedish compounds; the browser tests drive
# Debian's chromium through Playwright (its own browser download is not used); the prometheus
# package brings promtool, which checks the alert rules and the dashboard's queries;
# fonts-dejavu-core gives the yearly report's PDF a font with every letter it prints.
debian:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y --no-install-recommends $$missing; }; \
	fi

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

run: setup
	$(UV) run htk up $(HTK_UP_ARGS)

test: setup
	$(UV) run pytest $(PYTEST_ARGS)

test-fast: setup
	$(UV) run pytest -m "not e2e" $(PYTEST_ARGS)

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
