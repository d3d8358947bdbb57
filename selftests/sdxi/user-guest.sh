# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the user-contexts suites (busybox sh): load sdxi.ko, run
# kselftest programs and merge their TAP into one numbered stream
# (tap_merge of tools/tap.sh), then check the kernel log.  The runner
# (selftests.mk) appends the commands:
#   ksft PROGRAM [ARGS...]    run one kselftest program; one that skips as a
#                             whole is a SKIP, one that stops short or
#                             crashes a failure
#   taint_check               one result: the kernel's taint flags are at
#                             most O and E (out-of-tree, unsigned module),
#                             never W
#   finish                    dmesg check and the plan

. /usr/share/sdxi/tap.sh
dmesg -n 1
modprobe sdxi || tap_diag "modprobe sdxi failed"
# The runner gives the test configuration of sdxi.ko (kernel/Kbuild
# SDXI_TEST=1): tests of its hooks fail rather than skip without them.
export SDXI_TEST_BUILD=1

# ksft PROGRAM [ARGS...]: its results, renumbered into this stream.
ksft() { tap_merge "$@"; }

taint_check() {
	t=$(cat /proc/sys/kernel/tainted)
	# Bits 12 (O) and 13 (E) only.
	[ $((t & ~12288)) = 0 ]
	tap $? kernel_taint_only_O_and_E "tainted=$t (W is bit 9)"
}

BAD_LOG="WARNING:|BUG:|Oops|refcount_t|use-after-free|general protection|Call Trace"
finish() {
	! dmesg | grep -qE "$BAD_LOG"
	tap $? guest_log_has_no_warn_or_oops \
		"$(dmesg | grep -E -A3 "$BAD_LOG" | head -n 30)"
	tap_diag "$(dmesg | grep -E "sdxi.*(PASID|user contexts)" | head -n 3 | sed 's/^/dmesg: /')"
	tap_plan
}
