# SPDX-License-Identifier: GPL-2.0
#
# Guest-side helpers for the sdxi.ko VM tests (busybox sh).  The host
# wrapper (kernel/tests/vm-run) prepends this file to a test script and
# runs the result as the guest commands of tools/vm/run.
#
# TAP goes to stdout (tap STATUS NAME [DIAG...] of tools/tap.sh); kernel
# messages are kept off the console (dmesg -n 1) so they cannot split a TAP
# line, and the whole dmesg is printed between markers at the end for the
# host to keep.

. /usr/share/sdxi/tap.sh
dmesg -n 1

DT=/sys/module/dmatest/parameters

# Print the plan and the guest dmesg; called last.
finish() {
	tap_plan
	echo "SDXI-DMESG-BEGIN"
	dmesg
	echo "SDXI-DMESG-END"
}

# The PCI address of the first SDXI function (class 0x120100).
sdxi_bdf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/class")" = 0x120100 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

BDF=$(sdxi_bdf)
SYS=/sys/bus/pci/devices/$BDF/sdxi

attr() { cat "$SYS/$1" 2>/dev/null; }

# wait_attr NAME VALUE SECONDS: poll a sysfs attribute.
wait_attr() {
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		[ "$(attr "$1")" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Set a QOM property of the SDXI device through the runner.
qom_set() { sdxi-qom-set /machine/peripheral/sdxi0 "$1" "$2" >/dev/null; }

# Wait until the function is bound and active.
wait_active() { wait_attr driver_state active "${1:-10}"; }

# dmatest_setup POLLED ITERATIONS CHANNELS THREADS [TIMEOUT_MS] [k=v ...]
# Loads the kernel's dmatest (built out of tree, not committed) and sets
# its parameters for our function.
DT_OUT=/tmp/dmatest.out
DT_MARKS=0
dmatest_setup() {
	local kv
	modprobe dmatest || return 1
	echo "${5:-3000}" >$DT/timeout
	echo "$2" >$DT/iterations
	echo "$3" >$DT/max_channels
	echo "$4" >$DT/threads_per_chan
	echo "$1" >$DT/polled
	echo "$BDF" >$DT/device
	shift 5 2>/dev/null || shift $#
	for kv in "$@"; do echo "${kv#*=}" >"$DT/${kv%%=*}"; done
	DT_MARKS=$((DT_MARKS + 1))
	DT_MARK="sdxi-dmatest-$DT_MARKS-$TAP_N"
	echo "$DT_MARK" >/dev/kmsg
}

# dmatest_channel: request our first channel now (its context is created
# and started), so a later fault cannot prevent the allocation.
dmatest_channel() {
	local c
	for c in /sys/class/dma/dma*chan*; do
		if [ "$(basename "$(readlink -f "$c/device")")" = "$BDF" ]; then
			basename "$c" >$DT/channel
			return
		fi
	done
	return 1
}

# dmatest_run: start, wait, unload, parse.  Summary lines are left in
# $DT_OUT and printed as TAP diagnostics; sets DT_TESTS and DT_FAILS (sums
# over threads) and DT_THREADS.
dmatest_run() {
	echo 1 >$DT/run
	dmatest_wait
	dmatest_finish
}

# dmatest_wait: until every started thread printed its summary.  dmatest's
# own "wait" returns at once if read before the threads cleared their
# pending flag, so it is re-read until the counts match.
dmatest_wait() {
	local started done tries=0
	while :; do
		cat $DT/wait >/dev/null
		started=$(dmatest_log | sed -n 's/.*dmatest: Started \([0-9]*\) threads.*/\1/p' |
			awk '{ s += $1 } END { print s + 0 }')
		done=$(dmatest_log | grep -c 'dmatest: .*summary')
		[ "$started" -gt 0 ] && [ "$done" -ge "$started" ] && return 0
		tries=$((tries + 1))
		# No thread ever started (no channel): give up after 5 s.
		[ "$started" = 0 ] && [ $tries -ge 50 ] && return 1
		sleep 0.1
	done
}

# dmatest_finish: unload dmatest and parse the run (see dmatest_run).
dmatest_finish() {
	rmmod dmatest
	dmesg | sed -n "/$DT_MARK\$/,\$p" | grep 'dmatest: .*summary' >$DT_OUT
	DT_THREADS=$(wc -l <$DT_OUT)
	DT_TESTS=$(sed -n 's/.*summary \([0-9]*\) tests.*/\1/p' $DT_OUT |
		awk '{ s += $1 } END { print s + 0 }')
	DT_FAILS=$(sed -n 's/.*tests, \([0-9]*\) failures.*/\1/p' $DT_OUT |
		awk '{ s += $1 } END { print s + 0 }')
	sed 's/^\[[ 0-9.]*\] //; s/^/# /' $DT_OUT
}

# dmatest POLLED ITERATIONS CHANNELS THREADS [TIMEOUT_MS] [k=v ...]
dmatest() {
	dmatest_setup "$@" && dmatest_run
}

# dmatest_log: the kernel log since the last dmatest_setup.
dmatest_log() { dmesg | sed -n "/$DT_MARK\$/,\$p"; }

# dmatest_ok: the last run had every thread report, all tests, no failure.
dmatest_ok() { # EXPECTED_THREADS EXPECTED_TESTS
	[ "$DT_THREADS" = "$1" ] && [ "$DT_TESTS" = "$2" ] && [ "$DT_FAILS" = 0 ]
}

# Kernel log problems that fail a run: warnings, bugs, refcount and
# use-after-free reports, lockdep reports (not its "RCU lockdep checking is
# enabled" banner on a debug kernel), oopses.
dmesg_bad() {
	dmesg | grep -E 'WARNING:|BUG:|refcount|use-after-free|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|Oops|general protection|Call Trace' |
		head -n 5
}

# The end of a run: the kernel log must be free of dmesg_bad reports; then
# the plan and the log (finish).
finish_clean() {
	local out

	out=$(dmesg_bad)
	[ -z "$out" ]
	tap $? dmesg_has_no_warn_bug_refcount_uaf_lockdep "$out"
	finish
}

# The end of a run that loaded sdxi.ko: it unloads, then finish_clean.
unload_finish() {
	rmmod sdxi
	tap $? module_unloads
	finish_clean
}
