# Anchorage: the README's two commands are `make lab` and `make test`.
# Every target creates what it needs first (venv, collections, node images)
# and is safe to run again.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
PY ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)
PREREQ := $(CURDIR)/scripts/prereq.sh

.DEFAULT_GOAL := help
.PHONY: help venv lab lab-down images engine-local test lint sanity unit molecule integration build docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

venv: $(VENV)/.installed ## Create .venv with Ansible, community.docker/crypto, Molecule, linters

$(VENV)/.installed: requirements.txt requirements.yml
	@$(PREREQ) python
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "Installing Python requirements into $(VENV) ..."
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@# The `ansible` package carries community.docker and community.crypto; only
	@# when it does not (e.g. a bare ansible-core) are they fetched from Galaxy.
	@$(BIN)/ansible-galaxy collection list community.docker 2>/dev/null | grep -q community.docker \
	  && $(BIN)/ansible-galaxy collection list community.crypto 2>/dev/null | grep -q community.crypto \
	  || $(BIN)/ansible-galaxy collection install -r requirements.yml
	@touch $@

images: venv ## Build the lab node images (Debian 12 and 13) and the app base image when absent or when their recipe changed
	@$(PREREQ) docker debootstrap
	@ansible-playbook playbooks/images.yml

lab: venv ## Create the lab machines and converge them (idempotent)
	@$(PREREQ) docker debootstrap
	@ansible-playbook playbooks/lab.yml

lab-down: venv ## Remove the lab machines, their network and volumes
	@$(PREREQ) docker
	@ansible-playbook playbooks/lab-down.yml

engine-local: venv ## Install and start Docker Engine on this machine with the engine role (as root)
	@$(PREREQ) root
	@ansible-playbook playbooks/controller-engine.yml

test: lint sanity unit docs build molecule integration ## All tests: lint, sanity, unit, docs, build, Molecule, lab

lint: venv ## ansible-lint (profile production) and yamllint
	@yamllint -s .
	@ansible-lint

# ansible-test wants the collection at ansible_collections/<ns>/<name>: test a
# copy of the work tree (tracked and untracked-but-not-ignored files).
SANITY_ROOT := $(CURDIR)/.build/sanity/ansible_collections/anchorage/swarm
SANITY_VENV := $(CURDIR)/.cache/sanity-venv
sanity: venv ## ansible-test sanity on a copy of the collection
	@rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	@git ls-files -co --exclude-standard | grep -v '^\.collections/' \
	  | tar -c -T - | tar -x -C $(SANITY_ROOT)
	@# A repository of its own, or ansible-test would list files from this one,
	@# where .build/ is ignored.
	@cd $(SANITY_ROOT) && git init -q && git add -A
	@# Its own venv: ansible-test pins its test tools (pylint, yamllint, ...) and
	@# installs them with --requirements; they must not move the tools in .venv.
	@test -x $(SANITY_VENV)/bin/ansible-test || { $(PY) -m venv $(SANITY_VENV) && \
	  $(SANITY_VENV)/bin/pip install -q --disable-pip-version-check "$$(grep '^ansible-core' requirements.txt)"; }
	@$(CURDIR)/scripts/ansible-test-pip-bootstrap.sh $(SANITY_VENV)/bin/python
	@cd $(SANITY_ROOT) && $(SANITY_VENV)/bin/ansible-test sanity --color no --python 3.11 --requirements

unit: venv ## pytest unit tests of modules and decisions
	@pytest -q tests/unit

molecule: images ## Molecule scenarios (real nodes running their own Engine)
	@molecule test --all

integration: images ## Lab end to end: make lab, ping over SSH and paramiko, re-run, lab-down
	@pytest -q tests/integration

build: venv ## Build the collection tarball into .build/
	@ansible-galaxy collection build --force --output-path .build

docs: venv ## Render the docs of every module, filter and role (fails on any that does not render)
	@for m in $$(ls plugins/modules/*.py | xargs -n1 basename | sed 's/\.py$$//'); do \
	  ansible-doc -t module anchorage.swarm.$$m >/dev/null; echo "ansible-doc -t module anchorage.swarm.$$m: ok"; done
	@for f in $$(ls plugins/filter/*.yml | xargs -n1 basename | sed 's/\.yml$$//'); do \
	  ansible-doc -t filter anchorage.swarm.$$f >/dev/null; echo "ansible-doc -t filter anchorage.swarm.$$f: ok"; done
	@for r in $$(ls roles); do \
	  ansible-doc -t role anchorage.swarm.$$r >/dev/null; echo "ansible-doc -t role anchorage.swarm.$$r: ok"; done

clean: ## Remove build output (not the lab: that is make lab-down)
	@rm -rf .build tests/output
