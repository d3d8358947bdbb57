# SPDX-License-Identifier: GPL-2.0
#
# Build the kselftest programs of selftests/sdxi against our uapi/ and the
# kselftest_harness.h of Debian's linux-source-6.12 (taken at build time,
# never committed), and run them in the test VM.
#
#   make check-hw-conformance-iommu  its IOMMU-fault case in a VM whose
#                               IOMMU translates the function's DMA
#   make check-user-contexts    /dev/sdxiN: user_contexts (ABI shape,
#                               functional, attacks) and user_fuzz (10,000
#                               calls) with sdxi.ko in the intel-iommu VM
#   make check-user-contexts-noiommu   user_contexts in a VM without an
#                               IOMMU: user contexts must be refused, then
#                               work unisolated with allow_unsafe_noiommu
#   make check-user-fuzz-full   user_fuzz with 100,000 calls (check-full)
#   make check-hw-conformance   the driverless conformance check; the VM
#                               boots with iommu.passthrough=1 so the
#                               function's DMA addresses are physical, and
#                               max-cxt=100 leaves doorbell windows past
#                               the last context

KSFT_SRC := $(SDXI_CACHE)/linux-source/tools/testing/selftests
KSFT_INC := $(B)/ksft/include
KSFT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-sign-compare \
	-Wno-unused-parameter -Werror -D_GNU_SOURCE -I$(TOP)/uapi -I$(KSFT_INC)/sdxi

# "../kselftest_harness.h" resolves against $(KSFT_INC)/sdxi.
$(KSFT_INC)/kselftest_harness.h: $(KSFT_SRC)/kselftest_harness.h $(KSFT_SRC)/kselftest.h
	@mkdir -p $(KSFT_INC)/sdxi
	cp $(KSFT_SRC)/kselftest_harness.h $(KSFT_SRC)/kselftest.h $(KSFT_INC)/

$(B)/selftests/%: selftests/sdxi/%.c $(KSFT_INC)/kselftest_harness.h uapi/linux/sdxi_hw.h uapi/linux/sdxi.h
	@mkdir -p $(@D)
	$(CC) $(KSFT_CFLAGS) -o $@ $<

CHECK_SUITES += hw-conformance hw-conformance-iommu

# kselftest prints its own plan; the lspci line is appended as one more test.
define HW_CONFORMANCE_GUEST
SDXI_EXPECT_MAX_CXT=100 hw_conformance >/tmp/k 2>&1; \
n=$$(grep -cE "^(not )?ok " /tmp/k); \
echo "1..$$((n + 1))"; grep -vE "^1\.\.|^TAP version" /tmp/k; \
if lspci -n | grep -q " 1201: "; then echo "ok $$((n + 1)) - lspci_n_shows_class_120100"; \
else lspci -n | sed "s/^/# /"; echo "not ok $$((n + 1)) - lspci_n_shows_class_120100"; fi
endef

.PHONY: check-hw-conformance check-hw-conformance-iommu
check-hw-conformance: $(B)/selftests/hw_conformance
	@$(VM_TAP) $(RESULTS)/hw-conformance.tap --append iommu.passthrough=1 \
		--device sdxi,id=sdxi0,max-cxt=100 \
		--file $< --file /usr/bin/lspci -- '$(HW_CONFORMANCE_GUEST)'

# The same program where the IOMMU translates (and maps nothing for) the
# function: its DMA faults, which must end in an error state.
check-hw-conformance-iommu: $(B)/selftests/hw_conformance
	@$(VM_TAP) $(RESULTS)/hw-conformance-iommu.tap --file $< -- \
		'hw_conformance -r hw.iommu_fault_on_tables_is_a_function_error; \
		 dmesg | grep -m1 "DMAR: \[DMA Read" | sed "s/^/# /"'

# /dev/sdxiN (kernel/cdev.c, kernel/mem.c; Documentation/uapi.rst).
USER_KSFT := $(B)/selftests/user_contexts $(B)/selftests/user_fuzz
$(USER_KSFT): selftests/sdxi/sdxi_common.h
# kselftest_harness.h's TEST_F trips -Wclobbered under -Wextra.
$(USER_KSFT): KSFT_CFLAGS += -Wno-clobbered -Wno-misleading-indentation -fno-strict-aliasing
USER_VM = $(VM_TAP) $(1) --timeout $(or $(3),400) --file $(SDXI_KO) \
	--file $(B)/selftests/user_contexts --file $(B)/selftests/user_fuzz \
	--script $(TOP)/selftests/sdxi/user-guest.sh $(2)

CHECK_SUITES += user-contexts user-contexts-noiommu
FULL_SUITES += user-fuzz-full

.PHONY: check-user-contexts check-user-contexts-noiommu check-user-fuzz-full
check-user-contexts: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-contexts.tap,-- 'ksft user_contexts; \
		SDXI_FUZZ_CALLS=10000 ksft user_fuzz; \
		SDXI_TEST_UNBIND=1 ksft user_contexts -f global; finish')

check-user-contexts-noiommu: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-contexts-noiommu.tap,--iommu none -- \
		'ksft user_contexts -f dev; \
		echo 1 >/sys/module/sdxi/parameters/allow_unsafe_noiommu; \
		ksft user_contexts -t unsafe_noiommu_mode_copies_with_bus_addresses; \
		finish')

check-user-fuzz-full: $(USER_KSFT) $(SDXI_KO)
	@$(call USER_VM,$(RESULTS)/user-fuzz-full.tap,-- \
		'SDXI_FUZZ_CALLS=100000 ksft user_fuzz; finish',1500)
