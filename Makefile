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
.PHONY: help venv bench lab lab-down env ls start stop restart rm ssh images engine-local test test-quick lint sanity unit molecule molecule-vagrant vagrant-check integration community-docker-5 build docs clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

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

env: ## Print the DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH lines for machine M (like docker-machine env): eval $(make -s env M=manager1)
	@# No venv needed: the script is Python 3 standard library, reading the context make lab wrote.
	@# ENV_SHELL=fish|powershell for other shells; UNSET=1 prints the lines that undo it.
	@if [ -n "$(UNSET)" ]; then \
	  $(PY) scripts/machine-env.py --unset --shell "$(or $(ENV_SHELL),sh)" --hint 'make -s env UNSET=1$(if $(ENV_SHELL), ENV_SHELL=$(ENV_SHELL))'; \
	elif [ -z "$(M)" ]; then \
	  echo "Name the machine: make -s env M=manager1 (one of the inventory's hosts; make lab made their docker contexts)." >&2; exit 2; \
	else \
	  $(PY) scripts/machine-env.py --shell "$(or $(ENV_SHELL),sh)" --hint 'make -s env M=$(M)$(if $(ENV_SHELL), ENV_SHELL=$(ENV_SHELL))' '$(M)'; \
	fi

# The docker-machine commands for the lab's machines (playbooks/machine.yml): M=NAME[,NAME] (empty: every machine,
# except for rm); FORCE=1 stops or removes managers even when the swarm loses its quorum; ALL=1 lets rm remove
# every machine.
MACHINE_ARGS = $(if $(M),-e machine_names=$(M)) $(if $(FORCE),-e machine_force=true) $(if $(ALL),-e machine_all=true)

ls: venv ## List the lab machines: state, URL, swarm role, Engine version (like docker-machine ls)
	@$(PREREQ) docker
	@ansible-playbook playbooks/machine.yml -e machine_action=ls $(MACHINE_ARGS)

start: venv ## Start machines M=NAME[,NAME] (default: all) and wait until the swarm sees them ready
	@$(PREREQ) docker
	@ansible-playbook playbooks/machine.yml -e machine_action=start $(MACHINE_ARGS)

stop: venv ## Stop machines M=NAME[,NAME] (default: all); refuses to cost the swarm its quorum unless FORCE=1
	@$(PREREQ) docker
	@ansible-playbook playbooks/machine.yml -e machine_action=stop $(MACHINE_ARGS)

restart: venv ## Restart machines M=NAME[,NAME] (default: all)
	@$(PREREQ) docker
	@ansible-playbook playbooks/machine.yml -e machine_action=restart $(MACHINE_ARGS)

rm: venv ## Remove machines M=NAME[,NAME] (ALL=1: every one) with their volume, swarm node and inventory entry
	@$(PREREQ) docker
	@ansible-playbook playbooks/machine.yml -e machine_action=rm $(MACHINE_ARGS)

ssh: venv ## Open a shell on machine M over SSH with the lab's key (CMD="docker ps" runs a command instead)
	@python3 scripts/machine-ssh.py "$$M" $(if $(CMD),"$$CMD")

# make bench: N=3,6,9 machines, 3 runs each (BENCH_SIZES=3,6 BENCH_RUNS=1 for a quicker look); bench/run.py --help.
bench: images ## Benchmarks: cold converge and no-op re-run against their floors, stack deploys; table, CSV and chart in results/bench/
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null || $(BIN)/pip install -q --disable-pip-version-check -r bench/requirements.txt
	@$(BIN)/python bench/run.py

engine-local: venv ## Install and start Docker Engine on this machine with the engine role (as root)
	@$(PREREQ) root
	@ansible-playbook playbooks/controller-engine.yml

# Molecule scenarios make test runs, one stage each: every scenario but vagrant (VirtualBox: make molecule-vagrant).
MOLECULE_SCENARIOS := $(filter-out vagrant shared,$(notdir $(patsubst %/,%,$(dir $(wildcard molecule/*/molecule.yml)))))
# make test's stages, in the order they start when a job slot is free and what they need is there (venv first, images
# before the stages with nodes): the longest first (the lab test, then the stack scenario), the short CPU-bound ones
# in between. A Molecule scenario not named here is added at the end. Each stage is `make STAGE`, timed and counted
# by scripts/stages.py; the table at the end gives each stage's time and test count.
ORDERED_SCENARIOS := stack swarm default
TEST_STAGES := venv images integration molecule-stack lint sanity unit vagrant-check docs build molecule-swarm \
  molecule-default $(addprefix molecule-,$(filter-out $(ORDERED_SCENARIOS),$(MOLECULE_SCENARIOS))) community-docker-5
QUICK_STAGES := venv lint sanity unit docs
# Three at a time: the scenarios and the lab test mostly wait on their nodes (about a third of 2 cores each).
TEST_JOBS ?= 3
STAGES := $(PY) $(CURDIR)/scripts/stages.py
# $(call run_stages,STAGES,FIRST,NEEDS): the stages as make targets run -j$(TEST_JOBS); a failure starts no new stage, and the
# table is printed either way. With one job the stages' output is passed through; side by side it goes to their logs.
# What each run needs on this machine, installed (as root) before any stage starts: stages side by side would
# otherwise run apt-get at once and fail on dpkg's lock.
TEST_NEEDS := python docker debootstrap git shellcheck chromium ruby
QUICK_NEEDS := python git shellcheck
define run_stages
	@$(PREREQ) $(3)
	@$(STAGES) reset
	@rc=0; $(MAKE) --no-print-directory -j$(TEST_JOBS) STAGES_AFTER=$(2) $(addprefix stage-,$(1)) || rc=$$?; \
	  $(STAGES) table; exit $$rc
endef

test: ## All tests: lint, sanity, unit, Vagrant driver checks, docs, build and galaxy-importer, Molecule, lab, community.docker 5.x; ends with a table of each stage's time and tests
	$(call run_stages,$(TEST_STAGES),stage-images,$(TEST_NEEDS))

test-quick: ## The inner loop, no node started: lint, sanity, unit, docs (a few minutes); make test runs everything
	$(call run_stages,$(QUICK_STAGES),stage-venv,$(QUICK_NEEDS))

# stage-NAME: `make NAME` under the stage timer. venv and images are stages of their own, made once before the stages
# that need them (-o: not remade inside each stage, where two at once would build the same images).
.PHONY: $(addprefix stage-,$(TEST_STAGES))
# In make test every stage waits for images, even those that need only the venv: when several wait on one stage,
# make starts them in about the order they are listed, so the lab test and the stack scenario (the longest) start
# first. Were lint and the like waiting on venv alone, make would start them all before the long stages (seen with
# GNU make 4.3).
# make test sets STAGES_AFTER=stage-images; make test-quick, which needs no image, leaves it at stage-venv.
STAGES_AFTER ?= stage-venv
stage-images: stage-venv
$(addprefix stage-,$(addprefix molecule-,$(MOLECULE_SCENARIOS)) integration community-docker-5): stage-images
$(addprefix stage-,lint sanity unit vagrant-check docs build): $(STAGES_AFTER)
$(addprefix stage-,$(TEST_STAGES)): stage-%:
	@$(STAGES) run $(if $(filter 1,$(TEST_JOBS)),,--quiet) $* -- \
	  $(MAKE) --no-print-directory $(if $(filter venv,$*),,-o venv) $(if $(filter venv images,$*),,-o images) $*

molecule-%: images ## One Molecule scenario, e.g. make molecule-swarm
	@molecule test -s $*

lint: venv ## ansible-lint (profile production) and yamllint
	@yamllint -s .
	@ansible-lint

# ansible-test wants the collection at ansible_collections/<ns>/<name>: test a
# copy of the work tree (tracked and untracked-but-not-ignored files).
SANITY_ROOT := $(CURDIR)/.build/sanity/ansible_collections/anchorage/swarm
SANITY_VENV := $(CURDIR)/.cache/sanity-venv
sanity: venv ## ansible-test sanity on a copy of the collection
	@$(PREREQ) git shellcheck
	@rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	@# tests/compose_corpus holds compose files as users write them (Latin-1, UTF-16, BOMs, CRLF on purpose): they are
	@# test data of the differential test, not collection content, and ansible-test's text checks would refuse them.
	@git ls-files -co --exclude-standard | grep -v -e '^\.collections/' -e '^tests/compose_corpus/' \
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
	@pytest -q --durations=10 tests/unit

molecule: images ## Molecule scenarios (real nodes running their own Engine), all but vagrant (make molecule-vagrant)
	@# molecule/vagrant needs VirtualBox: make molecule-vagrant runs it where there is one.
	@molecule test --all --exclude vagrant

molecule-vagrant: venv ## Molecule scenario vagrant: the Engine and swarm roles on VirtualBox VMs (needs Vagrant and VirtualBox)
	@$(PREREQ) vagrant
	@molecule test -s vagrant

vagrant-check: venv ## Vagrant driver where there is no VirtualBox: rendered Vagrantfile (ruby), its run, molecule syntax -s vagrant
	@$(PREREQ) ruby
	@pytest -q --durations=10 tests/static

integration: images ## Lab end to end: make lab, ping over SSH and paramiko, re-run, lab-down
	@$(PREREQ) chromium
	@pytest -q --durations=30 tests/integration

# galaxy-importer (PyPI) checks the tarball as Galaxy's import does: galaxy.yml, a README for every role, the
# changelog, ansible-doc of every plugin and module, ansible-lint (Galaxy's rules, offline). It runs in a venv of its
# own: its pins (attrs<24, flake8<7) clash with .venv's. Settings: tests/galaxy/galaxy-importer.cfg (no container, so
# no ansible-test there: make sanity runs it). Any warning or error it logs fails the build.
GALAXY_IMPORTER_VENV := $(CURDIR)/.cache/galaxy-importer-venv
GALAXY_IMPORTER_DIR := $(CURDIR)/.build/galaxy-importer
COLLECTION_TARBALL := $(CURDIR)/.build/anchorage-swarm-$(shell sed -n 's/^version: *//p' galaxy.yml).tar.gz

$(GALAXY_IMPORTER_VENV)/.installed: tests/galaxy/requirements.txt
	@test -x $(GALAXY_IMPORTER_VENV)/bin/python || $(PY) -m venv $(GALAXY_IMPORTER_VENV)
	@echo "Installing galaxy-importer into $(GALAXY_IMPORTER_VENV) ..."
	@$(GALAXY_IMPORTER_VENV)/bin/pip install -q --disable-pip-version-check -r tests/galaxy/requirements.txt
	@touch $@

# community.docker 5.x (Galaxy's newest major; .venv's `ansible` 12 carries 4.x): taken from the `ansible` package on
# PyPI that carries it (its wheel, not installed: ansible 13 needs Python 3.12), first on the collection path.
COMMUNITY_DOCKER_5_ANSIBLE := 13.8.0
COMMUNITY_DOCKER_5_PATH := $(CURDIR)/.cache/community-docker-5
community-docker-5: images ## community.docker 5.x (from ansible 13.8.0 on PyPI): every playbook's modules, and a one-machine lab with the machine, engine and swarm roles
	@$(PREREQ) docker
	@$(BIN)/python scripts/collections-from-ansible.py --ansible $(COMMUNITY_DOCKER_5_ANSIBLE) --dest $(COMMUNITY_DOCKER_5_PATH) \
	  --cache $(CURDIR)/.cache/wheels --expect community.docker=5. community.docker community.library_inventory_filtering_v1
	@ANSIBLE_COLLECTIONS_PATH=$(COMMUNITY_DOCKER_5_PATH):$(CURDIR)/.collections ANCHORAGE_COMMUNITY_DOCKER_PATH=$(COMMUNITY_DOCKER_5_PATH) \
	  pytest -q --durations=10 tests/compat

build: venv $(GALAXY_IMPORTER_VENV)/.installed ## Build the collection tarball into .build/ and import it with galaxy-importer (fails on any warning)
	@ansible-galaxy collection build --force --output-path .build
	@$(BIN)/python scripts/tarball-check.py $(COLLECTION_TARBALL)
	@rm -rf $(GALAXY_IMPORTER_DIR) && mkdir -p $(GALAXY_IMPORTER_DIR)/tmp
	@# Run in its own folder: it writes importer_result.json into the current one.
	@cd $(GALAXY_IMPORTER_DIR) && env PATH="$(GALAXY_IMPORTER_VENV)/bin:$$PATH" \
	  GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy/galaxy-importer.cfg \
	  GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$(GALAXY_IMPORTER_DIR)/tmp GALAXY_IMPORTER_TMP_ROOT_DIR=$(GALAXY_IMPORTER_DIR)/tmp \
	  $(GALAXY_IMPORTER_VENV)/bin/python -m galaxy_importer.main $(COLLECTION_TARBALL) >importer.log 2>&1 \
	  || { cat importer.log; echo "galaxy-importer failed on $(COLLECTION_TARBALL)"; exit 1; }
	@if grep -E '^(WARNING|ERROR)' $(GALAXY_IMPORTER_DIR)/importer.log; then \
	  echo "galaxy-importer logged the warnings or errors above ($(GALAXY_IMPORTER_DIR)/importer.log)"; exit 1; fi
	@grep -E '^(Importing with|Importer processing completed)' $(GALAXY_IMPORTER_DIR)/importer.log

docs: venv ## Render the docs of every module, filter and role (fails on any that does not render)
	@for m in $$(ls plugins/modules/*.py | xargs -n1 basename | sed 's/\.py$$//'); do \
	  ansible-doc -t module anchorage.swarm.$$m >/dev/null; echo "ansible-doc -t module anchorage.swarm.$$m: ok"; done
	@for f in $$(ls plugins/filter/*.yml | xargs -n1 basename | sed 's/\.yml$$//'); do \
	  ansible-doc -t filter anchorage.swarm.$$f >/dev/null; echo "ansible-doc -t filter anchorage.swarm.$$f: ok"; done
	@for r in $$(ls roles); do \
	  ansible-doc -t role anchorage.swarm.$$r >/dev/null; echo "ansible-doc -t role anchorage.swarm.$$r: ok"; done

clean: ## Remove build output (not the lab: that is make lab-down)
	@rm -rf .build tests/output
