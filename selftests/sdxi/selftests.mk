# SPDX-License-Identifier: GPL-2.0
#
# Build the kselftest programs of selftests/sdxi against our uapi/ and the
# kselftest_harness.h of Debian's linux-source-6.12 (taken at build time,
# never committed), and run them in the test VM.
#
#   make check-hw-conformance-iommu  its IOMMU-fault case in a VM whose
#                               IOMMU translates the function's DMA
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
