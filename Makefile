# SPDX-License-Identifier: GPL-2.0-only
#
# sdxi top-level build.  Each part of the tree contributes a fragment
# (*.mk, included below; a missing fragment is an error) that adds its
# build targets and registers its test suites, one line per suite:
#
#   CHECK_SUITES += X   a host suite: make check runs it
#   VM_SUITES += X      a suite that boots the test VM: make check runs it
#                       on Debian's 6.12, make check-debug on the debug
#                       build of Linux 7.3
#   FULL_SUITES += X    a long profile: make check-full adds it
#   DEBUG_SUITES += X   make check-debug also runs it (suites that need the
#                       debug kernel, or a host suite that builds against
#                       the kernel's tree)
#
# Suite X is run by target check-X, whose recipe writes $(RESULTS)/X.tap
# through $(SUITE_TAP) (directly, or through tools/vm/tap-run or
# kernel/tests/vm-run) and succeeds even when tests fail.  The summary
# (tools/tap-summary) fails every registered suite that wrote no TAP, a
# truncated or crashed one, and a host suite that booted the VM; see
# Documentation/testing.rst.
#
# make deps        idempotent host setup (tools/deps.sh)
# make check       host and VM tests; a per-suite table, then "N passed,
#                  N failed"
# make check-full  check plus the long robustness profiles
# make check-debug the VM suites on the debug 7.3 kernel (KASAN, lockdep,
#                  kmemleak, UBSAN, KUnit, DMA-API debug, failslab;
#                  tools/vm/debug.mk)
# make check-X     one suite, with the summary of that suite
# make run         the main job (boots the VM with the emulated function)
# make bench       host-native benchmarks

SHELL := /bin/bash
TOP := $(CURDIR)
B := $(TOP)/build
RESULTS := $(B)/results
SDXI_CACHE ?= $(HOME)/.cache/sdxi
export SDXI_CACHE

CC := gcc
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I$(TOP)/uapi -I$(TOP)/include -I$(TOP)/lib/engine
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# The kernel that modules build against and the test VM boots: Debian's
# 6.12 (make deps) unless make check-debug points these at its own build.
#   KVER      its release; KDIR its build tree (M= builds)
#   KSRC      its source tree (dmatest.c, checkpatch, the kselftest tree)
#   KSUFFIX   appended to the build directories of everything built
#             against it, so objects of the two kernels never mix
ifndef KVER
KVER := $(shell cat $(SDXI_CACHE)/guest-kernel/kver 2>/dev/null)
endif
KDIR ?= /usr/src/linux-headers-$(KVER)
KSRC ?= $(SDXI_CACHE)/linux-source
KSUFFIX ?=

SUITE_TAP := $(TOP)/tools/suite-tap

CHECK_SUITES :=
VM_SUITES :=
FULL_SUITES :=
DEBUG_SUITES :=
BENCH_TARGETS :=

.PHONY: all deps check check-full run bench clean
all:

deps:
	@$(TOP)/tools/deps.sh

include lib/engine/engine.mk
include tools/qemu/qemu.mk
include tools/vm/vm.mk
include tools/test-run.mk
include Documentation/docs.mk
include kernel/kernel.mk
include lib/lib.mk
include selftests/sdxi/selftests.mk
include tools/vm/props.mk
include tools/sdxi-perf/perf.mk
include tools/qemu/sriov.mk
include tools/vm/debug.mk
include tools/sdxictl/sdxictl.mk
include dist/install.mk
include dist/dkms.mk
include dist/deb.mk

# $(call run_checks,RESULTS,SUITES): run them, then the summary.
define run_checks
@MAKE="$(MAKE)" $(TOP)/tools/run-suites $(1) $(2)
@$(TOP)/tools/tap-summary --host "$(CHECK_SUITES)" $(1) $(2)
endef

check: deps
	$(call run_checks,$(RESULTS),$(CHECK_SUITES) $(VM_SUITES))

check-full: deps
	$(call run_checks,$(RESULTS),$(CHECK_SUITES) $(VM_SUITES) $(FULL_SUITES))

bench: $(BENCH_TARGETS)

clean:
	rm -rf $(B)
