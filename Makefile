# Two commands on a fresh machine: `make run` (the all-in-one cloud) and
# `make test`. Both install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# novnc: the browser client pages `stratus novncproxy` serves.
DEBS := libvirt-dev pkg-config qemu-utils novnc
# A functional test boots a real QEMU guest through libvirtd; another
# opens its console in headless Chromium; the live-migration test runs two
# private libvirtd, each in a mount namespace of its own (unshare); the
# suite's second pass runs on RabbitMQ. A guest's network is a libvirt NAT
# bridge: libvirt runs dnsmasq for its DHCP and iptables for its NAT; the
# guest-network test pings its guest.
QEMU_DEBS := libvirt-daemon-system qemu-system-x86 dnsmasq-base iptables
TEST_DEBS := $(QEMU_DEBS) util-linux chromium chromium-driver rabbitmq-server iputils-ping

.PHONY: run test unit functional functional-rabbitmq lint bench deps services clean tempest guest guest-probe

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

# This host gives a real guest its network and config drive: a guest on a
# NAT network of its own serves HTTP from its user data, the host fetches
# and pings it, then everything is removed (STRATUS_LIBVIRT_VIRT_TYPE=qemu
# where KVM cannot boot it).
guest-probe: deps guest
	./tools/ensure-debs.sh iputils-ping
	$(BIN)/python tools/guest_network_probe.py $(GUEST_IMAGE)

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

# The functional suite runs on Redis; then a representative part of it
# runs again on RabbitMQ (a fresh virtual host, tests/functional/brokers.py):
# boots, actions, resize, live migration, services, the clients and a
# rolling upgrade. The whole suite on RabbitMQ (`make functional-rabbitmq`)
# took 13.4 min on the shared 2-core VM, which would put `make test` past
# 15 min. Tests that bring their own broker (the fault tests' redis-server,
# the redelivery test's RabbitMQ) or none (the all-in-one) stay out of it.
ON_OWN_BROKER := test_fault_outages test_fault_broker_restart test_fault_compute_kill \
	test_fault_restarts test_allinone_console test_operator_cli test_redelivery
ON_RABBITMQ := test_boot test_actions test_resize test_live_migration test_services \
	test_clients test_rolling_upgrade test_one_conductor_thread
RABBITMQ := STRATUS_FT_BROKER=rabbitmq $(BIN)/pytest -q

functional: deps services $(GUEST_IMAGE)
	$(BIN)/pytest -q tests/functional

functional-rabbitmq: deps services $(GUEST_IMAGE)
	$(RABBITMQ) tests/functional $(foreach t,$(ON_OWN_BROKER),--ignore=tests/functional/$(t).py)

test: deps services $(GUEST_IMAGE)
	$(BIN)/pytest -q tests/unit tests/functional
	$(RABBITMQ) $(foreach t,$(ON_RABBITMQ),tests/functional/$(t).py)

# Tempest (PyPI, in .tempest-venv) against an all-in-one and, for the
# migration tests, a distributed cloud (PostgreSQL and Redis: started here
# if they are not running), both started and stopped here; fails if a test
# in conformance/expected-pass.txt did not pass.
tempest: deps
	./tools/ensure-services.sh
	$(BIN)/python conformance/run.py --gate

# The boot benchmark against the floor; where a boot's time goes (CPU per
# process, messages and commits per boot; what one message costs its
# worker, Stratus's RPC spine beside a bare Celery task; a local-mode
# boot's CPU in process and its instructions under callgrind); then the scale
# figures: scheduler
# decisions at 100/1,000/10,000 compute nodes, GET /servers/detail?limit=1000
# among 10,000 servers, 200 boots racing for room for 150, and each role's
# idle memory.
# The boot benchmark sweeps the offered rates BENCH_RATES (0: as fast as
# possible) and plots them into $(STATE_DIR)/bench.png (matplotlib: the
# `bench` extra). Quick: `make bench BENCH_N=60 BENCH_RATES=10,0 SCHED_N=50`.
BENCH_N ?= 150
BENCH_RATES ?= 10,20,0
SCHED_N ?= 200
$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

bench: deps services $(BIN)/.bench-installed
	mkdir -p $(STATE_DIR)
	$(BIN)/python bench/boot.py -n $(BENCH_N) --rates $(BENCH_RATES) --plot $(STATE_DIR)/bench.png
	$(BIN)/python bench/boot_profile.py
	$(BIN)/python bench/message_cost.py
	$(BIN)/python bench/local_cost.py --instructions
	$(BIN)/python bench/scheduler_scale.py -n $(SCHED_N)
	$(BIN)/python bench/list_scale.py
	$(BIN)/python bench/race.py
	$(BIN)/python bench/rss.py

clean:
	rm -rf $(VENV) .tempest-venv var build *.egg-info
