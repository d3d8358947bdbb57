# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of the sdxictl-vm suite (busybox sh): sdxictl's output
# compared with the kernel's own files while user contexts exist
# (sdxi_traffic holds two per process), then reset, quotas, the error
# records of a context error and the reset of one context.  The
# module is loaded through the function's modalias, as udev does.

. /usr/share/sdxi/tap.sh
dmesg -n 1
cls=/sys/class/sdxi/sdxi0
dbg=/sys/kernel/debug/sdxi/sdxi0
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120100 ] && bdf=${d##*/}
done

modprobe "$(cat /sys/bus/pci/devices/$bdf/modalias)" && [ -e $cls ]
tap $? module_loads_through_the_modalias "$(cat /sys/bus/pci/devices/$bdf/modalias)"

# FIELD of the row of KEY in a table: the column whose header is FIELD.
col() {	# FIELD KEYCOLVALUE < table
	awk -v f="$1" -v k="$2" 'NR==1 {for (i = 1; i <= NF; i++) h[$i] = i; next}
		$1 == k {print $h[f]}'
}

sdxictl list >/tmp/list
[ "$(col PCI sdxi0 </tmp/list)" = "$bdf" ] &&
	[ "$(col FUNCTION_STATE sdxi0 </tmp/list)" = "$(cat $cls/device/sdxi/function_state)" ] &&
	[ "$(col DRIVER_STATE sdxi0 </tmp/list)" = active ] &&
	[ "$(col USER_CONTEXTS sdxi0 </tmp/list)" = 0 ] &&
	[ "$(col MAX_USER_CONTEXTS sdxi0 </tmp/list)" = "$(cat $cls/max_user_contexts)" ] &&
	[ "$(col ISOLATION sdxi0 </tmp/list)" = "$(cat $cls/isolation)" ]
tap $? list_matches_sysfs_when_idle "$(cat /tmp/list)"

sdxi_traffic -n 2 -R /tmp/ready >/tmp/traffic.log 2>&1 &
traffic=$!
i=0
while [ ! -e /tmp/ready ] && [ $i -lt 240 ] && kill -0 $traffic 2>/dev/null; do
	sleep 0.5; i=$((i + 1))
done
[ -e /tmp/ready ]
tap $? traffic_holds_contexts "$(cat /tmp/traffic.log)"

ncxt=$(ls $dbg | grep -c '^cxt')
sdxictl list >/tmp/list
[ "$(col USER_CONTEXTS sdxi0 </tmp/list)" = "$(cat $cls/user_contexts)" ] && [ "$ncxt" = 4 ] &&
	[ "$(cat $cls/user_contexts)" = 4 ]
tap $? list_counts_the_contexts_held "$(cat /tmp/list; echo "debugfs: $ncxt")"

# Every context: the fields that do not move equal debugfs; completed is
# at most debugfs's, read after it.
contexts_match() {
	sdxictl contexts sdxi0 >/tmp/cxts || return 1
	rows=0
	for f in $dbg/cxt*; do
		id=${f##*cxt}
		v=$(sed -n 's/^completed=//p' "$f")
		for k in pid uid ring_entries state pinned_bytes imported_bytes pasid vector errors; do
			want=$(sed -n "s/^$k=//p" "$f")
			got=$(col "$(echo $k | tr a-z A-Z)" "$id" </tmp/cxts)
			[ "$got" = "$want" ] || { echo "cxt$id $k: sdxictl $got, debugfs $want"; return 1; }
		done
		got=$(col COMPLETED "$id" </tmp/cxts)
		[ "$got" -le "$v" ] || { echo "cxt$id completed $got > $v after"; return 1; }
		pid=$(sed -n 's/^pid=//p' "$f")
		[ "$(col COMMAND "$id" </tmp/cxts)" = "$(cat /proc/$pid/comm)" ] ||
			{ echo "cxt$id command"; return 1; }
		rows=$((rows + 1))
	done
	[ "$(($(wc -l </tmp/cxts) - 1))" = "$rows" ] && [ $rows = 4 ]
}
out=$(contexts_match 2>&1); tap $? contexts_match_debugfs "$out
$(cat /tmp/cxts)"

# completed is monotonic: a later sdxictl reading is at least the earlier
# debugfs reading, so sdxictl is not reading something else.
completed_moves() {
	id=$(ls $dbg | grep '^cxt' | head -n1 | sed 's/cxt//')
	a=$(sed -n 's/^completed=//p' $dbg/cxt$id)
	sleep 1
	b=$(sdxictl contexts sdxi0 | col COMPLETED "$id")
	c=$(sed -n 's/^completed=//p' $dbg/cxt$id)
	echo "cxt$id: $a <= $b <= $c"
	[ "$a" -le "$b" ] && [ "$b" -le "$c" ] && [ "$a" -lt "$c" ]
}
out=$(completed_moves 2>&1); tap $? completed_follows_the_kernel_counter "$out"

# JSON: the same numbers (no JSON parser in the guest: one key at a time).
sdxictl contexts sdxi0 --json >/tmp/cxts.json
n=$(grep -o '"pid": [0-9]*' /tmp/cxts.json | wc -l)
p=$(grep -o '"pinned_bytes": [0-9]*' /tmp/cxts.json | awk '{s += $2} END {print s}')
[ "$n" = 4 ] && [ "$p" = "$(cat $cls/pinned_bytes)" ]
tap $? contexts_json_pinned_bytes_sum_to_the_device_counter "$(cat /tmp/cxts.json; cat $cls/pinned_bytes)"

users=$(sdxictl users sdxi0)
echo "$users" | awk 'NR==1 {for (i = 1; i <= NF; i++) h[$i] = i; next}
		{exit !($h["UID"] == 0 && $h["CONTEXTS"] == 4)}'
tap $? users_shows_root_with_four_contexts "$users
$(cat $dbg/users)"

# show: every counter equals its file (none moves without errors).
# A value of the "counters" section of sdxictl show.
counter() {
	awk -v k="$1" '/^counters$/ {s = 1; next} /^[a-z]/ {s = 0} s && $1 == k {print $2}' /tmp/show
}
show_match() {
	sdxictl show sdxi0 >/tmp/show || return 1
	for k in active_contexts max_contexts errlog_entries cxt_errors recoveries; do
		want=$(cat $cls/device/sdxi/$k)
		got=$(counter $k)
		[ "$got" = "$want" ] || { echo "$k: $got, sysfs $want"; return 1; }
	done
	for k in user_contexts pasids pinned_bytes dmabufs imported_bytes open_files; do
		want=$(cat $cls/$k)
		got=$(counter $k)
		[ "$got" = "$want" ] || { echo "$k: $got, sysfs $want"; return 1; }
	done
	grep -q "^  max_cxt  *$(cat $cls/device/sdxi/max_cxt)\$" /tmp/show
}
out=$(show_match 2>&1); tap $? show_counters_match_sysfs "$out
$(cat /tmp/show)"

kill -TERM $traffic
wait $traffic
tap $? traffic_ended_well "$(tail -n 5 /tmp/traffic.log)"

out=$(sdxictl contexts sdxi0)
[ "$out" = "no user contexts on sdxi0" ] && [ "$(cat $cls/user_contexts)" = 0 ]
tap $? no_contexts_left "$out"

sdxictl quota max_contexts_per_file 7 &&
	[ "$(cat /sys/module/sdxi/parameters/max_contexts_per_file)" = 7 ] &&
	sdxictl quota --json | grep -q '"max_contexts_per_file": 7'
tap $? quota_sets_the_module_parameter "$(sdxictl quota)"
sdxictl quota max_contexts_per_file 32

# reset: one more recovery, and the function comes back.
r0=$(cat $cls/device/sdxi/recoveries)
sdxictl reset 0 >/tmp/reset
i=0
while [ "$(cat $cls/device/sdxi/recoveries)" = "$r0" ] && [ $i -lt 60 ]; do
	sleep 0.5; i=$((i + 1))
done
sdxictl list >/tmp/list
[ "$(cat $cls/device/sdxi/recoveries)" = $((r0 + 1)) ] &&
	[ "$(col DRIVER_STATE sdxi0 </tmp/list)" = active ] &&
	[ "$(col FUNCTION_STATE sdxi0 </tmp/list)" = active ]
tap $? reset_recovers_the_function "$(cat /tmp/reset /tmp/list)"

# A context error (a kselftest that provokes one): show's last record is
# the kernel log's, and its error counters are sysfs's.
errors_match() {
	user_contexts -t poll_reports_context_error_until_reset >/tmp/uc.log 2>&1 ||
		{ cat /tmp/uc.log; return 1; }
	want=$(dmesg | sed -n "s/.*sdxi $bdf: error: //p" | tail -n 1)
	[ -n "$want" ] || { echo "no error record in the kernel log"; return 1; }
	sdxictl show sdxi0 >/tmp/show || return 1
	got=$(awk '/^recent errors/ {s = 1; next} s {sub(/^  /, ""); l = $0} END {print l}' /tmp/show)
	[ "$got" = "$want" ] || { echo "sdxictl: $got"; echo "dmesg:   $want"; return 1; }
	sdxictl show sdxi0 --json | grep -qF "\"$want\"]" || { echo "not last in the JSON"; return 1; }
	for k in errlog_entries cxt_errors; do
		[ "$(counter $k)" = "$(cat $cls/device/sdxi/$k)" ] && [ "$(counter $k)" -ge 1 ] ||
			{ echo "$k: $(counter $k), sysfs $(cat $cls/device/sdxi/$k)"; return 1; }
	done
}
out=$(errors_match 2>&1); tap $? show_reports_the_kernel_logs_error_records "$out"

# reset FUNC CONTEXT: a context stopped by a faulting descriptor, reset by
# sdxictl, runs again; users, IDs that are no user context and bad input
# are refused (the kselftests assert the owner's view and the counters).
SDXI_RESET_CMD="sdxictl reset sdxi0" user_contexts \
	-t admin_reset_restarts_a_context_stopped_by_an_error \
	-t admin_reset_refuses_users_and_what_is_no_user_context >/tmp/uc.log 2>&1
tap $? context_reset_by_sdxictl_restarts_the_context "$(cat /tmp/uc.log)"

user_contexts -t admin_resets_race_create_destroy_and_close >/tmp/uc.log 2>&1
tap $? context_resets_race_the_owners_create_destroy_close "$(cat /tmp/uc.log)"

# Every ID without a user context exits 3, while a dmaengine client holds a
# kernel channel (its context is one of them).
kernel_ids_refused() {
	local DT=/sys/module/dmatest/parameters a0 c id max st
	a0=$(cat $cls/device/sdxi/active_contexts)
	modprobe dmatest || { echo "no dmatest"; return 1; }
	for c in /sys/class/dma/dma*chan*; do
		[ "$(basename "$(readlink -f "$c/device")")" = "$bdf" ] &&
			{ basename "$c" >$DT/channel; break; }
	done
	[ "$(cat $cls/device/sdxi/active_contexts)" -gt "$a0" ] ||
		{ echo "no kernel channel context ($a0 before)"; rmmod dmatest; return 1; }
	[ "$(cat $cls/user_contexts)" = 0 ] || { echo "user contexts left"; rmmod dmatest; return 1; }
	max=$(cat $cls/device/sdxi/max_contexts)
	for id in $(seq 0 "$max"); do
		sdxictl reset sdxi0 "$id" >/tmp/out 2>/tmp/err; st=$?
		[ $st = 3 ] && [ ! -s /tmp/out ] && grep -q "sdxi0 has no user context $id" /tmp/err ||
			{ echo "context $id: status $st: $(cat /tmp/out /tmp/err)"; rmmod dmatest; return 1; }
	done
	rmmod dmatest
}
out=$(kernel_ids_refused 2>&1); tap $? context_reset_of_kernel_and_free_ids_exits_3 "$out"

sdxictl reset sdxi0 x1 2>/tmp/err; st=$?
[ $st = 2 ] && grep -q "decimal context ID" /tmp/err
tap $? context_reset_bad_id_exits_2 "status $st: $(cat /tmp/err)"

sdxictl show sdxi9 2>/tmp/err; st=$?
[ $st = 3 ] && grep -q "no SDXI function 'sdxi9'" /tmp/err
tap $? unknown_function_exits_3 "status $st: $(cat /tmp/err)"

BAD_LOG="WARNING:|BUG:|Oops|refcount_t|use-after-free|general protection|Call Trace"
! dmesg | grep -qE "$BAD_LOG"
tap $? guest_log_has_no_warn_or_oops "$(dmesg | grep -E -A3 "$BAD_LOG" | head -n 30)"
tap_plan
