#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The offload suite: each test program under LD_PRELOAD of the library on
# the software device, its exit status and the statistics report checked.
#
#   run.sh LIBSDXI-OFFLOAD.SO BINDIR
so=$1 bin=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../tools/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export SDXI_OFFLOAD_DEVICE=soft
unset SDXI_OFFLOAD SDXI_OFFLOAD_MIN SDXI_OFFLOAD_FUNCS SDXI_OFFLOAD_STATS SDXI_OFFLOAD_CONTEXT

# pre NAME [ENV=VAL...] -- PROGRAM [ARGS]: run under the library (60 s at
# most); stdout in $tmp/out, stderr in $tmp/err; the status is the program's.
pre() {
	local envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	timeout 60 env "${envs[@]}" LD_PRELOAD="${PRELOAD:-$so}" "$@" >"$tmp/out" 2>"$tmp/err"
}

# The report's count of calls on PATH for FUNCTION, all size classes.
calls() {
	awk -v f="$1" -v p="$2" '$2 == f && $4 == p { n += $5 } END { print n + 0 }' "$tmp/err"
}
# The count of fallback REASON (summed over the reports of all processes).
fallbacks() {
	awk -v r="$1" '$2 == "fallbacks" { for (i = 3; i < NF; i += 2) if ($i == r) n += $(i + 1) }
		END { print n + 0 }' "$tmp/err"
}
why() { printf '%s\n' "status $1" "$(tail -n 30 "$tmp/err")"; }

# Forced onto the device: every function gives glibc's results.
pre copy SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/copy"; rc=$?
tap $rc copy_results_on_the_device "$(why $rc)"
[ "$(calls memcpy device)" -gt 0 ] && [ "$(calls memmove device)" -gt 0 ] &&
	[ "$(calls memset device)" -gt 0 ] && [ "$(calls memcpy cpu)" -gt 0 ]
tap $? copy_stats_show_device_and_cpu_calls "$(cat "$tmp/err")"
[ "$(fallbacks overlap)" -gt 0 ]
tap $? overlapping_memmove_counted_as_cpu_fallback "$(cat "$tmp/err")"
grep -q "errors 0 " "$tmp/err"
tap $? no_device_errors "$(cat "$tmp/err")"

# Large copies split between the device and the CPU.
pre split SDXI_OFFLOAD_SPLIT=40% SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/copy"; rc=$?
[ $rc = 0 ] && grep -Eq "split calls [1-9]" "$tmp/err" && grep -q "errors 0 " "$tmp/err"
tap $? copy_results_split_between_device_and_cpu "$(why $rc)"

# auto on the software device: the CPU always, without a device thread.
pre auto SDXI_OFFLOAD_STATS=1 -- "$bin/copy"; rc=$?
[ $rc = 0 ] && grep -q "threshold never (CPU always) (auto)" "$tmp/err" &&
	[ "$(calls memcpy device)" = 0 ] && [ "$(calls memcpy cpu)" -gt 0 ]
tap $? auto_chooses_the_cpu_on_the_software_device "$(why $rc)"

pre off SDXI_OFFLOAD=0 SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/copy"; rc=$?
[ $rc = 0 ] && [ "$(calls memcpy device)" = 0 ] && [ "$(calls memset device)" = 0 ]
tap $? SDXI_OFFLOAD_0_keeps_everything_on_the_cpu "$(why $rc)"

pre funcs SDXI_OFFLOAD_FUNCS=memset SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/copy"
rc=$?
[ $rc = 0 ] && [ "$(calls memcpy device)" = 0 ] && [ "$(calls memmove device)" = 0 ] &&
	[ "$(calls memset device)" -gt 0 ]
tap $? per_function_switch "$(why $rc)"

pre nostats SDXI_OFFLOAD_MIN=4k -- "$bin/copy"; rc=$?
[ $rc = 0 ] && ! grep -q sdxi-offload "$tmp/err"
tap $? no_report_without_SDXI_OFFLOAD_STATS "$(why $rc)"

pre nodev SDXI_OFFLOAD_DEVICE=/dev/sdxi-none SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- \
	"$bin/copy"; rc=$?
[ $rc = 0 ] && [ "$(calls memcpy device)" = 0 ] && [ "$(fallbacks nodev)" -gt 0 ]
tap $? no_device_every_call_on_the_cpu_and_counted "$(why $rc)"

pre badmin SDXI_OFFLOAD_MIN=lots SDXI_OFFLOAD_STATS=1 -- "$bin/copy"; rc=$?
[ $rc = 0 ] && grep -q "(auto)" "$tmp/err"
tap $? unparsable_threshold_means_auto "$(why $rc)"

# The first calls come from another library's constructor, before and
# after the interposer's own (both orders of LD_PRELOAD), and from a
# thread it starts there.
for order in first last; do
	if [ $order = first ]; then
		both="$bin/early-so.so:$so"
	else
		both="$so:$bin/early-so.so"
	fi
	PRELOAD=$both pre boot SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/boot"; rc=$?
	[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$(printf 'early: ok\nmain: ok')" ] &&
		[ "$(calls memcpy device)" -gt 0 ]
	tap $? copies_in_a_constructor_listed_${order} "$(why $rc)" "$(cat "$tmp/out")"
done

pre signals SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/signals"; rc=$?
[ $rc = 0 ] && [ "$(fallbacks signal)" -gt 0 ] && [ "$(calls memcpy device)" -gt 0 ]
tap $? signal_handlers_copy_on_the_cpu "$(why $rc)"

pre fork SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/fork"; rc=$?
[ $rc = 0 ] && [ "$(fallbacks child)" -gt 0 ] && [ "$(calls memcpy device)" -gt 0 ]
tap $? fork_vfork_posix_spawn_children "$(why $rc)"

pre threads SDXI_OFFLOAD_CONTEXT=thread SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- \
	"$bin/threads"; rc=$?
[ $rc = 0 ] && grep -q "contexts 45 (per thread)" "$tmp/err" && [ "$(calls memcpy device)" -gt 0 ]
tap $? threads_each_with_a_context "$(why $rc)"

pre pool SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/threads"; rc=$?
[ $rc = 0 ] && grep -Eq "contexts [1-4] \(pool\)" "$tmp/err" && [ "$(calls memcpy device)" -gt 0 ]
tap $? threads_on_the_default_pool_of_contexts "$(why $rc)"

pre busy SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/loop" 12 30; rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "loop: ok" ] && grep -Eq "contexts [1-4] \(pool\)" "$tmp/err" &&
	[ "$(calls memcpy device)" -gt 0 ]
tap $? more_threads_than_pool_contexts "$(why $rc)"

pre exit SDXI_OFFLOAD_MIN=4k SDXI_OFFLOAD_STATS=1 -- "$bin/exit"; rc=$?
[ $rc = 0 ] && grep -q "device errors" "$tmp/err"
tap $? exit_with_copies_in_flight "$(why $rc)"

# Device failures (the test build of the library injects them).
PRELOAD="$(dirname "$so")/libsdxi-offload-test.so" pre faults SDXI_OFFLOAD_MIN=4k \
	SDXI_OFFLOAD_STATS=1 -- "$bin/faults"; rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "faults: ok" ]
tap $? device_failures_never_reach_the_program "$(why $rc)"
errors=$(awk '$2 == "device" && $3 == "errors" { print $4 }' "$tmp/err")
[ "${errors:-0}" -ge 2 ] && [ "$(fallbacks error)" -ge 2 ] && [ "$(fallbacks nodev)" -gt 0 ] &&
	[ "$(calls memcpy device)" -ge 2 ]
tap $? device_failures_counted_then_the_device_dropped "$(cat "$tmp/err")"

# The shipped library exports the interposed functions and nothing else
# (libsdxi inside it is local: no clash with a program linking libsdxi).
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | LC_ALL=C sort | tr '\n' ' ')
want="__memcpy_chk __memmove_chk __mempcpy __mempcpy_chk __memset_chk bcopy bzero memcpy memmove mempcpy memset sigaction signal "
[ "$exports" = "$want" ]
tap $? exports_only_the_interposed_functions "$exports"

out=$(LC_ALL=C groff -man -ww -z "$here/../sdxi-offload.7" 2>&1)
[ -z "$out" ]
tap $? man_page_formats_without_warnings "$out"

tap_plan
