# SPDX-License-Identifier: GPL-2.0-only
#
# The latest-kernel debug tier: every VM suite (VM_SUITES) and the
# DEBUG_SUITES on Linux 7.3 built from Debian's linux-source-7.3 with KASAN,
# lockdep (PROVE_LOCKING), kmemleak, SLUB_DEBUG_ON, UBSAN, KUnit, DMA-API
# debug and failslab, plus what sdxi.ko can use on a current kernel
# (tools/vm/debug.config, built by tools/vm/debug-kernel and cached outside
# the repository).
#
#   make check-debug   build (or reuse) that kernel, build sdxi.ko and the
#                      other kernel-dependent pieces against it (into
#                      build/*-debug), run the suites on it, each VM run
#                      ending in a kmemleak scan and a dump of its kernel
#                      log; then debug-scan fails on any KASAN, UBSAN,
#                      lockdep, kmemleak, DMA-API debug or other
#                      WARNING/BUG report in those logs.  Ends with the
#                      per-suite table and "N passed, N failed" like make
#                      check; results in build/results-debug/, serial logs
#                      in its logs/<suite>/.
#
#   DEBUG_TIMEOUT_SCALE     multiplier for every VM timeout (default 4)
#
# Each suite is its own make check-X with the kernel variables of the
# Makefile (KDIR, KSRC, KVER, KSUFFIX, DMATEST_KO) pointed at the debug
# build, so nothing here repeats how a suite runs.  A shared lock on the
# kernel's cache directory keeps a newer build (tools/vm/debug-kernel)
# from removing it under the run.

DEBUG_RESULTS := $(B)/results-debug
DEBUG_TIMEOUT_SCALE ?= 4
DEBUG_SUITES += debug-canary
DEBUG_SUITES += debug-kunit
DEBUG_SUITES += debug-failslab
DEBUG_SUITES += kernel-intree

# The number of cases in the unit-test table, which the KUnit run must
# report as passed.
UNIT_CASES = $(shell grep -c '^	{ "' $(TOP)/kernel/tests/unit_cases.h)

FAIL_NTH_BIN := $(B)/kernel-debug-tools/fail-nth-write

# What check-debug runs: debug-scan last, over every other suite's logs.
DEBUG_RUN = $(filter-out debug-scan,$(VM_SUITES) $(DEBUG_SUITES)) debug-scan

.PHONY: check-debug check-debug-canary check-debug-kunit check-debug-failslab \
	check-debug-scan check-kernel-intree
check-debug: deps
	@dir=$$($(TOP)/tools/vm/debug-kernel --print-dir) || exit 1; \
	exec 9>>$$dir.lock && flock -s 9; \
	kver=$$(cat $$dir/kver); \
	SDXI_GUEST=$$dir SDXI_VM_LOG_ROOT=$(DEBUG_RESULTS)/logs \
	SDXI_VM_APPEND="log_buf_len=8M" \
	SDXI_VM_TIMEOUT_SCALE=$(DEBUG_TIMEOUT_SCALE) \
	MAKE="$(MAKE)" $(TOP)/tools/run-suites $(DEBUG_RESULTS) $(DEBUG_RUN) -- \
		KVER=$$kver KDIR=$$dir/build KSRC=$$dir/build/source KSUFFIX=-debug \
		DMATEST_KO=$$dir/root/lib/modules/$$kver/kernel/drivers/dma/dmatest.ko
	@sed -n 's/^# sanitizer/&/p' $(DEBUG_RESULTS)/debug-scan.tap 2>/dev/null || true
	@$(TOP)/tools/tap-summary --host "$(CHECK_SUITES)" $(DEBUG_RESULTS) $(DEBUG_RUN)

# The debug kernel's reports in the serial logs of every suite run before.
check-debug-scan:
	@$(SUITE_TAP) $(RESULTS)/debug-scan.tap -- $(TOP)/tools/vm/debug-scan \
		$(wildcard $(RESULTS)/logs/*/*.log)

# kernel/ as drivers/dma/sdxi/ of the 7.3 tree: CONFIG_SDXI=m, W=1,
# checkpatch --strict on the addition, one result per file
# (tools/kernel-intree).  A host suite of check-debug, whose KSRC is the
# 7.3 tree and KDIR the debug kernel's build (alone: make check-debug
# DEBUG_RUN=kernel-intree); the hard-linked tree and the prepared O=
# directory are cached.
check-kernel-intree:
	@$(SUITE_TAP) $(RESULTS)/kernel-intree.tap -- $(TOP)/tools/kernel-intree \
		$(KSRC) $(KDIR) $(SDXI_CACHE)/intree$(KSUFFIX)

# Only meaningful inside check-debug (KUnit exists in the debug kernel).
check-debug-kunit: $(SDXI_KO) $(DMATEST_KO)
	@$(KVM_RUN) debug-kunit $(TOP)/kernel/tests/vm/kunit.sh $(RESULTS) \
		UNIT_CASES=$(UNIT_CASES) -- --file $(KMOD_B)/sdxi_kunit.ko

# sdxi.ko's probe with each of its slab allocations failing in turn, on a
# function with 4 MSI-X vectors: every probe path still runs, the
# per-vector allocations of the interrupt core are not repeated 128 times.
DEBUG_FAILSLAB_DEV := sdxi,id=sdxi0,vectors=4
$(FAIL_NTH_BIN): $(TOP)/kernel/tests/fail-nth-write.c
	@mkdir -p $(@D)
	@$(CC) $(HOST_CFLAGS) -static -o $@ $<

check-debug-failslab: $(SDXI_KO) $(DMATEST_KO) $(FAIL_NTH_BIN)
	@$(KVM_RUN) debug-failslab $(TOP)/kernel/tests/vm/failslab.sh $(RESULTS) \
		-- --file $(FAIL_NTH_BIN) --device $(DEBUG_FAILSLAB_DEV)

# The net itself: a run that loads sdxi_debug_canary.ko (one deliberate bug
# per class) must be found guilty of every class by debug-scan.  Its log is
# kept apart from the logs check-debug scans.
DEBUG_CANARY_CLASSES := kasan ubsan lockdep dma_api kmemleak
check-debug-canary: $(SDXI_KO)
	@rm -rf $(RESULTS)/canary-logs
	@SDXI_VM_LOG_DIR=$(RESULTS)/canary-logs $(VM_RUN) --quiet \
		--file $(KMOD_B)/sdxi_debug_canary.ko -- \
		'modprobe sdxi_debug_canary; true' >/dev/null 2>&1; \
	$(TOP)/tools/vm/debug-scan $(RESULTS)/canary-logs/*.log \
		>$(RESULTS)/canary-scan.out; \
	{ . $(TOP)/tools/tap.sh; \
	for c in $(DEBUG_CANARY_CLASSES); do \
		grep -q "^not ok .* - no_$${c}_reports" $(RESULTS)/canary-scan.out; \
		tap $$? debug_scan_reports_canary_$$c; \
	done; \
	tap_diag "$$(sed -n 's/^# sanitizer/canary: &/p' $(RESULTS)/canary-scan.out)"; \
	tap_plan; } | $(SUITE_TAP) $(RESULTS)/debug-canary.tap
