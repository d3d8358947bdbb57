#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The offload suite in the test VM, on /dev/sdxi0 (sdxi.ko on the QEMU
# model); busybox sh.  The library and the test programs are in
# /usr/lib/sdxi-offload, the apps script in /usr/bin.
#
#   sdxi-offload-vm
. /usr/share/sdxi/tap.sh
d=/usr/lib/sdxi-offload
so=$d/libsdxi-offload.so
dev=/dev/sdxi0
tmp=$(mktemp -d)
unset SDXI_OFFLOAD SDXI_OFFLOAD_MIN SDXI_OFFLOAD_FUNCS SDXI_OFFLOAD_CONTEXT

# on "VAR=VALUE..." PROGRAM...: under the library on $dev with statistics
# and the variables given, stdout in $tmp/out, stderr in $tmp/err.
on() {
	opts=$1
	shift
	env $opts SDXI_OFFLOAD_DEVICE=$dev SDXI_OFFLOAD_STATS=1 LD_PRELOAD=$so "$@" \
		> "$tmp/out" 2> "$tmp/err"
}
calls() {
	awk -v f="$1" -v p="$2" '$2 == f && $4 == p { n += $5 } END { print n + 0 }' "$tmp/err"
}
fallbacks() {
	awk -v r="$1" '$2 == "fallbacks" { for (i = 3; i < NF; i += 2) if ($i == r) n += $(i + 1) }
		END { print n + 0 }' "$tmp/err"
}
errors() { awk '$2 == "device" && $3 == "errors" { n += $4 } END { print n + 0 }' "$tmp/err"; }

modprobe sdxi && [ -c $dev ]
tap $? sdxi0_present

on "SDXI_OFFLOAD_MIN=4k" $d/copy 1048576
rc=$?
[ $rc = 0 ] && [ "$(calls memcpy device)" -gt 0 ] && [ "$(calls memset device)" -gt 0 ] &&
	[ "$(calls memmove device)" -gt 0 ] && [ "$(errors)" = 0 ]
tap $? copy_results_on_sdxi0 "status $rc" "$(cat "$tmp/err")"

on "" $d/copy 1048576
rc=$?
[ $rc = 0 ] && grep -q "(auto)" "$tmp/err"
tap $? auto_policy_on_sdxi0 "status $rc" "$(cat "$tmp/err")"
tap_diag "auto on $dev:" "$(grep -E 'threshold|measured' "$tmp/err")"

on "SDXI_OFFLOAD_MIN=4k" $d/signals
rc=$?
[ $rc = 0 ] && [ "$(fallbacks signal)" -gt 0 ] && [ "$(calls memcpy device)" -gt 0 ]
tap $? signal_handlers_on_sdxi0 "status $rc" "$(cat "$tmp/err")"

on "SDXI_OFFLOAD_MIN=4k" $d/fork
rc=$?
[ $rc = 0 ] && [ "$(fallbacks child)" -gt 0 ] && [ "$(calls memcpy device)" -gt 0 ]
tap $? fork_vfork_posix_spawn_on_sdxi0 "status $rc" "$(cat "$tmp/err")"

on "SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_CONTEXT=thread" $d/threads
rc=$?
[ $rc = 0 ] && grep -q "contexts 45 (per thread)" "$tmp/err" && [ "$(errors)" = 0 ]
tap $? threads_with_a_context_each_on_sdxi0 "status $rc" "$(cat "$tmp/err")"

on "SDXI_OFFLOAD_MIN=4k" $d/exit
tap $? exit_with_copies_in_flight_on_sdxi0 "$(cat "$tmp/err")"

tap_merge sdxi-offload-apps $so $dev /usr/share/sdxi/tap.sh 500000 4


# Last: the device goes away (unbind) under a program copying on it in
# two threads: its mappings stay harmless and libsdxi reports -ENODEV
# (Documentation/uapi.rst, "Device removal"), so every copy completes,
# correct, on the CPU from then on, counted as "removed".  A program
# started afterwards finds no device and copies on the CPU.
addr=$(basename "$(readlink /sys/class/sdxi/sdxi0/device)")
sync=$tmp/copying
on "SDXI_OFFLOAD_MIN=4k" $d/loop 2 20 "$sync" &
pid=$!
n=0
while [ ! -e "$sync" ] && [ $n -lt 300 ] && kill -0 $pid 2>/dev/null; do
	sleep 1
	n=$((n + 1))
done
echo "$addr" > /sys/bus/pci/drivers/sdxi/unbind && [ ! -e $dev ]
tap $? sdxi0_unbound
rm -f "$sync"
wait $pid
rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "loop: ok" ] && [ "$(calls memcpy device)" -gt 0 ] &&
	[ "$(fallbacks removed)" -gt 0 ] && [ "$(calls memcpy cpu)" -gt 0 ]
tap $? unbind_under_a_copying_program "status $rc" "$(cat "$tmp/out" "$tmp/err")"
tap_diag "unbound under loop:" "$(grep -E 'memcpy|fallbacks|errors' "$tmp/err")"
on "SDXI_OFFLOAD_MIN=4k" $d/loop 2 20
rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "loop: ok" ] && [ "$(fallbacks nodev)" -gt 0 ] &&
	[ "$(calls memcpy device)" = 0 ]
tap $? no_device_after_unbind_everything_on_the_cpu "status $rc" "$(cat "$tmp/err")"

rm -rf "$tmp"
tap_plan
