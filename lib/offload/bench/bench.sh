#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make bench-offload: copyloop (memcpy() of 4 KiB..16 MiB in a loop) as a
# plain program (cpu), under libsdxi-offload.so with its default policy
# (auto), with offload off (SDXI_OFFLOAD=0) and with every call forced to
# the device (SDXI_OFFLOAD_MIN=4k); on $SDXI_OFFLOAD_DEVICE (default the
# software device), in MB per second of the process's CPU time.  cpu, auto
# and off alternate over 7 runs and each keeps its best per size.  Then the
# contexts: 2 threads forced, a context per thread against the pool, in
# elapsed time; and large calls split between the device and the CPU
# (SDXI_OFFLOAD_SPLIT=1) against the device alone and the CPU alone, in
# elapsed time.  Goal: auto >= 0.95x cpu at every size.
#
#   bench.sh LIBSDXI-OFFLOAD.SO COPYLOOP
so=$1 loop=$2
export SDXI_OFFLOAD_DEVICE=${SDXI_OFFLOAD_DEVICE:-soft}
unset SDXI_OFFLOAD SDXI_OFFLOAD_MIN SDXI_OFFLOAD_FUNCS SDXI_OFFLOAD_STATS SDXI_OFFLOAD_CONTEXT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best FILE...: per size, the highest MB/s of the files.
best() { sort -k1,1n -k2,2nr "$@" | awk '!seen[$1]++'; }

for i in 1 2 3 4 5 6 7; do
	"$loop" > "$tmp/cpu.$i" || exit 1
	LD_PRELOAD=$so "$loop" > "$tmp/auto.$i" || exit 1
	LD_PRELOAD=$so SDXI_OFFLOAD=0 "$loop" > "$tmp/off.$i" || exit 1
done
LD_PRELOAD=$so SDXI_OFFLOAD_MIN=4k "$loop" > "$tmp/forced" || exit 1
best "$tmp"/cpu.* > "$tmp/cpu"
best "$tmp"/auto.* > "$tmp/auto"
best "$tmp"/off.* > "$tmp/off"

echo "libsdxi-offload on $SDXI_OFFLOAD_DEVICE: memcpy() MB per CPU second, 1 thread"
echo "(best of 11 trials of 10 ms; cpu, auto and off: best of 7 alternating runs)"
join "$tmp/cpu" "$tmp/auto" | join - "$tmp/off" | join - "$tmp/forced" |
	awk 'BEGIN { printf "%10s %10s %10s %10s %10s %11s\n", "size", "cpu", "auto",
			"off", "forced", "auto/cpu"; ok = 1; worst = 99 }
	{ r = $3 / $2; if (r < worst) worst = r; if (r < 0.95) ok = 0
	  printf "%10s %10s %10s %10s %10s %11.3f\n", $1, $2, $3, $4, $5, r }
	END { printf "auto/cpu worst %.3f: goal >= 0.95 %s\n", worst, ok ? "met" : "NOT met" }'

echo
echo "2 threads forced to the device: a context per thread vs a pool of 4 (MB/s elapsed, sum)"
LD_PRELOAD=$so SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_CONTEXT=thread "$loop" 2 wall > "$tmp/thread" ||
	exit 1
LD_PRELOAD=$so SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_CONTEXT=pool "$loop" 2 wall > "$tmp/pool" || exit 1
join "$tmp/thread" "$tmp/pool" |
	awk 'BEGIN { printf "%10s %10s %10s %11s\n", "size", "thread", "pool", "pool/thread" }
	{ printf "%10s %10s %10s %11.3f\n", $1, $2, $3, $3 / $2 }'

echo
echo "1 thread, elapsed time: the CPU, the device alone, split between both (MB/s)"
"$loop" 1 wall > "$tmp/wcpu" || exit 1
LD_PRELOAD=$so SDXI_OFFLOAD_MIN=4k "$loop" 1 wall > "$tmp/wdev" || exit 1
LD_PRELOAD=$so SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_SPLIT=1 "$loop" 1 wall > "$tmp/wsplit" || exit 1
join "$tmp/wcpu" "$tmp/wdev" | join - "$tmp/wsplit" |
	awk 'BEGIN { printf "%10s %10s %10s %10s %11s %11s\n", "size", "cpu", "device", "split",
			"split/dev", "split/cpu" }
	{ printf "%10s %10s %10s %10s %11.3f %11.3f\n", $1, $2, $3, $4, $4 / $3, $4 / $2 }'
