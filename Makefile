# SPDX-License-Identifier: GPL-2.0-only
#
# sdxi top-level build.  Each part of the tree contributes a fragment
# (*.mk) that adds its build targets and its test suites:
#
#   CHECK_SUITES   names of test suites; suite X is run by target check-X,
#                  which must write TAP to $(RESULTS)/X.tap and succeed
#                  even when tests fail (the summary decides).
#   FULL_SUITES    extra suites run only by make check-full.
#
# make deps       idempotent host setup (tools/deps.sh)
# make check      host and VM tests; ends with "N passed, N failed"
# make check-full check plus the long robustness profiles
# make check-debug the VM suites again on the debug kernel (KASAN, lockdep,
#                 kmemleak, UBSAN, KUnit, DMA-API debug; tools/vm/debug.mk)
# make run        the main job (boots the VM with the emulated function)
# make bench      host-native benchmarks

SHELL := /bin/bash
TOP := $(CURDIR)
B := $(TOP)/build
RESULTS := $(B)/results
SDXI_CACHE ?= $(HOME)/.cache/sdxi
export SDXI_CACHE

CC := gcc
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I$(TOP)/uapi -I$(TOP)/lib/engine
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

CHECK_SUITES :=
FULL_SUITES :=
BENCH_TARGETS :=

.PHONY: all deps check check-full run bench clean
all:

deps:
	@$(TOP)/tools/deps.sh

include lib/engine/engine.mk
-include tools/qemu/qemu.mk
-include tools/vm/vm.mk
-include kernel/kernel.mk
-include lib/lib.mk
-include selftests/sdxi/selftests.mk
-include tools/sdxi-perf/perf.mk
-include tools/vm/debug.mk

check: deps
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory $(addprefix check-,$(CHECK_SUITES))
	@$(TOP)/tools/tap-summary $(RESULTS)/*.tap

check-full: deps
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory $(addprefix check-,$(CHECK_SUITES) $(FULL_SUITES))
	@$(TOP)/tools/tap-summary $(RESULTS)/*.tap

bench: $(BENCH_TARGETS)

clean:
	rm -rf $(B)
