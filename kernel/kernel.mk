# SPDX-License-Identifier: GPL-2.0
#
# sdxi.ko, the kernel driver (kernel/), built out of tree against the
# kernel of the Makefile's KDIR into $(B)/kernel$(KSUFFIX)
# (build/kernel/sdxi.ko for Debian's 6.12).
#
#   make kmod                  build sdxi.ko (W=1, warnings are errors) in
#                              its test configuration (SDXI_TEST=1, see
#                              kernel/Kbuild), the one the VM suites load
#   make kmod-lint             checkpatch --strict, sparse (C=2), kernel-doc
#   make check-kernel-unit     host unit tests: descriptor/structure encoding,
#                              ring index arithmetic, context-ID math
#   make check-kernel-lint     the lint above, as TAP
#   make check-kernel-layers   the units' call graph, derived from the
#                              objects, against the layers declared in
#                              Documentation/driver.rst: no upward edge
#   make check-kernel-vm       the VM tests (kernel/tests/vm/check.sh)
#   make check-kernel-trace    the trace events through tracefs for a
#                              dmatest run, a faulting copy, a user
#                              context error and a recovery
#                              (kernel/tests/vm/trace.sh)
#   make check-kernel-lifetime a client releasing its channel after an
#                              unbind, with sdxi.ko and with a build
#                              without the parking of released providers
#                              (kernel/tests/lifetime)
#   make check-kernel-vm-full  AMD's dmatest profile, 2 channels x 2 threads
#                              x 10000 iterations, interrupt and polled
#                              (part of make check-full)
#   make bench-dmatest         dmatest performance mode next to a CPU memcpy
#                              loop in the same VM (not a test)
#
# dmatest.ko is the kernel's own drivers/dma/dmatest.c from $(KSRC),
# built out of tree at test time and never committed (a kernel that builds
# it as a module, like the debug kernel, gives its own as DMATEST_KO).

KMOD_B := $(B)/kernel$(KSUFFIX)
SDXI_KO := $(KMOD_B)/sdxi.ko
DMATEST_KO ?= $(B)/kernel-dmatest/dmatest.ko
KUNIT_BIN := $(B)/kernel-unit/unit
KBENCH_BIN := $(B)/kernel-bench/memcpy-bench
KMOD_SRCS := $(wildcard $(TOP)/kernel/*.c $(TOP)/kernel/*.h) $(TOP)/kernel/Kbuild \
	$(TOP)/kernel/tests/kunit.c $(TOP)/kernel/tests/unit_cases.h \
	$(TOP)/kernel/tests/debug_canary.c $(TOP)/kernel/dmaengine-headers
# The dmaengine core's private headers (virt-dma.h, dmaengine.h) copied
# from $(KSRC) at build time, never committed (kernel/Kbuild).
KMOD_DMAENGINE := $(KMOD_B)/dmaengine
KMAKE = $(MAKE) --no-print-directory -C $(KDIR) M=$(KMOD_B) \
	SDXI_UAPI=$(TOP)/uapi SDXI_INCLUDE=$(TOP)/include SDXI_TEST=1 W=1 \
	SDXI_DMAENGINE=$(KMOD_DMAENGINE)
# The module's sources into a build directory (Kbuild writes its objects
# next to them).
KMOD_MIRROR = rsync -a --delete --include=/tests/ --include=/tests/kunit.c \
	--include=/tests/unit_cases.h --include=/tests/debug_canary.c \
	--exclude='/tests/*' --include='*.c' \
	--include='*.h' --include=Kbuild --exclude='*' $(TOP)/kernel/
KVM_RUN = SDXI_KO=$(SDXI_KO) DMATEST_KO=$(DMATEST_KO) \
	$(TOP)/kernel/tests/vm-run

CHECK_SUITES += kernel-unit
CHECK_SUITES += kernel-lint
CHECK_SUITES += kernel-layers
VM_SUITES += kernel-vm
VM_SUITES += kernel-trace
FULL_SUITES += kernel-vm-full
DEBUG_SUITES += kernel-vm-full

.PHONY: kmod kmod-lint check-kernel-unit check-kernel-lint check-kernel-layers \
	check-kernel-vm check-kernel-trace \
	check-kernel-vm-full bench-dmatest

all: kmod
kmod: $(SDXI_KO)

# Sources are mirrored into the build directory: Kbuild writes its objects
# next to them.  A rebuilt kernel (its Module.symvers) rebuilds the module.
$(SDXI_KO): $(KMOD_SRCS) $(TOP)/uapi/linux/sdxi_hw.h $(TOP)/uapi/linux/sdxi.h \
		$(TOP)/include/sdxi/function.h $(TOP)/include/sdxi/encode.h \
		$(KDIR)/Module.symvers $(KSRC)/drivers/dma/virt-dma.h \
		$(KSRC)/drivers/dma/dmaengine.h
	@mkdir -p $(KMOD_B)
	@$(KMOD_MIRROR) $(KMOD_B)/
	@SDXI_KSRC=$(KSRC) $(TOP)/kernel/dmaengine-headers $(KVER) $(KDIR) \
		$(KMOD_DMAENGINE) >/dev/null
	@$(KMAKE) modules

$(DMATEST_KO): $(KSRC)/drivers/dma/dmatest.c
	@mkdir -p $(@D)
	@cp $< $(@D)/dmatest.c
	@echo 'obj-m := dmatest.o' >$(@D)/Kbuild
	@$(MAKE) --no-print-directory -C $(KDIR) M=$(@D) modules >/dev/null

$(KUNIT_BIN): $(TOP)/kernel/tests/unit.c $(TOP)/kernel/tests/unit_cases.h \
		$(TOP)/kernel/descriptor.c \
		$(TOP)/kernel/hwstruct.c $(TOP)/kernel/descriptor.h \
		$(TOP)/kernel/hwstruct.h $(TOP)/kernel/ring.h \
		$(wildcard $(TOP)/kernel/tests/shim/*/*.h) \
		$(TOP)/uapi/linux/sdxi_hw.h $(TOP)/include/sdxi/function.h \
		$(TOP)/include/sdxi/encode.h
	@mkdir -p $(@D)
	@$(CC) -I$(TOP)/kernel/tests/shim $(HOST_CFLAGS) $(SAN_FLAGS) -o $@ \
		$(TOP)/kernel/tests/unit.c $(TOP)/kernel/descriptor.c \
		$(TOP)/kernel/hwstruct.c

$(KBENCH_BIN): $(TOP)/kernel/tests/memcpy-bench.c
	@mkdir -p $(@D)
	@$(CC) $(HOST_CFLAGS) -static -o $@ $<

check-kernel-unit: $(KUNIT_BIN)
	@$(SUITE_TAP) $(RESULTS)/kernel-unit.tap -- $(KUNIT_BIN)

kmod-lint check-kernel-lint: $(SDXI_KO)
	@KMAKE="$(KMAKE)" KSRC=$(KSRC) KMOD_B=$(KMOD_B) \
		$(SUITE_TAP) $(RESULTS)/kernel-lint.tap -- $(TOP)/kernel/tests/lint

check-kernel-layers: $(SDXI_KO)
	@$(SUITE_TAP) $(RESULTS)/kernel-layers.tap -- $(TOP)/kernel/tests/layers $(KMOD_B)

check-kernel-vm: $(SDXI_KO) $(DMATEST_KO)
	@$(KVM_RUN) kernel-vm $(TOP)/kernel/tests/vm/check.sh $(RESULTS)

# user_contexts (selftests.mk) provokes the user context error.
KTRACE_UCTX := $(B)/selftests$(KSUFFIX)/user_contexts
check-kernel-trace: $(SDXI_KO) $(DMATEST_KO) $(KTRACE_UCTX)
	@$(KVM_RUN) kernel-trace $(TOP)/kernel/tests/vm/trace.sh $(RESULTS) \
		-- --file $(KTRACE_UCTX)

check-kernel-vm-full: $(SDXI_KO) $(DMATEST_KO)
	@$(KVM_RUN) kernel-vm-full $(TOP)/kernel/tests/vm/full.sh $(RESULTS)

bench-dmatest: $(SDXI_KO) $(DMATEST_KO) $(KBENCH_BIN)
	@SDXI_RUN_SUITES=1 $(KVM_RUN) bench-dmatest $(TOP)/kernel/tests/vm/bench.sh $(B)/bench \
		-- --file $(KBENCH_BIN)
	@sed -n 's/^# //p' $(B)/bench/bench-dmatest.tap

# The dmaengine core's accesses after the provider's release callback
# (kernel/tests/lifetime): the test configuration's sdxi.ko, and the same
# built with SDXI_TEST_NO_PARKING=1 into its own directory (kernel/Kbuild),
# each in one VM run.
KMOD_NP_B := $(B)/kernel-noparking$(KSUFFIX)
SDXI_NP_KO := $(KMOD_NP_B)/sdxi.ko
VM_SUITES += kernel-lifetime
.PHONY: check-kernel-lifetime
$(SDXI_NP_KO): $(SDXI_KO)
	@mkdir -p $(KMOD_NP_B)
	@$(KMOD_MIRROR) $(KMOD_NP_B)/
	@$(subst M=$(KMOD_B),M=$(KMOD_NP_B),$(KMAKE)) SDXI_TEST_NO_PARKING=1 \
		modules

check-kernel-lifetime: $(SDXI_KO) $(SDXI_NP_KO) $(DMATEST_KO)
	@$(SUITE_TAP) $(RESULTS)/kernel-lifetime.tap -- \
		$(TOP)/kernel/tests/lifetime $(RESULTS) $(SDXI_KO) $(SDXI_NP_KO) \
		$(DMATEST_KO)
