# SPDX-License-Identifier: GPL-2.0
#
# Build the kselftest programs of selftests/sdxi against our uapi/ and the
# kselftest_harness.h of the kernel under test ($(KSRC): Debian's
# linux-source-6.12, or 7.3 under make check-debug; taken at build time,
# never committed) into $(B)/selftests$(KSUFFIX), and run them in the test
# VM.
#
#   make check-hw-conformance-iommu  its IOMMU-fault case in a VM whose
#                               IOMMU translates the function's DMA
#   make check-user-contexts    /dev/sdxiN: user_contexts (ABI shape,
#                               functional, attacks), user_fuzz (10,000
#                               calls, then 2 threads x 10,000 on one
#                               file), user_hostile (one test per class
#                               of the security model) and user_stress
#                               (10 s) with sdxi.ko in the intel-iommu VM
#   make check-user-contexts-noiommu   user_contexts in a VM without an
#                               IOMMU: user contexts must be refused, then
#                               work unisolated with allow_unsafe_noiommu
#   make check-user-fuzz-full   user_fuzz with 100,000 calls (check-full)
#   make check-user-stress-full user_stress for 60 s (check-full)
#   make check-hw-conformance   the driverless conformance check; the VM
#                               boots with iommu.passthrough=1 so the
#                               function's DMA addresses are physical, and
#                               max-cxt=100 leaves doorbell windows past
#                               the last context
#   make check-selftests        the short profile of the kselftest suite in
#                               one VM: lib_functional (libsdxi on "soft"
#                               and /dev/sdxi0, and both compared byte for
#                               byte), user_functional, fault_matrix,
#                               operator (unload, unbind, exhaustion,
#                               100 x kill -9), robustness.sh with 5+5
#                               cycles, the taint flags and the guest log
#   make check-selftests-pasid  operator's exhaustion tests on a function
#                               with 400 contexts: PASIDs run out first
#   make check-selftests-intree the kselftest Makefile in a copy of the
#                               kernel's selftests tree (6.12; 7.3 under
#                               make check-debug): build, install, run
#                               without a device (all SKIP with reasons)
#   make check-selftests-robustness   robustness.sh with 100 unbind/bind
#                               and 100 reload cycles (check-full)
#   SELFTESTS_CYCLES, SELFTESTS_FULL_CYCLES   cycles of the two profiles

KSFT_SRC := $(KSRC)/tools/testing/selftests
KSFT_INC := $(B)/ksft$(KSUFFIX)/include
KSFT_B := $(B)/selftests$(KSUFFIX)
KSFT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-sign-compare \
	-Wno-unused-parameter -Werror -D_GNU_SOURCE -I$(TOP)/uapi -I$(TOP)/include -I$(KSFT_INC)/sdxi

# "../kselftest_harness.h" resolves against $(KSFT_INC)/sdxi.
$(KSFT_INC)/kselftest_harness.h: $(KSFT_SRC)/kselftest_harness.h $(KSFT_SRC)/kselftest.h
	@mkdir -p $(KSFT_INC)/sdxi
	cp $(KSFT_SRC)/kselftest_harness.h $(KSFT_SRC)/kselftest.h $(KSFT_INC)/

$(KSFT_B)/%: selftests/sdxi/%.c $(KSFT_INC)/kselftest_harness.h uapi/linux/sdxi_hw.h uapi/linux/sdxi.h \
		include/sdxi/function.h include/sdxi/encode.h
	@mkdir -p $(@D)
	$(CC) $(KSFT_CFLAGS) -o $@ $<

VM_SUITES += hw-conformance
VM_SUITES += hw-conformance-iommu

# The kselftest's results, then the lspci check as one more result.
define HW_CONFORMANCE_GUEST
. /usr/share/sdxi/tap.sh; \
SDXI_EXPECT_MAX_CXT=100 tap_merge hw_conformance; \
lspci -n | grep -q " 1201: "; tap $$? lspci_n_shows_class_120100 "$$(lspci -n)"; \
tap_plan
endef

.PHONY: check-hw-conformance check-hw-conformance-iommu
check-hw-conformance: $(KSFT_B)/hw_conformance
	@$(VM_TAP) $(RESULTS)/hw-conformance.tap --append iommu.passthrough=1 \
		--device sdxi,id=sdxi0,max-cxt=100 \
		--file $< --file /usr/bin/lspci -- '$(HW_CONFORMANCE_GUEST)'

# The same program on a model started with the non-default setting of each
# open behaviour it checks (hardware.rst, "Behaviours the specification
# leaves open").
VM_SUITES += hw-conformance-props
.PHONY: check-hw-conformance-props
check-hw-conformance-props: $(KSFT_B)/hw_conformance
	@$(VM_TAP) $(RESULTS)/hw-conformance-props.tap --append iommu.passthrough=1 \
		--device sdxi,id=sdxi0,max-cxt=100,reset-immediate=on,clear-valid=on,shuffle-seed=1,burst=8,read-index=fetch \
		--file $< -- '. /usr/share/sdxi/tap.sh; \
		SDXI_EXPECT_MAX_CXT=100 SDXI_EXPECT_RESET_IMMEDIATE=1 \
		SDXI_EXPECT_CLEAR_VALID=1 SDXI_EXPECT_SHUFFLE=1 SDXI_EXPECT_BURST=8 \
		SDXI_EXPECT_READ_INDEX_FETCH=1 tap_merge hw_conformance; tap_plan'

# The same program where the IOMMU translates (and maps nothing for) the
# function: its DMA faults, which must end in an error state.
check-hw-conformance-iommu: $(KSFT_B)/hw_conformance
	@$(VM_TAP) $(RESULTS)/hw-conformance-iommu.tap --file $< -- \
		'. /usr/share/sdxi/tap.sh; \
		 tap_merge hw_conformance -r hw.iommu_fault_on_tables_is_a_function_error; \
		 tap_diag "$$(dmesg | grep -m1 "DMAR: \[DMA Read")"; tap_plan'

# /dev/sdxiN (kernel/cdev.c, kernel/mem.c; Documentation/uapi.rst).
USER_KSFT := $(addprefix $(KSFT_B)/,user_contexts user_fuzz fault_matrix \
	user_functional operator sdxi_traffic user_hostile user_stress)
USER_KSFT += $(KSFT_B)/user_windows
$(KSFT_B)/operator $(KSFT_B)/sdxi_traffic: selftests/sdxi/traffic.h
$(USER_KSFT): selftests/sdxi/sdxi_common.h
# kselftest_harness.h's TEST_F trips -Wclobbered under -Wextra.
$(USER_KSFT): KSFT_CFLAGS += -Wno-clobbered -Wno-misleading-indentation -fno-strict-aliasing \
	-pthread
# libsdxi's kselftest links the static library (build/lib/libsdxi-test.a, with
# the software device's test hooks of lib/src/sdxi_test.h) so that one
# binary runs the software device and /dev/sdxi0 in the guest.
LIB_KSFT := $(KSFT_B)/lib_functional
$(LIB_KSFT): selftests/sdxi/lib_functional.c selftests/sdxi/sdxi_common.h \
		$(KSFT_INC)/kselftest_harness.h $(B)/lib/libsdxi-test.a lib/include/sdxi.h
	@mkdir -p $(@D)
	$(CC) $(KSFT_CFLAGS) -Wno-clobbered -fno-strict-aliasing -I$(TOP)/lib/include \
		-I$(TOP)/lib/src -static -o $@ $< $(B)/lib/libsdxi-test.a \
		-lurcu-memb -lurcu-common -lpthread

USER_VM = $(VM_TAP) $(1) --timeout $(or $(3),900) --file $(SDXI_KO) \
	--file $(KSFT_B)/user_contexts --file $(KSFT_B)/user_fuzz \
	--file $(KSFT_B)/user_hostile --file $(KSFT_B)/user_stress \
	--script $(TOP)/selftests/sdxi/user-guest.sh $(2)

VM_SUITES += user-contexts
VM_SUITES += user-contexts-noiommu
FULL_SUITES += user-fuzz-full user-stress-full

# user_hostile measures (its "# figure:" lines are the security model's
# before/after numbers); user_stress ends with every counter at zero.
.PHONY: check-user-contexts check-user-contexts-noiommu check-user-fuzz-full \
	check-user-stress-full
check-user-contexts: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-contexts.tap,-- 'ksft user_contexts; \
		SDXI_FUZZ_CALLS=10000 ksft user_fuzz; ksft user_hostile; \
		SDXI_STRESS_SECONDS=10 ksft user_stress; \
		SDXI_TEST_UNBIND=1 ksft user_contexts -f global; finish')

check-user-contexts-noiommu: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-contexts-noiommu.tap,--iommu none -- \
		'ksft user_contexts -f dev; \
		echo 1 >/sys/module/sdxi/parameters/allow_unsafe_noiommu; \
		ksft user_contexts -t unsafe_noiommu_mode_copies_with_bus_addresses; \
		finish')

check-user-fuzz-full: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-fuzz-full.tap,-- \
		'SDXI_FUZZ_CALLS=100000 ksft user_fuzz; finish',3000)

check-user-stress-full: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-stress-full.tap,-- \
		'SDXI_STRESS_SECONDS=60 ksft user_stress; finish',900)

# Windows between processes (kernel/window.c; Documentation/uapi.rst
# "Windows"): functional, attacks, teardown orders, counters at zero.  Two
# SDXI functions, so that importing into another function's context runs.
# (The device specs are variables: their commas would split $(call)'s
# arguments.)
VM_SUITES += user-windows
USER_WINDOWS_DEV0 := sdxi,id=sdxi0
USER_WINDOWS_DEV1 := sdxi,id=sdxi1
.PHONY: check-user-windows
check-user-windows: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-windows.tap,--file $(KSFT_B)/user_windows \
		--device $(USER_WINDOWS_DEV0) --device $(USER_WINDOWS_DEV1) -- \
		'ksft user_windows; finish')

# ---- The kselftest suite and the robustness harness ----------------------
SELFTESTS_BIN := $(addprefix $(KSFT_B)/,lib_functional user_functional \
	fault_matrix operator sdxi_traffic)
SELFTESTS_CYCLES ?= 5
SELFTESTS_FULL_CYCLES ?= 100
SELFTESTS_VM = $(VM_TAP) $(1) --timeout $(or $(3),600) --file $(SDXI_KO) \
	--file $(DMATEST_KO) $(foreach f,$(SELFTESTS_BIN),--file $(f)) \
	--file $(TOP)/selftests/sdxi/robustness.sh \
	--script $(TOP)/selftests/sdxi/user-guest.sh $(2)

VM_SUITES += selftests
VM_SUITES += selftests-pasid
CHECK_SUITES += selftests-intree
DEBUG_SUITES += selftests-intree
FULL_SUITES += selftests-robustness

.PHONY: check-selftests check-selftests-pasid check-selftests-intree \
	check-selftests-robustness
check-selftests: $(SELFTESTS_BIN) $(SDXI_KO) $(DMATEST_KO)
	@$(call SELFTESTS_VM,$(RESULTS)/selftests.tap,-- 'ksft lib_functional; \
		ksft user_functional; ksft fault_matrix; ksft operator; \
		SDXI_CYCLES=$(SELFTESTS_CYCLES) ksft robustness.sh; taint_check; finish')

# 400 contexts, 256 PASIDs (our QEMU's VT-d): PASIDs run out first.  (The
# device spec is a variable: its commas would split $(call)'s arguments.)
SELFTESTS_PASID_DEV := sdxi,id=sdxi0,max-cxt=400
check-selftests-pasid: $(SELFTESTS_BIN) $(SDXI_KO) $(DMATEST_KO)
	@$(call SELFTESTS_VM,$(RESULTS)/selftests-pasid.tap,--device $(SELFTESTS_PASID_DEV) \
		-- 'ksft operator -f exhaust; taint_check; finish')

check-selftests-robustness: $(SELFTESTS_BIN) $(SDXI_KO) $(DMATEST_KO)
	@$(call SELFTESTS_VM,$(RESULTS)/selftests-robustness.tap,-- \
		'SDXI_CYCLES=$(SELFTESTS_FULL_CYCLES) ksft robustness.sh; taint_check; finish',1500)

# The Makefile as a kernel developer uses it, against a libsdxi installed
# in a scratch DESTDIR (found through pkg-config).
SELFTESTS_INTREE := $(B)/ksft-intree$(KSUFFIX)
check-selftests-intree: $(KSFT_INC)/kselftest_harness.h lib
	@rm -rf $(SELFTESTS_INTREE)/libroot
	@$(MAKE) --no-print-directory install-lib PREFIX=/usr \
		DESTDIR=$(SELFTESTS_INTREE)/libroot >/dev/null
	@$(SUITE_TAP) $(RESULTS)/selftests-intree.tap -- \
		$(TOP)/selftests/sdxi/intree-check.sh $(KSFT_SRC) $(TOP) \
		$(SELFTESTS_INTREE)/run $(SELFTESTS_INTREE)/libroot \
		"hw_conformance user_contexts user_fuzz user_hostile user_stress user_windows $(notdir $(SELFTESTS_BIN))"

# ---- SVA user contexts (Documentation/uapi.rst "Shared virtual addressing")
#   make check-user-sva        user_sva in a VM whose IOMMU offers device-TLBs
#                               (VM_IOMMU_SVA): on a 7.x guest SVA contexts
#                               must be offered and work; on 6.12 the SVA
#                               tests skip and the refusal is tested.  Then
#                               sdxi-perf --mode sva and --mode pinned on
#                               the same function (steady-state copies).
#   SVA_PRI=1                   (default) the function resolves page
#                               requests (hardware.rst "ATS and page
#                               requests"): the tests of never-touched
#                               memory must pass; SVA_PRI=0 lets them skip
SVA_PRI ?= 1
VM_SUITES += user-sva
$(KSFT_B)/user_sva: selftests/sdxi/sdxi_common.h
$(KSFT_B)/user_windows $(KSFT_B)/user_sva: selftests/sdxi/windows_common.h
$(KSFT_B)/user_sva: KSFT_CFLAGS += -Wno-clobbered -Wno-misleading-indentation -fno-strict-aliasing

define USER_SVA_GUEST
[ "$$(uname -r | cut -d. -f1)" -ge 7 ] && export SDXI_EXPECT_SVA=1; \
SDXI_SVA_PRI=$(SVA_PRI) ksft user_sva; \
for m in sva pinned; do \
	sdxi-perf -d /dev/sdxi0 --mode $$m --op copy --size 1m --iterations 64 \
		--warmup 8 --baseline none >/tmp/perf-$$m.txt 2>&1; rc=$$?; \
	if [ $$m = sva ] && [ -z "$$SDXI_EXPECT_SVA" ]; then \
		[ $$rc != 0 ] && grep -q "unavailable\|not supported" /tmp/perf-$$m.txt; \
		tap $$? sdxi_perf_mode_sva_refused_without_sva "$$(tail -n 5 /tmp/perf-$$m.txt)"; \
		continue; \
	fi; \
	[ $$rc = 0 ] && grep -q "^  mode        $$m " /tmp/perf-$$m.txt; \
	tap $$? sdxi_perf_mode_$$m "$$(tail -n 20 /tmp/perf-$$m.txt)"; \
	tap_diag "$$(grep -E "^  mode|^ +1M " /tmp/perf-$$m.txt | sed "s/^/perf $$m: /")"; \
done; \
finish
endef

.PHONY: check-user-sva
check-user-sva: $(KSFT_B)/user_sva $(SDXI_KO) $(PERF_BIN)
	@$(VM_TAP) $(RESULTS)/user-sva.tap --timeout 900 --iommu $(VM_IOMMU_SVA) \
		--file $(SDXI_KO) --file $(KSFT_B)/user_sva --file $(PERF_BIN) \
		--script $(TOP)/selftests/sdxi/user-guest.sh -- '$(USER_SVA_GUEST)'
