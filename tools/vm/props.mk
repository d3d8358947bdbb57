# SPDX-License-Identifier: GPL-2.0-only
#
# The property matrix of make check-full: the VM suites that exercise the
# data path (the functional kselftests and the fault matrix; dmatest with
# the model's fault knobs) under each non-default setting of a behaviour
# SDXI 1.0 leaves open (Documentation/hardware.rst, "Behaviours the
# specification leaves open").  Each combination is its own suite, so a
# missing one fails the summary:
#
#   make check-selftests-prop-P    lib_functional, user_functional and
#                                  fault_matrix with property set P (the
#                                  guest sees it as $SDXI_VM_PROPS)
#   make check-kernel-vm-prop-P    kernel/tests/vm/check.sh (dmatest,
#                                  fault knobs, reload cycles) with P
#
# P is a name below; its QEMU properties reach every SDXI -device through
# SDXI_VM_SDXI_PROPS (tools/vm/run).  On the host, the library suite runs
# on the software device with the same properties ("soft:P=V,..."):
#
#   make check-lib-prop-P          lib/tests on SDXI_DEVICE=soft:<props>
#
# for the sets in LIB_PROP_SETS (clear-valid is left out: lib/tests reads
# a slot back after completion on purpose).  make check-props runs the
# matrix alone, with its summary.

PROP_SETS := reset-immediate clear-valid shuffle burst1 read-index-fetch
PROP_reset-immediate := reset-immediate=on
PROP_clear-valid := clear-valid=on
PROP_shuffle := shuffle-seed=1
PROP_burst1 := burst=1
PROP_read-index-fetch := read-index=fetch

define PROP_SUITES
FULL_SUITES += selftests-prop-$(1) kernel-vm-prop-$(1)
.PHONY: check-selftests-prop-$(1) check-kernel-vm-prop-$(1)
check-selftests-prop-$(1): $$(SELFTESTS_BIN) $$(SDXI_KO) $$(DMATEST_KO)
	@SDXI_VM_SDXI_PROPS=$$(PROP_$(1)) $$(call SELFTESTS_VM,$$(RESULTS)/selftests-prop-$(1).tap,-- \
		'export SDXI_VM_PROPS=$$(PROP_$(1)); \
		ksft lib_functional; ksft user_functional; ksft fault_matrix; \
		taint_check; finish')
check-kernel-vm-prop-$(1): $$(SDXI_KO) $$(DMATEST_KO)
	@SDXI_VM_SDXI_PROPS=$$(PROP_$(1)) $$(KVM_RUN) kernel-vm-prop-$(1) \
		$$(TOP)/kernel/tests/vm/check.sh $$(RESULTS)
endef
$(foreach p,$(PROP_SETS),$(eval $(call PROP_SUITES,$(p))))
PROP_MATRIX := $(foreach p,$(PROP_SETS),selftests-prop-$(p) kernel-vm-prop-$(p))

LIB_PROP_SETS := read-index-fetch shuffle burst1
define LIB_PROP_SUITE
FULL_SUITES += lib-prop-$(1)
.PHONY: check-lib-prop-$(1)
check-lib-prop-$(1): $$(LIB_B)/sdxi-test
	@SDXI_DEVICE=soft:$$(PROP_$(1)) $$(SUITE_TAP) $$(RESULTS)/lib-prop-$(1).tap -- $$<
endef
$(foreach p,$(LIB_PROP_SETS),$(eval $(call LIB_PROP_SUITE,$(p))))
PROP_MATRIX += $(foreach p,$(LIB_PROP_SETS),lib-prop-$(p))

.PHONY: check-props
check-props: deps
	$(call run_checks,$(RESULTS),$(PROP_MATRIX))
