# One entry point. Every target creates .venv and installs what it needs (apt packages too, as root).
#   make up      site.yml on the bundled default inventory (inventory/local)
#   make plan    the same with --check --diff: what would change, nothing written
#   make test    everything: lint, sanity, pytest (modules, roles, stand-in images), the molecule scenarios
#   make lint    yamllint, ansible-lint, ruff, syntax check, ansible-doc, ansible-test sanity
#   make bench   HTTP requests of a no-op run of every module, by method
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INVENTORY ?= inventory/local
PLAYBOOK_ARGS ?=
# Debian packages the tests need: the real qBittorrent the qbittorrent_* modules are tested against; the
# Docker engine and debootstrap for the stand-in images; mkfs for the storage role's device probes; qemu for the
# host VM.
TEST_APT_PACKAGES := qbittorrent-nox docker.io debootstrap e2fsprogs qemu-system-x86 qemu-utils
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: up plan test lint pytest test-host test-stack bench venv test-deps clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

test-deps:
	@missing=""; for pkg in $(TEST_APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

up: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) site.yml $(PLAYBOOK_ARGS)

plan: venv
	$(BIN)/ansible-playbook -i $(INVENTORY) site.yml --check --diff $(PLAYBOOK_ARGS)

lint: venv
	$(BIN)/yamllint -s .
	$(BIN)/ansible-lint -q
	$(BIN)/ruff check .
	$(BIN)/ansible-playbook --syntax-check site.yml
	@for module in library/*.py; do name=$$(basename $$module .py); \
	  $(BIN)/ansible-doc -t module $$name >/dev/null || { echo "ansible-doc fails for $$name"; exit 1; }; done; \
	  echo "ansible-doc renders $$(ls library/*.py | wc -l) modules"
	bash tests/sanity/run.sh

pytest: venv test-deps
	$(BIN)/pytest

# The host roles in a Debian 12 VM under qemu (software emulation; installs qemu and debootstrap as needed).
# The VM image is built once per machine into ~/.cache/mediastack-vm; phase times go to build/bench/.
test-host: venv
	$(BIN)/molecule test -s host

# The app stack on this machine's Docker engine with the stand-in images: host.yml (storage on a path) and
# apps.yml converged twice, verified, Gluetun recreated, everything removed again.
test-stack: venv test-deps
	$(BIN)/molecule test -s stack

# One after the other: the host VM (qemu, software emulation) beside pytest and the stack scenario took 4-5 times
# as long on two cores, slowed them as much, and its timer-driven GitOps runs outgrew their time bound.
test: lint test-deps
	$(MAKE) --no-print-directory --keep-going pytest test-stack test-host

bench: venv test-deps
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
