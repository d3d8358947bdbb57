# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the user-contexts suites (busybox sh): load sdxi.ko, run
# kselftest programs and merge their TAP into one numbered stream, then
# check the kernel log.  The runner (selftests.mk) appends the commands:
#   ksft PROGRAM [ARGS...]    run one kselftest program
#   taint_check               one result: the kernel's taint flags are at
#                             most O and E (out-of-tree, unsigned module),
#                             never W
#   finish                    dmesg check and the plan

dmesg -n 1
modprobe sdxi || echo "# modprobe sdxi failed"
SDXI_N=0

ksft() {
	"$@" >/tmp/ksft.out 2>&1
	awk -v base="$SDXI_N" '
		/^ok [0-9]+ / { $2 = ++base; print; next }
		/^not ok [0-9]+ / { $3 = ++base; print; next }
		/^#/ { print }
		END { print base > "/tmp/ksft.n" }' /tmp/ksft.out
	SDXI_N=$(cat /tmp/ksft.n)
}

taint_check() {
	t=$(cat /proc/sys/kernel/tainted)
	SDXI_N=$((SDXI_N + 1))
	# Bits 12 (O) and 13 (E) only.
	if [ $((t & ~12288)) = 0 ]; then
		echo "ok $SDXI_N - kernel_taint_only_O_and_E"
	else
		echo "not ok $SDXI_N - kernel_taint_only_O_and_E"
		echo "# tainted=$t (W is bit 9)"
	fi
}

finish() {
	SDXI_N=$((SDXI_N + 1))
	if dmesg | grep -qE "WARNING:|BUG:|Oops|refcount_t|use-after-free|general protection|Call Trace"; then
		echo "not ok $SDXI_N - guest_log_has_no_warn_or_oops"
		dmesg | grep -E -A3 "WARNING:|BUG:|Oops|refcount_t|use-after-free|general protection|Call Trace" |
			head -n 30 | sed 's/^/# /'
	else
		echo "ok $SDXI_N - guest_log_has_no_warn_or_oops"
	fi
	dmesg | grep -E "sdxi.*(PASID|user contexts)" | head -n 3 | sed 's/^/# dmesg: /'
	echo "1..$SDXI_N"
}
