# fleetports — build, test and benchmark entry points.
# `make test` works on a bare Debian 12 machine: `setup` installs what is missing.

SWIFT ?= swift
APT_PACKAGES := libssh2-1-dev libssl-dev pkg-config openssh-server openssh-client iproute2 net-tools lsof busybox zsh fish tcsh csh \
                procps sudo python3 python3-venv util-linux libsqlite3-dev chromium chromium-driver python3-jsonschema nftables iptables \
                postgresql-15 postgresql-client-15 openssl strace
LAB_HOSTS ?= 8
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup lint build test bench bench-peers peers-setup demo clean

## setup: install the Debian packages fleetports needs (only those missing)
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make setup: installing$$missing"; \
	  prc=/usr/sbin/policy-rc.d; made=0; \
	  if [ ! -e $$prc ]; then printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee $$prc >/dev/null; $(SUDO) chmod +x $$prc; made=1; fi; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	  status=$$?; [ $$made = 1 ] && $(SUDO) rm -f $$prc; exit $$status; \
	else echo "make setup: all packages present"; fi

## lint: swift-format's rules (.swift-format) on every Swift file; fails on any finding
# .swift-format is swift-argument-parser's (2-space indent, NeverForceUnwrap, NeverUseForceTry,
# OrderedImports, ValidateDocumentationComments, ...) with the tree's 140 columns and indented #if
# blocks; off: BeginDocumentationCommentWithOneLineSummary (106 doc comments in 73 files would
# change) and AllPublicDeclarationsHaveDocumentation (as there). The pretty-printer's whitespace
# findings (indentation, line breaks, line length: 357 in 84 files besides the generated
# EmbeddedTemplates.swift) are not checked yet: they go with one whole-tree `swift format -i` when
# no branch is in flight. `swift format -i FILE` formats new code to the same configuration.
lint:
	$(SWIFT) format lint --strict --recursive --parallel --debug-disable-pretty-print Sources Tests Benchmarks

## build: debug build of every target
build: setup
	$(SWIFT) build

## test: unit tests, fixture tests and (as root) integration tests on a lab of $(LAB_HOSTS) hosts
test: setup lint
	$(SWIFT) build --build-tests
	@if [ "$$(id -u)" = 0 ]; then \
	  lab/with-lab.sh $(LAB_HOSTS) -- env FLEETPORTS_REQUIRE_LAB=1 FLEETPORTS_REQUIRE_TOOLS=1 $(SWIFT) test --skip-build --no-parallel; \
	else \
	  echo "make test: not root, so no lab: integration tests are skipped"; \
	  FLEETPORTS_REQUIRE_TOOLS=1 $(SWIFT) test --skip-build --no-parallel; \
	fi

## bench: parser throughput, `parse` end to end beside jc and the history (SQLite and a PostgreSQL of its own;
## release build); as root also the transport, whole scans (up to 1,000 sessions) and the bastion on a 500-host lab
bench: setup peers-setup
	$(SWIFT) build -c release --product fleetports-bench
	$(SWIFT) build -c release --product fleetports-ssh-bench
	$(SWIFT) build -c release --product fleetports-history-bench
	$(SWIFT) build -c release --product fleetports
	.build/release/fleetports-bench
	$(PEERS_VENV)/bin/python lab/bench-parse.py --jc $(PEERS_VENV)/bin/jc
	tools/with-postgres.sh .build/release/fleetports-history-bench
	@if [ "$$(id -u)" = 0 ]; then lab/with-lab.sh 500 -- lab/bench.sh; \
	else echo "make bench: not root, so no lab: transport benchmark skipped"; fi

# The peers bench-peers measures fleetports against, pinned; installed into .build-peers (never committed).
PEER_APT := pssh python3-venv
PEER_PIP := parallel-ssh==2.16.0.post1 asyncssh==2.24.1 ansible-core==2.19.14 jc==1.26.1
PEERS_VENV := .build-peers/venv

## peers-setup: Debian's pssh, and a virtualenv with the parallel-ssh library, asyncssh, ansible-core and jc
peers-setup: setup
	@missing=""; for p in $(PEER_APT); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi
	@[ -x $(PEERS_VENV)/bin/python ] || python3 -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install -q --disable-pip-version-check $(PEER_PIP)

## bench-peers: fleetports against OpenSSH, pssh, parallel-ssh, asyncssh and Ansible on one lab (root):
## 100 and 200 hosts, then 200 behind a 100 ms round trip; reports/bench/peers.md
bench-peers: peers-setup
	$(SWIFT) build -c release --product fleetports
	@if [ "$$(id -u)" != 0 ]; then echo "make bench-peers: needs root (the lab's network namespaces)"; exit 1; fi
	lab/with-lab.sh 200 -- $(PEERS_VENV)/bin/python lab/bench-peers.py

## demo: a 12-host lab, scanned; the lab stays up until `make lab-down`
demo: setup
	$(SWIFT) build --product fleetports
	lab/lab.sh up 12
	.build/debug/fleetports scan inventory/lab.txt --known-hosts lab/run/known_hosts \
	  --identity lab/run/id_ed25519 --ssh-config /dev/null; status=$$?; \
	  echo; echo "The lab is still up: try 'ssh -F lab/run/ssh_config lab-004 ss -tlnp', then 'make lab-down'."; \
	  exit $$status

clean:
	rm -rf .build

-include lab/lab.mk
