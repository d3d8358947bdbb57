#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sdxictl on the host, as TAP, against a copy of the driver's files built
# here (SDXICTL_ROOT): two functions, contexts and users in debugfs, the
# module parameters and a kernel log with error records.  Checks every
# command's table and JSON (parsed by python3) against the files, the
# ways of naming a function, the exit statuses and messages of the error
# cases, that quota writes the parameter, and that --help and the man
# page name every command.  Usage: host.sh SDXICTL MANPAGE
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tools/tap.sh"
bin=${1:?usage: host.sh SDXICTL MANPAGE}
man=${2:?usage: host.sh SDXICTL MANPAGE}
tmp=$(mktemp -d /tmp/sdxictl-host.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

# The files of one function: FUNC PCI FUNCTION_STATE USER_CONTEXTS
function_files() {
	local name=$1 pci=$2 pd=$root/sys/devices/pci0000:00/$2 cd=$root/sys/devices/virtual/sdxi/$1
	mkdir -p "$pd/sdxi" "$cd" "$root/sys/class/sdxi"
	ln -s "../../devices/virtual/sdxi/$name" "$root/sys/class/sdxi/$name"
	ln -s "../../../pci0000:00/$pci" "$cd/device"
	echo 1.0 >"$pd/sdxi/version"
	local kv
	for kv in cap0=0x1 cap1=0xf007f0000 max_cxt=127 max_ring_entries=65536 db_stride=4096 \
		max_buffer=1073741824 max_akey_entries=16 op_groups=0xf vectors=128; do
		echo "${kv#*=}" >"$pd/sdxi/${kv%%=*}"
	done
	echo "$3" >"$pd/sdxi/function_state"
	echo active >"$pd/sdxi/driver_state"
	local i=1 f
	for f in active_contexts max_contexts leaked_contexts errlog_entries cxt_errors \
		fn_errors errlog_overflows errlog_failures admin_timeouts dsc_errors \
		dma_aborted recoveries recovery_failures; do
		echo $((i++ * 3)) >"$pd/sdxi/$f"
	done
	: >"$pd/sdxi/recover"
	echo "$4" >"$cd/user_contexts"
	for f in max_user_contexts pasids pinned_pages pinned_bytes dmabufs imported_bytes \
		user_vectors open_files; do
		echo $((i++ * 7)) >"$cd/$f"
	done
	echo pasid >"$cd/isolation"
	: >"$cd/reset_context"
	mkdir -p "$root/sys/kernel/debug/sdxi/$name"
}

build_root() {
	local q
	function_files sdxi0 0000:00:03.0 active 2
	function_files sdxi1 0000:00:04.0 error 0
	mkdir -p "$root/sys/module/sdxi/parameters" "$root/proc/4242" "$root/dev"
	for q in max_contexts_per_file max_contexts_per_user max_vectors_per_file \
		max_vectors_per_user max_pinned_mb_per_file max_pinned_mb_per_user \
		max_imported_mb_per_file max_imported_mb_per_user max_user_buffer_mb; do
		echo 32 >"$root/sys/module/sdxi/parameters/$q"
	done
	echo sdxi_traffic >"$root/proc/4242/comm"
	printf 'pid=4242\npasid=3\nring_entries=1024\ncompleted=777\nerrors=1\ninterrupts=5\npinned_bytes=8192\nimported_bytes=0\nvector=0\nuid=1000\nstate=run\n' \
		>"$root/sys/kernel/debug/sdxi/sdxi0/cxt12"
	printf 'pid=4243\npasid=4\nring_entries=4096\ncompleted=9\nerrors=0\ninterrupts=0\npinned_bytes=0\nimported_bytes=65536\nvector=3\nuid=0\nstate=stop-fn\n' \
		>"$root/sys/kernel/debug/sdxi/sdxi0/cxt3"
	printf 'uid=1000 contexts=1 vectors=0 pinned_bytes=8192 imported_bytes=0\nuid=0 contexts=1 vectors=1 pinned_bytes=0 imported_bytes=65536\n' \
		>"$root/sys/kernel/debug/sdxi/sdxi0/users"
	: >"$root/sys/kernel/debug/sdxi/sdxi0/dmabuf_move"
	{
		for i in $(seq 1 12); do
			echo "3,$i,100$i,-;sdxi 0000:00:03.0: error: context $i descriptor 0: step 10 (data buffer)"
			echo " SUBSYSTEM=pci"
		done
		echo "3,99,2000,-;sdxi 0000:00:04.0: error: context 5 descriptor 1: other function"
		echo "6,100,2001,-;sdxi 0000:00:03.0: probe done"
	} >"$root/dev/kmsg"
}

sx() { SDXICTL_ROOT=$root "$bin" "$@"; }

# A python3 check of a command's JSON: EXPR over "d" must be true.
json_is() {	# EXPR COMMAND...
	local expr=$1
	shift
	sx "$@" --json >"$tmp/out.json" || return 1
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
		"$tmp/out.json" || { cat "$tmp/out.json"; return 1; }
}

# status and message of a failing command: STATUS PATTERN COMMAND...
fails_with() {
	local want=$1 pat=$2 st
	shift 2
	sx "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" = "$want" ] && grep -qE "$pat" "$tmp/err" && [ ! -s "$tmp/out" ] ||
		{ echo "status $st (want $want)"; cat "$tmp/out" "$tmp/err"; return 1; }
}

build_root

out=$(sx list 2>&1 | awk 'NR==1 && /^FUNCTION +PCI +VERSION/ {h=1}
	$1=="sdxi0" && $2=="0000:00:03.0" && $4=="active" && $6=="dmab,admin,atomic,intr" && $7==2 {a=1}
	$1=="sdxi1" && $4=="error" {b=1} END {exit !(h && a && b && NR==3)}')
tap $? list_table_shows_both_functions "$(sx list 2>&1)"

json_is 'len(d)==2 and d[0]["function"]=="sdxi0" and d[0]["pci"]=="0000:00:03.0" and d[0]["user_contexts"]==2 and d[0]["version"]=="1.0" and d[0]["isolation"]=="pasid" and d[1]["function_state"]=="error"' list
tap $? list_json_matches_the_files "$(cat "$tmp/out.json")"

# Every counter file's value, under its name, in show --json.
show_counters() {
	local pd=$root/sys/devices/pci0000:00/0000:00:03.0/sdxi cd=$root/sys/devices/virtual/sdxi/sdxi0 f
	sx show sdxi0 --json >"$tmp/show.json" || return 1
	for f in active_contexts max_contexts errlog_entries recoveries recovery_failures; do
		python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['counters'][sys.argv[2]] != int(sys.argv[3]))" \
			"$tmp/show.json" "$f" "$(cat "$pd/$f")" || { echo "$f"; return 1; }
	done
	for f in user_contexts pinned_bytes imported_bytes open_files; do
		python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['counters'][sys.argv[2]] != int(sys.argv[3]))" \
			"$tmp/show.json" "$f" "$(cat "$cd/$f")" || { echo "$f"; return 1; }
	done
}
out=$(show_counters 2>&1); tap $? show_json_counters_match_the_files "$out"

json_is 'd["capabilities"]["max_cxt"]==127 and d["capabilities"]["op_groups"]=="0xf" and d["quotas"]["max_contexts_per_file"]==32 and len(d["quotas"])==9' show 0000:00:03.0
tap $? show_json_capabilities_and_quotas "$(cat "$tmp/out.json")"

# The last ten error records of this function only, oldest first.
json_is 'len(d["errors"])==10 and d["errors"][0].startswith("context 3 ") and d["errors"][9].startswith("context 12 ") and not any("other function" in e for e in d["errors"])' show sdxi0
tap $? show_json_last_ten_error_records_of_this_function "$(cat "$tmp/out.json")"

out=$(sx show 00:04.0 2>&1)
echo "$out" | grep -q '^  context 5 descriptor 1: other function$' &&
	echo "$out" | grep -qE '^  recoveries +36$' && echo "$out" | grep -q '^quotas$'
tap $? show_table_by_short_pci_address "$out"

json_is 'len(d)==2 and d[0]["context"]==3 and d[1]["context"]==12 and d[1]["pid"]==4242 and d[1]["command"]=="sdxi_traffic" and d[1]["uid"]==1000 and d[1]["ring_entries"]==1024 and d[1]["completed"]==777 and d[1]["pinned_bytes"]==8192 and d[0]["imported_bytes"]==65536 and d[0]["state"]=="stop-fn" and d[0]["command"]=="-"' contexts /dev/sdxi0
tap $? contexts_json_matches_debugfs "$(cat "$tmp/out.json")"

out=$(sx contexts 0 2>&1 | awk 'NR==1 && $1=="CONTEXT" && $3=="COMMAND" {h=1}
	$1==12 && $2==4242 && $3=="sdxi_traffic" && $4==1000 && $7==777 {a=1} END {exit !(h && a && NR==3)}')
tap $? contexts_table_sorted_with_command "$(sx contexts 0 2>&1)"

json_is 'len(d)==2 and d[0]["uid"]==1000 and d[1]["imported_bytes"]==65536' users sdxi0
tap $? users_json_matches_debugfs "$(cat "$tmp/out.json")"

out=$(sx contexts sdxi1 2>&1); [ "$out" = "no user contexts on sdxi1" ]
tap $? contexts_of_a_function_without_any "$out"

sx reset sdxi0 >/dev/null && [ "$(cat "$root/sys/devices/pci0000:00/0000:00:03.0/sdxi/recover")" = 1 ]
tap $? reset_writes_recover

sx quota max_pinned_mb_per_user 4096 &&
	[ "$(cat "$root/sys/module/sdxi/parameters/max_pinned_mb_per_user")" = 4096 ] &&
	json_is 'd["max_pinned_mb_per_user"]==4096 and d["max_contexts_per_file"]==32' quota
tap $? quota_sets_and_reads_the_parameter "$(cat "$tmp/out.json")"

out=$(fails_with 2 "no quota 'max_bogus'" quota max_bogus 1); tap $? quota_unknown_name_is_usage "$out"
out=$(fails_with 2 'decimal number' quota max_contexts_per_file 12x); tap $? quota_bad_value_is_usage "$out"
out=$(fails_with 3 "no SDXI function 'sdxi7': sdxictl list" show sdxi7); tap $? unknown_function_status_3 "$out"
out=$(fails_with 2 "unknown command 'frob'" frob); tap $? unknown_command_status_2 "$out"
out=$(fails_with 2 'usage: sdxictl show FUNC' show); tap $? missing_argument_status_2 "$out"
sx reset sdxi0 3 >/dev/null && [ "$(cat "$root/sys/devices/virtual/sdxi/sdxi0/reset_context")" = 3 ]
tap $? context_reset_writes_reset_context
json_is 'd["function"]=="sdxi0" and d["context"]==12 and d["reset"]=="done"' reset sdxi0 12
tap $? context_reset_json "$(cat "$tmp/out.json")"
out=$(fails_with 2 "decimal context ID .sdxictl contexts sdxi0 lists them., not '3x'" \
	reset sdxi0 3x)
tap $? context_reset_bad_id_is_usage "$out"
out=$(fails_with 2 'usage: sdxictl reset FUNC .CONTEXT.$' reset sdxi0 3 4)
tap $? reset_too_many_arguments_is_usage "$out"
rm "$root/sys/devices/virtual/sdxi/sdxi1/reset_context"
out=$(fails_with 1 'cannot reset one context' reset sdxi1 3)
tap $? context_reset_without_driver_support_says_what_to_do "$out"

rm -rf "$root/sys/kernel/debug"/*
out=$(fails_with 1 'debugfs is not mounted: mount -t debugfs' contexts sdxi0)
tap $? contexts_without_debugfs_says_mount "$out"

mv "$root/sys/module/sdxi" "$root/sys/module/gone"
out=$(fails_with 3 'driver is not loaded: run modprobe sdxi' list)
tap $? no_driver_status_3_says_modprobe "$out"

# --help and the man page name every command; the man page is clean.
cover() {
	local c
	for c in list show contexts users reset quota; do
		"$bin" --help | grep -qE "^  $c( |$)" || { echo "--help: $c"; return 1; }
		grep -qE "^\.B[IR]? $c( |$)" "$man" || { echo "man: $c"; return 1; }
	done
	"$bin" --version | grep -qx "sdxictl $(cat "$top/VERSION")" || return 1
	! LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -ww -z -rCHECKSTYLE=3 "$man" 2>&1 | grep .
}
out=$(cover 2>&1); tap $? help_and_man_page_cover_every_command "$out"
tap_plan
