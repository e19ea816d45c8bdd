# Two commands on a fresh machine: `make run` (the all-in-one cloud) and
# `make test`. Both install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# novnc: the browser client pages `stratus novncproxy` serves.
DEBS := libvirt-dev pkg-config qemu-utils novnc
# A functional test boots a real QEMU guest through libvirtd; another
# opens its console in headless Chromium; the live-migration test runs two
# private libvirtd, each in a mount namespace of its own (unshare).
TEST_DEBS := libvirt-daemon-system qemu-system-x86 util-linux chromium chromium-driver

.PHONY: run test unit functional lint bench deps services clean tempest

$(BIN)/.installed: pyproject.toml
	./tools/ensure-debs.sh $(DEBS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

deps: $(BIN)/.installed

run: deps
	$(BIN)/stratus db sync
	$(BIN)/stratus all-in-one

services: deps
	./tools/ensure-debs.sh $(TEST_DEBS)
	./tools/ensure-services.sh
	./tools/ensure-libvirtd.sh

lint: deps
	$(BIN)/lint-imports .importlinter

unit: deps
	$(BIN)/pytest -q tests/unit

functional: deps services
	$(BIN)/pytest -q tests/functional

test: deps services
	$(BIN)/pytest -q tests/unit tests/functional

# Tempest (PyPI, in .tempest-venv) against an all-in-one started and
# stopped here; fails if a test in conformance/expected-pass.txt did not pass.
tempest: deps
	$(BIN)/python conformance/run.py --gate

bench: deps services
	$(BIN)/python bench/boot.py

clean:
	rm -rf $(VENV) .tempest-venv var build *.egg-info
