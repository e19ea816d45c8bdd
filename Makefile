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
QEMU_DEBS := libvirt-daemon-system qemu-system-x86
TEST_DEBS := $(QEMU_DEBS) util-linux chromium chromium-driver

.PHONY: run test unit functional lint bench deps services clean tempest guest

$(BIN)/.installed: pyproject.toml
	./tools/ensure-debs.sh $(DEBS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

deps: $(BIN)/.installed

# Real guests: `STRATUS_LIBVIRT_URI=qemu:///system make run` also starts
# libvirtd and builds an image that boots to a login prompt (`guest`).
STATE_DIR := $(or $(STRATUS_STATE_DIR),var)
GUEST_IMAGE := $(STATE_DIR)/stratus-guest.qcow2
GUEST_DEBS := syslinux syslinux-common mtools dosfstools cpio kmod qemu-utils

run: deps
	@case "$(STRATUS_LIBVIRT_URI)" in qemu*) $(MAKE) --no-print-directory guest ;; esac
	$(BIN)/stratus db sync
	$(BIN)/stratus all-in-one

guest: $(GUEST_IMAGE)
	./tools/ensure-debs.sh $(QEMU_DEBS)
	./tools/ensure-libvirtd.sh

$(GUEST_IMAGE): tools/guest_image.py
	./tools/ensure-debs.sh $(GUEST_DEBS)
	mkdir -p $(STATE_DIR)
	$(PYTHON) tools/guest_image.py $@

services: deps
	./tools/ensure-debs.sh $(TEST_DEBS)
	./tools/ensure-services.sh
	./tools/ensure-libvirtd.sh

lint: deps
	$(BIN)/lint-imports .importlinter

unit: deps
	$(BIN)/pytest -q tests/unit

functional: deps services $(GUEST_IMAGE)
	$(BIN)/pytest -q tests/functional

test: deps services $(GUEST_IMAGE)
	$(BIN)/pytest -q tests/unit tests/functional

# Tempest (PyPI, in .tempest-venv) against an all-in-one started and
# stopped here; fails if a test in conformance/expected-pass.txt did not pass.
tempest: deps
	$(BIN)/python conformance/run.py --gate

bench: deps services
	$(BIN)/python bench/boot.py

clean:
	rm -rf $(VENV) .tempest-venv var build *.egg-info
