# SPDX-License-Identifier: MIT
#
# The VM half of make run (guest side, busybox sh; run.sh prepends
# PERF_ARGS=... and PERF_DEV=/dev/sdxi0).  Loads sdxi.ko, waits for the
# function to be active, measures the kernel's dmaengine path with dmatest
# in performance mode (one channel, one thread: synchronous copies, like
# sdxi-perf's qd-1 rows) at 64 B and 4 KiB, then runs sdxi-perf's default
# sweep on $PERF_DEV through a user-mapped context with those figures as
# references.  Prints its results between SDXI-PERF-* markers for run.sh.
# Exit status: sdxi-perf's; 3 when $PERF_DEV does not exist (the driver
# has no char device yet); 4 when the driver did not come up.

dmesg -n 1
DT=/sys/module/dmatest/parameters
DT_ITER=${DT_ITER:-1000}

bdf=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120100 ] && bdf=$(basename "$d") && break
done
[ -n "$bdf" ] || { echo "SDXI-PERF-INFO no SDXI function (class 0x120100) in the VM"; exit 4; }
pci=/sys/bus/pci/devices/$bdf
echo "SDXI-PERF-INFO SDXI function $bdf ($(cat "$pci/vendor"):$(cat "$pci/device"))"
modprobe sdxi || { echo "SDXI-PERF-INFO modprobe sdxi failed"; exit 4; }
i=0
while [ "$(cat "$pci/sdxi/driver_state" 2>/dev/null)" != active ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "SDXI-PERF-INFO function not active after 10 s"; exit 4; }
	sleep 0.1
done
echo "SDXI-PERF-INFO sdxi.ko loaded, function $bdf active"

# dmatest POLLED SIZE: iops of one channel x one thread of SIZE-byte copies
# (norandom, noverify: dmatest's performance mode) on stdout, or nothing;
# its summary line on stderr.
# (busybox sh has "local".)
# shellcheck disable=SC3043
dmatest() {
	local mark="sdxi-perf-dmatest-$1-$2" n=0 line
	modprobe dmatest || return 1
	echo 5000 >$DT/timeout
	echo "$DT_ITER" >$DT/iterations
	echo 1 >$DT/max_channels
	echo 1 >$DT/threads_per_chan
	echo "$1" >$DT/polled
	echo 1 >$DT/norandom
	echo 1 >$DT/noverify
	echo "$2" >$DT/test_buf_size
	echo "$bdf" >$DT/device
	echo "$mark" >/dev/kmsg
	echo 1 >$DT/run
	# dmatest's own "wait" can return before the thread starts: poll dmesg.
	while [ $n -lt 600 ]; do
		line=$(dmesg | sed -n "/$mark\$/,\$p" | grep 'dmatest: .*summary' | tail -n1)
		[ -n "$line" ] && break
		n=$((n + 1))
		sleep 0.1
	done
	rmmod dmatest
	[ -n "$line" ] || return 1
	echo "SDXI-PERF-INFO dmatest polled=$1 size=$2: ${line#*dmatest: }" >&2
	echo "$line" | sed -n 's/.* failures \([0-9.]*\) iops .*/\1/p'
}

refs=""
for polled in 0 1; do
	r64=$(dmatest $polled 64)
	r4k=$(dmatest $polled 4096)
	label=dmatest-irq
	[ $polled = 1 ] && label=dmatest-polled
	ref=""
	[ -n "$r64" ] && [ "$r64" != 0.00 ] && ref="64=$r64"
	[ -n "$r4k" ] && [ "$r4k" != 0.00 ] && ref="${ref:+$ref,}4k=$r4k"
	[ -n "$ref" ] && refs="$refs --ref $label:$ref"
done
echo "SDXI-PERF-REFS$refs"

if [ ! -c "$PERF_DEV" ]; then
	echo "SDXI-PERF-SKIP $PERF_DEV does not exist: this sdxi.ko has no user-mapped contexts (char device) yet"
	for n in /dev/sdxi*; do [ -e "$n" ] && echo "SDXI-PERF-INFO present: $n"; done
	exit 3
fi
# shellcheck disable=SC2086 # word splitting of the option lists is intended
sdxi-perf -d "$PERF_DEV" --compare --quiet $refs $PERF_ARGS --csv /tmp/vm.csv >/tmp/vm.txt 2>/tmp/vm.err
rc=$?
echo "SDXI-PERF-TABLE-BEGIN"
cat /tmp/vm.txt /tmp/vm.err
echo "SDXI-PERF-TABLE-END"
echo "SDXI-PERF-CSV-BEGIN"
cat /tmp/vm.csv 2>/dev/null
echo "SDXI-PERF-CSV-END"
exit $rc
