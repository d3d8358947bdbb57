# SPDX-License-Identifier: MIT
#
# sdxi-perf (tools/sdxi-perf): the benchmark users quote, its test suite
# and make run.
#
#   make run          the main job: boot the VM with an emulated SDXI
#                     function, load sdxi.ko, run the default sdxi-perf
#                     sweep on /dev/sdxi0 (user-mapped context) next to
#                     the kernel dmaengine path (dmatest), run the same
#                     sweep on the software device natively on the host,
#                     print both tables and the plot's path (run.sh)
#   make sdxi-perf    build/sdxi-perf/sdxi-perf (static: the same file
#                     runs on the host and in the VM)
#   make check-perf   TAP: option parsing, histogram math, JSON/CSV
#                     well-formedness, --help and man page coverage, short
#                     verified runs of every op on the software device
#   make bench-perf   default sweep + comparisons on the software device,
#                     JSON, CSV and plot in build/sdxi-perf/bench.*
#
#   PERF_RUN_ARGS     extra sdxi-perf options for both halves of make run
#   PERF_VM_DEVICE    the node the VM half measures (default /dev/sdxi0)

PERF_B := $(B)/sdxi-perf
PERF_BIN := $(PERF_B)/sdxi-perf
PERF_TEST := $(PERF_B)/perf-test
PERF_SRC := $(filter-out tools/sdxi-perf/main.c,$(wildcard tools/sdxi-perf/*.c)) \
	tools/common/json.c
PERF_HDR := $(wildcard tools/sdxi-perf/*.h) tools/common/json.h lib/include/sdxi.h $(wildcard lib/include/sdxi/*.h) \
	uapi/linux/sdxi_hw.h
PERF_GIT := $(shell git -C $(TOP) describe --always --dirty 2>/dev/null || echo unknown)
PERF_CFLAGS := $(HOST_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/tools/sdxi-perf -I$(TOP)/tools/common \
	-DPERF_BUILD='"$(PERF_GIT)"'
# Static urcu libraries: memb needs common, so it comes first.
PERF_LIBS := $(B)/lib/libsdxi.a -lurcu-memb -lurcu-common -lpthread -lm
# Packages (make deb) link it dynamically: PERF_LDFLAGS= and PERF_LIBS.
PERF_LDFLAGS ?= -static
PERF_RUN_ARGS ?=
PERF_VM_DEVICE ?= /dev/sdxi0

CHECK_SUITES += perf
BENCH_TARGETS += bench-perf

.PHONY: run perf-run sdxi-perf check-perf bench-perf
all: sdxi-perf
sdxi-perf: $(PERF_BIN)

$(PERF_BIN): tools/sdxi-perf/main.c $(PERF_SRC) $(PERF_HDR) $(B)/lib/libsdxi.a
	@mkdir -p $(@D)
	$(CC) $(PERF_CFLAGS) $(PERF_LDFLAGS) -o $@ tools/sdxi-perf/main.c $(PERF_SRC) $(PERF_LIBS)

$(PERF_TEST): tools/sdxi-perf/tests/perf-test.c $(PERF_SRC) $(PERF_HDR) lib/testing/tap.c \
		lib/testing/tap.h $(B)/lib/libsdxi.a
	@mkdir -p $(@D)
	$(CC) $(PERF_CFLAGS) -I$(TOP)/lib/testing -o $@ tools/sdxi-perf/tests/perf-test.c \
		lib/testing/tap.c $(PERF_SRC) $(PERF_LIBS)

check-perf: $(PERF_TEST) $(PERF_BIN)
	@$(SUITE_TAP) $(RESULTS)/perf.tap -- $(PERF_TEST) $(PERF_BIN) \
		$(TOP)/tools/sdxi-perf/sdxi-perf.1 $(PERF_B)/check

bench-perf: $(PERF_BIN)
	@$(PERF_BIN) -d soft --compare --json $(PERF_B)/bench.json --csv $(PERF_B)/bench.csv \
		--plot $(PERF_B)/bench.png

# make deps first, then a fresh make: kernel.mk reads the guest kernel's
# version from the cache when it is parsed.
run: deps
	@$(MAKE) --no-print-directory perf-run

perf-run: $(PERF_BIN) $(SDXI_KO) $(DMATEST_KO)
	@PERF_BIN=$(PERF_BIN) SDXI_KO=$(SDXI_KO) DMATEST_KO=$(DMATEST_KO) \
		VM_TIMEOUT=$(VM_TIMEOUT) PERF_RUN_ARGS="$(PERF_RUN_ARGS)" \
		PERF_VM_DEVICE="$(PERF_VM_DEVICE)" \
		$(TOP)/tools/sdxi-perf/run.sh $(PERF_B)/run
