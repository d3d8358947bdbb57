# SPDX-License-Identifier: GPL-2.0-only
#
# The debug-kernel tier: the same VM suites on a kernel with KASAN,
# lockdep (PROVE_LOCKING), kmemleak, SLUB_DEBUG_ON, UBSAN, KUnit,
# DMA-API debug and failslab (tools/vm/debug.config, built by
# tools/vm/debug-kernel and cached outside the repository).
#
#   make check-debug   build (or reuse) the debug kernel and sdxi.ko plus
#                      sdxi_kunit.ko against it, then run DEBUG_SUITES on
#                      it, each VM run ending in a kmemleak scan and a dump
#                      of its kernel log; tools/vm/debug-scan fails on any
#                      KASAN, UBSAN, lockdep, kmemleak, DMA-API debug or
#                      other WARNING/BUG report in those logs.  Ends with
#                      "N passed, N failed" like make check; results in
#                      build/results-debug/, serial logs in its logs/.
#
#   DEBUG_SUITES            the suites run (default below)
#   DEBUG_TIMEOUT_SCALE     multiplier for every VM timeout (default 4)
#
# Each suite is its own make check-X with the kernel, module and result
# variables pointed at the debug build, so nothing here repeats how a
# suite runs.  A shared lock on the kernel's cache directory keeps a newer
# build (tools/vm/debug-kernel) from removing it under the run.

DEBUG_RESULTS := $(B)/results-debug
DEBUG_KMOD_B := $(B)/kernel-debug
DEBUG_TIMEOUT_SCALE ?= 4
DEBUG_SUITES ?= debug-canary debug-kunit debug-failslab kernel-vm kernel-vm-full hw-conformance \
	hw-conformance-iommu user-contexts user-contexts-noiommu selftests \
	selftests-pasid

# The number of cases in the unit-test table, which the KUnit run must
# report as passed.
UNIT_CASES = $(shell grep -c '^	{ "' $(TOP)/kernel/tests/unit_cases.h)

FAIL_NTH_BIN := $(B)/kernel-debug-tools/fail-nth-write

.PHONY: check-debug check-debug-canary check-debug-kunit check-debug-failslab
check-debug: deps
	@rm -rf $(DEBUG_RESULTS); mkdir -p $(DEBUG_RESULTS)
	@dir=$$($(TOP)/tools/vm/debug-kernel --print-dir) || exit 1; \
	exec 9>>$$dir.lock && flock -s 9; \
	kver=$$(cat $$dir/kver); \
	for s in $(DEBUG_SUITES); do \
		echo "check-debug: $$s"; \
		SDXI_GUEST=$$dir SDXI_VM_LOG_DIR=$(DEBUG_RESULTS)/logs/$$s \
		SDXI_VM_APPEND="log_buf_len=8M" \
		SDXI_VM_TIMEOUT_SCALE=$(DEBUG_TIMEOUT_SCALE) \
		$(MAKE) --no-print-directory check-$$s RESULTS=$(DEBUG_RESULTS) \
			KDIR=$$dir/build KMOD_B=$(DEBUG_KMOD_B) \
			DMATEST_KO=$$dir/root/lib/modules/$$kver/kernel/drivers/dma/dmatest.ko \
			|| exit 1; \
	done
	@$(TOP)/tools/vm/debug-scan $(DEBUG_RESULTS)/logs/*/*.log \
		>$(DEBUG_RESULTS)/debug-scan.tap
	@sed -n 's/^not ok/debug-scan: &/p; s/^# sanitizer/&/p' $(DEBUG_RESULTS)/debug-scan.tap
	@$(TOP)/tools/tap-summary $(DEBUG_RESULTS)/*.tap

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
	@rm -rf $(RESULTS)/canary-logs; mkdir -p $(RESULTS)
	@SDXI_VM_LOG_DIR=$(RESULTS)/canary-logs $(VM_RUN) --quiet \
		--file $(KMOD_B)/sdxi_debug_canary.ko -- \
		'modprobe sdxi_debug_canary; true' >/dev/null 2>&1; \
	$(TOP)/tools/vm/debug-scan $(RESULTS)/canary-logs/*.log \
		>$(RESULTS)/canary-scan.out; n=0; \
	for c in $(DEBUG_CANARY_CLASSES); do \
		n=$$((n + 1)); \
		if grep -q "^not ok .* - no_$${c}_reports" $(RESULTS)/canary-scan.out; \
		then echo "ok $$n - debug_scan_reports_canary_$$c"; \
		else echo "not ok $$n - debug_scan_reports_canary_$$c"; fi; \
	done >$(RESULTS)/debug-canary.tap; \
	sed -n 's/^# sanitizer/# canary: &/p' $(RESULTS)/canary-scan.out \
		>>$(RESULTS)/debug-canary.tap; \
	echo "1..$$n" >>$(RESULTS)/debug-canary.tap
	@sed -n 's/^not ok/debug-canary: &/p' $(RESULTS)/debug-canary.tap
