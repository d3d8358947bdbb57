#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Robustness harness for SDXI functions (after AMD's badtest.sh): unbind/
# bind cycles and module reload cycles, each with traffic from user space
# (sdxi_traffic: verified copies through /dev/sdxi0 in two processes, dma-buf
# imports included) and from the kernel's dmaengine clients (dmatest), then
# a kmemleak scan, the taint flags and the kernel log.
#
#   SDXI_CYCLES=N    unbind/bind cycles (default 100)
#   SDXI_RELOADS=N   module reload cycles (default: SDXI_CYCLES)
#
# Each unbind happens while sdxi_traffic is copying (every 10th also with
# dmatest threads running): the processes must see the device go (SIGBUS,
# ENODEV, POLLHUP) and exit cleanly, dmatest's threads must end.  Each
# reload first tries to unload under traffic, which must be refused (our
# choice: a file or mapping of /dev/sdxiN holds the module), then stops
# the traffic, unloads and reloads (ring_entries and channels vary).  After
# every cycle: the function active, dmatest and a short sdxi_traffic run
# pass, and every user counter and context ID is back to zero.
#
# Needs root; SKIPs (exit 4) without an SDXI function or when sdxi is
# built in or in use.  TAP on stdout.

ksft_skip=4
CYCLES=${SDXI_CYCLES:-100}
RELOADS=${SDXI_RELOADS:-$CYCLES}
here=$(cd "$(dirname "$0")" && pwd)
TRAFFIC=$here/sdxi_traffic
[ -x "$TRAFFIC" ] || TRAFFIC=sdxi_traffic
DT=/sys/module/dmatest/parameters
KMEMLEAK=/sys/kernel/debug/kmemleak
RUNNING=/tmp/sdxi-robustness.running
BAD_LOG='WARNING:|BUG:|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|refcount_t:|use-after-free|general protection fault|Oops|Call Trace:|INFO: task .* blocked'

echo "TAP version 13"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit $ksft_skip; }

# The first function of class 0x120100.
BDF=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class" 2>/dev/null)" = 0x120100 ] && { BDF=$(basename "$d"); break; }
done
[ -n "$BDF" ] || { echo "1..0 # SKIP no SDXI function (PCI class 0x120100)"; exit $ksft_skip; }
[ -e /sys/module/sdxi ] || modprobe sdxi 2>/dev/null
[ -e /sys/module/sdxi/refcnt ] ||
	{ echo "1..0 # SKIP sdxi is not a loadable module"; exit $ksft_skip; }
[ "$(cat /sys/module/sdxi/refcnt)" = 0 ] ||
	{ echo "1..0 # SKIP sdxi is in use (refcnt $(cat /sys/module/sdxi/refcnt))"; exit $ksft_skip; }

FN=/sys/bus/pci/devices/$BDF/sdxi
CLS=/sys/class/sdxi/sdxi0
NUM=0
FAILED=0
echo "1..7"

# result RC NAME [DIAGNOSTIC...]
result() {
	local rc=$1 name=$2 d
	shift 2
	NUM=$((NUM + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $NUM $name"
	else
		FAILED=1
		echo "not ok $NUM $name"
	fi
	for d in "$@"; do [ -n "$d" ] && printf '%s\n' "$d" | sed 's/^/# /'; done
}

skip() { NUM=$((NUM + 1)); echo "ok $NUM $1 # SKIP $2"; }

wait_active() {
	local i=0
	while [ "$(cat "$FN/driver_state" 2>/dev/null)" != active ] || [ ! -e /dev/sdxi0 ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# The kernel log has nothing bad since the start: checked after each
# cycle, so a log that wraps cannot hide a report.
LOGBAD=
log_check() {
	[ -n "$LOGBAD" ] && return
	LOGBAD=$(dmesg | sed -n '/sdxi-robustness: start$/,$p' | grep -E "$BAD_LOG" | head -n 5)
	# The marker scrolled out of the buffer: check all of it.
	dmesg | grep -q 'sdxi-robustness: start$' ||
		LOGBAD=$(dmesg | grep -E "$BAD_LOG" | head -n 5)
}

# Helpers return 0, or 1 with the reason in ERR (no subshells: they keep
# the traffic's PID).
ERR=
fail() { ERR=$1; return 1; }

counters_zero() {
	local c v
	for c in user_contexts pasids pinned_pages dmabufs open_files; do
		v=$(cat "$CLS/$c" 2>/dev/null)
		[ "$v" = 0 ] || { fail "$c=$v"; return 1; }
	done
	v=$(cat "$FN/active_contexts")
	[ "$v" = 0 ] || fail "active_contexts=$v"
}

nchan() {
	local c n=0
	for c in /sys/class/dma/dma*chan*; do
		[ "$(basename "$(readlink -f "$c/device")")" = "$BDF" ] && n=$((n + 1))
	done
	echo $n
}

# ---- dmatest (drivers/dma/dmatest.c) ------------------------------------
HAVE_DT=0
if modprobe dmatest 2>/dev/null; then
	rmmod dmatest
	HAVE_DT=1
fi
DT_N=0
dmatest_start() { # ITERATIONS POLLED
	modprobe dmatest || return 1
	echo 3000 >$DT/timeout
	echo "$1" >$DT/iterations
	echo 16 >$DT/max_channels
	echo 1 >$DT/threads_per_chan
	echo "$2" >$DT/polled
	echo "$BDF" >$DT/device
	DT_N=$((DT_N + 1))
	DT_MARK="sdxi-robustness-dmatest-$DT_N"
	echo "$DT_MARK" >/dev/kmsg
	echo 1 >$DT/run
}
dt_summaries() { dmesg | sed -n "/$DT_MARK\$/,\$p" | grep 'dmatest: .*summary'; }
dmatest_wait() { # THREADS
	local i=0
	while [ "$(dt_summaries | wc -l)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && return 1
		sleep 0.1
	done
}
# dmatest ITERATIONS POLLED: run on every channel of the function, check.
dmatest() {
	local n w tests fails
	[ $HAVE_DT = 1 ] || return 0
	n=$(nchan)
	dmatest_start "$1" "$2" || return 1
	dmatest_wait "$n"
	w=$?
	rmmod dmatest
	[ $w = 0 ] || {
		fail "dmatest: $(dt_summaries | wc -l) of $n threads reported
$(dmesg | sed -n "/$DT_MARK\$/,\$p" | grep -E 'dmatest|sdxi' | tail -n 8)"
		return 1
	}
	tests=$(dt_summaries | sed -n 's/.*summary \([0-9]*\) tests.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
	fails=$(dt_summaries | sed -n 's/.*tests, \([0-9]*\) failures.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
	[ "$tests" = $(($1 * n)) ] && [ "$fails" = 0 ] ||
		fail "dmatest: $tests tests $fails failures on $n channels"
}

# ---- user-space traffic (sdxi_traffic) ------------------------------------
HAVE_UT=0
[ "$(cat "$CLS/isolation" 2>/dev/null)" = pasid ] && command -v "$TRAFFIC" >/dev/null && HAVE_UT=1
TPID=
traffic_start() { # PROCS
	local i=0
	[ $HAVE_UT = 1 ] || return 0
	rm -f $RUNNING
	"$TRAFFIC" -n "$1" -R $RUNNING &
	TPID=$!
	while [ ! -e $RUNNING ]; do
		kill -0 $TPID 2>/dev/null || { wait $TPID; fail "sdxi_traffic ended early ($?)"; TPID=; return 1; }
		i=$((i + 1))
		[ $i -gt 200 ] && { fail "sdxi_traffic not running after 20 s"; return 1; }
		sleep 0.1
	done
}
# traffic_end [SIGNAL]: wait (15 s) for the traffic to end; 0 if it ended well.
traffic_end() {
	local i=0 rc
	[ -n "$TPID" ] || return 0
	[ -n "$1" ] && kill -"$1" $TPID
	while kill -0 $TPID 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 150 ]; then
			kill -KILL $TPID
			wait $TPID
			TPID=
			fail "sdxi_traffic hung"
			return 1
		fi
		sleep 0.1
	done
	wait $TPID
	rc=$?
	TPID=
	[ $rc = 0 ] || fail "sdxi_traffic exited $rc"
}
traffic_short() {
	[ $HAVE_UT = 1 ] || return 0
	"$TRAFFIC" -n 1 -r 3 || fail "sdxi_traffic -r 3 failed"
}

# After a cycle: active, traffic from both sides passes, nothing left.
after_cycle() { # POLLED
	wait_active || { fail "function not active: $(cat "$FN/driver_state" 2>/dev/null)"; return 1; }
	dmatest 10 "$1" || return 1
	traffic_short || return 1
	counters_zero || return 1
}

echo "sdxi-robustness: start" >/dev/kmsg
[ -e $KMEMLEAK ] && echo clear >$KMEMLEAK
[ $HAVE_UT = 1 ] || echo "# no user contexts here (isolation: $(cat "$CLS/isolation" 2>/dev/null)): dmatest traffic only"
[ $HAVE_DT = 1 ] || echo "# no dmatest module: user-space traffic only"

# ---- 1. unbind / bind -------------------------------------------------------
bad=
start=$(date +%s)
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	traffic_start 2 || { bad="cycle $i: $ERR"; break; }
	dt=0
	if [ $HAVE_DT = 1 ] && [ $((i % 10)) = 0 ]; then
		dmatest_start 1000000 $((i / 10 % 2)) && dt=1
		sleep 0.5
	fi
	echo "$BDF" >/sys/bus/pci/drivers/sdxi/unbind || { bad="cycle $i: unbind"; break; }
	[ ! -e "$FN" ] || { bad="cycle $i: still bound"; break; }
	traffic_end || { bad="cycle $i: $ERR"; break; }
	if [ $dt = 1 ]; then
		echo 0 >$DT/run
		rmmod dmatest || { bad="cycle $i: dmatest threads did not end"; break; }
	fi
	echo "$BDF" >/sys/bus/pci/drivers/sdxi/bind || { bad="cycle $i: bind"; break; }
	after_cycle $((i % 2)) || { bad="cycle $i: $ERR"; break; }
	log_check
done
[ -z "$bad" ] && [ -z "$LOGBAD" ]
result $? "unbind_bind_${CYCLES}_cycles_with_traffic" "$bad" \
	"$i cycles in $(($(date +%s) - start)) s"

# ---- 2. module reload ---------------------------------------------------------
bad=
refused=0
start=$(date +%s)
i=0
while [ $i -lt "$RELOADS" ]; do
	i=$((i + 1))
	traffic_start 2 || { bad="reload $i: $ERR"; break; }
	if [ $HAVE_UT = 1 ]; then
		# Under traffic: refused, and nothing changes.
		if rmmod sdxi 2>/dev/null; then
			bad="reload $i: unloaded under traffic"
			break
		fi
		[ -e /dev/sdxi0 ] && refused=$((refused + 1))
		traffic_end TERM || { bad="reload $i: $ERR"; break; }
	fi
	rmmod sdxi || { bad="reload $i: rmmod (refcnt $(cat /sys/module/sdxi/refcnt))"; break; }
	[ ! -e /dev/sdxi0 ] || { bad="reload $i: /dev/sdxi0 left"; break; }
	if [ $((i % 2)) = 0 ]; then
		modprobe sdxi ring_entries=1500 channels=3 || { bad="reload $i: modprobe"; break; }
	else
		modprobe sdxi || { bad="reload $i: modprobe"; break; }
	fi
	after_cycle $((i % 2)) || { bad="reload $i: $ERR"; break; }
	log_check
done
[ -z "$bad" ] && [ -z "$LOGBAD" ]
result $? "module_reload_${RELOADS}_cycles_with_traffic" "$bad" \
	"$i reloads in $(($(date +%s) - start)) s"

if [ $HAVE_UT = 1 ]; then
	[ "$refused" = "$RELOADS" ]
	result $? unload_refused_under_user_traffic_every_time "$refused of $RELOADS refused"
else
	skip unload_refused_under_user_traffic_every_time "no user contexts (no PASID-capable IOMMU)"
fi

# ---- 3. nothing left ------------------------------------------------------------
ERR=
counters_zero
result $? user_counters_and_context_ids_zero "$ERR"

# ---- 4. kmemleak --------------------------------------------------------------------
if [ -e $KMEMLEAK ]; then
	# Objects younger than a few seconds are not reported: scan twice.
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	leaks=$(grep -c 'unreferenced object' $KMEMLEAK)
	[ "$leaks" = 0 ]
	result $? kmemleak_scan_finds_no_leak "$leaks unreferenced objects" \
		"$(head -n 20 $KMEMLEAK)"
else
	skip kmemleak_scan_finds_no_leak "kernel without CONFIG_DEBUG_KMEMLEAK (no $KMEMLEAK)"
fi

# ---- 5. taint: only O (out-of-tree) and E (unsigned), never W -------------------------
t=$(cat /proc/sys/kernel/tainted)
flags=
b=0
for l in P F S R M B U D A W C I O E L K X T N J; do
	[ $(((t >> b) & 1)) = 1 ] && flags="$flags$l"
	b=$((b + 1))
done
[ $((t & ~((1 << 12) | (1 << 13)))) = 0 ]
result $? kernel_taint_only_O_and_E "tainted=$t flags '${flags:--}'"

# ---- 6. the kernel log ------------------------------------------------------------------
log_check
[ -z "$LOGBAD" ]
result $? kernel_log_has_no_warn_bug_lockdep_kasan "$LOGBAD"

exit $FAILED
