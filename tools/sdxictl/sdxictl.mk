# SPDX-License-Identifier: GPL-2.0-only
#
# sdxictl (tools/sdxictl): the administrator's tool.  Static, so the same
# file runs on the host and in the VM.
#
#   make sdxictl          build/sdxictl/sdxictl
#   make check-sdxictl    TAP: every command on a copy of the driver's files
#                         (tests/host.sh): tables, JSON, exit statuses,
#                         --help and the man page
#   make check-sdxictl-vm TAP: in the VM, its output compared with sysfs
#                         and debugfs while sdxi_traffic holds contexts,
#                         quota, reset, the error records of a context error,
#                         reset of one context (with the user_contexts
#                         admin_reset tests and dmatest holding a kernel
#                         channel) (tests/vm-guest.sh)

SDXICTL_B := $(B)/sdxictl
SDXICTL_BIN := $(SDXICTL_B)/sdxictl
SDXICTL_SRC := $(wildcard tools/sdxictl/*.c) tools/common/json.c
SDXICTL_HDR := tools/sdxictl/sdxictl.h tools/common/json.h uapi/linux/sdxi_hw.h
# Packages (make deb) link it dynamically: SDXICTL_LDFLAGS=
SDXICTL_LDFLAGS ?= -static

CHECK_SUITES += sdxictl
VM_SUITES += sdxictl-vm

.PHONY: sdxictl check-sdxictl check-sdxictl-vm
all: sdxictl
sdxictl: $(SDXICTL_BIN)

$(SDXICTL_BIN): $(SDXICTL_SRC) $(SDXICTL_HDR) VERSION
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(TOP)/tools/common -DSDXI_VERSION='"$(SDXI_VERSION)"' $(SDXICTL_LDFLAGS) -o $@ $(SDXICTL_SRC)

check-sdxictl: $(SDXICTL_BIN)
	@$(SUITE_TAP) $(RESULTS)/sdxictl.tap -- $(TOP)/tools/sdxictl/tests/host.sh $< \
		$(TOP)/tools/sdxictl/sdxictl.8

check-sdxictl-vm: $(SDXICTL_BIN) $(SDXI_KO) $(DMATEST_KO) $(KSFT_B)/sdxi_traffic \
		$(KSFT_B)/user_contexts
	@$(VM_TAP) $(RESULTS)/sdxictl-vm.tap --timeout 600 --file $(SDXI_KO) --file $(DMATEST_KO) \
		--file $(SDXICTL_BIN) --file $(KSFT_B)/sdxi_traffic --file $(KSFT_B)/user_contexts \
		--script $(TOP)/tools/sdxictl/tests/vm-guest.sh
