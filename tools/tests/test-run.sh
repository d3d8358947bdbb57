#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The test-run suite: the tools that decide a test run's verdict
# (tools/tap-summary, tools/suite-tap, tools/run-suites, tools/tap.sh,
# tools/vm/tap-run) given runs that went wrong in every way a suite can
# vanish or lie: missing, truncated, crashed (signal, sanitizer report,
# a guest that stopped early, a VM that died), empty, unregistered, failed
# to build, or booting the VM while registered as a host suite.  The VM
# cases run tools/vm/run with a stand-in for QEMU that prints a scripted
# console, so no VM boots.  Each case asserts the verdict (exit
# status), the failure count of the last line and the reason given.  TAP
# on stdout.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tools/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/sdxi-test-run.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset SDXI_RUN_SUITES SDXI_VM_RUNS SDXI_VM_LOG_ROOT SDXI_VM_LOG_DIR MAKEFLAGS MAKELEVEL

summary() { "$top/tools/tap-summary" "$@"; }

# A fresh results directory with a clean suite "good" (1 pass, 1 skip).
fresh() {
	rm -rf "$T/r"
	mkdir -p "$T/r/.runs"
	printf '1..2\nok 1 - a\nok 2 - b # SKIP not here\n' >"$T/r/good.tap"
	echo "0 7" >"$T/r/.runs/good"
}

# verdict NAME WANT_RC WANT_LAST_LINE [WANT_TEXT]: the last summary's
# exit status, last line and (if given) a line of its output.
verdict() {
	local name=$1 rc=$2 last=$3 text=${4:-}
	local got_last
	got_last=$(tail -n1 "$T/out")
	[ "$got_rc" = "$rc" ] && [ "$got_last" = "$last" ] &&
		{ [ -z "$text" ] || grep -qF -- "$text" "$T/out"; }
	tap $? "$name" "exit $got_rc (want $rc); last line '$got_last' (want '$last')" \
		"want a line with: ${text:-nothing}" "$(cat "$T/out")"
}
run_summary() { got_rc=0; summary "$@" >"$T/out" 2>&1 || got_rc=$?; }

# --- tools/tap-summary -------------------------------------------------------
fresh
run_summary "$T/r" good
verdict clean_run_passes_and_counts_skips_apart 0 "1 passed, 0 failed"
grep -qE '^good +1 +0 +1 +7$' "$T/out"
tap $? table_row_has_passed_failed_skipped_seconds "$(cat "$T/out")"
[ "$(grep -n '^suite ' "$T/out" | cut -d: -f1)" -lt "$(wc -l <"$T/out")" ]
tap $? table_comes_before_the_last_line "$(cat "$T/out")"

fresh
run_summary "$T/r" good good
verdict suite_in_two_registries_counts_once 0 "1 passed, 0 failed"

fresh
run_summary "$T/r" good gone
verdict missing_suite_fails 1 "1 passed, 1 failed" "FAIL gone: no TAP"

fresh
printf '1..3\nok 1 - a\nok 2 - b\n' >"$T/r/short.tap"
run_summary "$T/r" good short
verdict truncated_suite_fails 1 "3 passed, 1 failed" "truncated: plan 3, 2 results"

fresh
printf 'ok 1 - a\n' >"$T/r/noplan.tap"
run_summary "$T/r" good noplan
verdict suite_without_plan_fails 1 "2 passed, 1 failed" "FAIL noplan: no plan"

fresh
printf '1..0\n' >"$T/r/empty.tap"
run_summary "$T/r" good empty
verdict suite_with_no_results_fails 1 "1 passed, 1 failed" "FAIL empty: no results"

fresh
printf '1..1\nok 1 - a\n' >"$T/r/stray.tap"
run_summary "$T/r" good
verdict unregistered_tap_fails 1 "2 passed, 1 failed" "FAIL stray: not a registered suite"

fresh
echo "2 3" >"$T/r/.runs/broken"
run_summary "$T/r" good broken
verdict failed_build_fails 1 "1 passed, 2 failed" "make check-broken exited 2"

fresh
printf '1..1\nok 1 - a\n' >"$T/r/hostvm.tap"
echo "0 1" >"$T/r/.runs/hostvm"
echo "1 vmlinuz" >"$T/r/.runs/hostvm.vm"
run_summary --host "good hostvm" "$T/r" good hostvm
verdict host_suite_that_boots_the_vm_fails 1 "2 passed, 1 failed" "registered as a host suite"
run_summary --host "good" "$T/r" good hostvm
verdict vm_suite_may_boot_the_vm 0 "2 passed, 0 failed"

fresh
printf '1..2\nok 1 - a\nnot ok 2 - b\n' >"$T/r/bad.tap"
run_summary "$T/r" good bad
verdict failing_result_fails 1 "2 passed, 1 failed" "FAIL bad: not ok 2 - b"

fresh
printf '# ok-only noise\nok 1 - a\n#  RUN x\n# t.c:9:x:Expected 0 (0) == r (5)\n' >"$T/r/why.tap"
printf '#  FAIL x\nnot ok 2 x\nnot ok 3 - log\n# dmesg: WARNING: at f.c:1\n#  RUN y\n# later\n1..3\n' >>"$T/r/why.tap"
run_summary "$T/r" good why
verdict failure_shows_its_diagnostics 1 "2 passed, 2 failed" "    # t.c:9:x:Expected 0 (0) == r (5)"
grep -qxF "    # dmesg: WARNING: at f.c:1" "$T/out" && ! grep -qE "noise|later" "$T/out"
tap $? failure_diagnostics_are_its_own_only "$(cat "$T/out")"

# --- tools/suite-tap ------------------------------------------------------------
cat >"$T/segv" <<'EOF'
#!/bin/bash
printf '1..1\nok 1 - a\n'
kill -SEGV $$
EOF
cat >"$T/asan" <<'EOF'
#!/bin/bash
printf '1..1\nok 1 - a\n'
echo "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x1" >&2
exit 1
EOF
cat >"$T/failing" <<'EOF'
#!/bin/bash
printf '1..1\nnot ok 1 - a\n'
EOF
chmod +x "$T/segv" "$T/asan" "$T/failing"

fresh
SDXI_RUN_SUITES=1 "$top/tools/suite-tap" "$T/r/crash.tap" -- "$T/segv" >/dev/null 2>&1
run_summary "$T/r" good crash
verdict crashed_suite_fails_despite_a_full_plan 1 "2 passed, 1 failed" "killed by signal 11"

fresh
SDXI_RUN_SUITES=1 "$top/tools/suite-tap" "$T/r/san.tap" -- "$T/asan" >/dev/null
run_summary "$T/r" good san
verdict sanitizer_report_on_stderr_fails 1 "2 passed, 1 failed" "sanitizer error"
[ -s "$T/r/san.stderr" ]
tap $? suite_stderr_is_kept_beside_the_tap

fresh
SDXI_RUN_SUITES=1 "$top/tools/suite-tap" "$T/r/nocmd.tap" -- "$T/does-not-exist" >/dev/null
run_summary "$T/r" good nocmd
verdict command_that_cannot_run_fails 1 "1 passed, 2 failed" "could not be run"

# Alone (make check-X from the command line), the suite's own verdict.
fresh
got_rc=0
"$top/tools/suite-tap" "$T/r/failing.tap" -- "$T/failing" >"$T/out" 2>&1 || got_rc=$?
verdict single_suite_alone_fails_with_its_failure 1 "0 passed, 1 failed" "failing: not ok 1 - a"
got_rc=0
"$top/tools/suite-tap" "$T/r/good2.tap" </dev/null >"$T/out" 2>&1 || got_rc=$?
verdict single_suite_alone_fails_having_run_nothing 1 "0 passed, 1 failed" "no plan"

# --- tools/run-suites and the fragments' contract, end to end ----------------
# check-a is sound, check-b cannot build, check-c writes its TAP under
# another name (a renamed suite), check-d is not defined at all.
mkdir -p "$T/mk"
cat >"$T/mk/Makefile" <<EOF
SUITE_TAP := $top/tools/suite-tap
check-a:
	@printf '1..1\nok 1 - a\n' | \$(SUITE_TAP) \$(RESULTS)/a.tap
check-b: missing-prerequisite
check-c:
	@printf '1..1\nok 1 - c\n' | \$(SUITE_TAP) \$(RESULTS)/c-renamed.tap
EOF
(cd "$T/mk" && "$top/tools/run-suites" "$T/mk/r" a b c d >"$T/mk/log" 2>&1)
run_summary "$T/mk/r" a b c d
verdict run_suites_reports_every_broken_suite 1 "2 passed, 6 failed"
for s in b d; do
	grep -q "^FAIL $s: no TAP; make check-$s exited 2$" "$T/out"
	tap $? "suite_that_cannot_run_is_missing_and_failed_$s" "$(cat "$T/out")"
done
grep -q "^FAIL c: no TAP$" "$T/out" && grep -q "^FAIL c-renamed: not a registered suite$" "$T/out"
tap $? renamed_suite_is_missing_and_its_tap_unregistered "$(cat "$T/out")"
[ -f "$T/mk/r/.runs/a" ] && read -r rc secs <"$T/mk/r/.runs/a" && [ "$rc" = 0 ] &&
	[[ "$secs" =~ ^[0-9]+$ ]]
tap $? run_suites_records_status_and_seconds "$(cat "$T/mk/r/.runs/a" 2>/dev/null)"

# --- tools/vm/tap-run: guests that stop early, VMs that die -----------------
# A stand-in for QEMU: it writes $FAKE_CONSOLE to the console pipe the
# runner gave it, as the guest would, and exits $FAKE_RC.
cat >"$T/qemu" <<'EOF'
#!/bin/bash
for a in "$@"; do
	case "$a" in pipe,id=con,path=*) con=${a#pipe,id=con,path=} ;; esac
done
[ -n "${FAKE_CONSOLE:-}" ] && printf '%s\n' "$FAKE_CONSOLE" >"$con.out"
sleep 1
exit "${FAKE_RC:-1}"
EOF
chmod +x "$T/qemu"
# vm_case NAME CONSOLE RC: one tap-run with that console, into $T/r/NAME.tap.
vm_case() {
	FAKE_CONSOLE=$2 FAKE_RC=$3 SDXI_QEMU=$T/qemu SDXI_RUN_SUITES=1 \
		SDXI_VM_RUNS=$T/vm.runs "$top/tools/vm/tap-run" "$T/r/$1.tap" \
		--timeout 30 -- true >/dev/null 2>&1
}
fresh
rm -f "$T/vm.runs"
if [ -e "${SDXI_GUEST:-${SDXI_CACHE:-$HOME/.cache/sdxi}/guest-kernel}/vmlinuz" ]; then
	vm_case vmok "SDXI-VM-START
ok 1 - a
1..1
SDXI-VM-EXIT 0" 0
	run_summary "$T/r" good vmok
	verdict complete_vm_suite_passes 0 "2 passed, 0 failed"
	vm_case vmshort "SDXI-VM-START
ok 1 - a
SDXI-VM-EXIT 0" 0
	run_summary "$T/r" good vmok vmshort
	verdict vm_guest_that_stopped_before_its_plan_fails 1 "3 passed, 1 failed" "FAIL vmshort: no plan"
	vm_case vmcrash "SDXI-VM-START
ok 1 - a" 1
	run_summary "$T/r" good vmok vmshort vmcrash
	verdict crashed_vm_suite_fails 1 "4 passed, 2 failed" "FAIL vmcrash: not ok 2 - vm_run_completed"
	[ "$(wc -l <"$T/vm.runs" 2>/dev/null)" = 3 ]
	tap $? vm_runner_records_each_boot "$(cat "$T/vm.runs" 2>/dev/null)"
	# QEMU aborting before the guest's /init (as TCG has) boots once more;
	# a second abort fails the suite.  The first $FAKE_DIES boots die.
	cat >"$T/qemu-dies" <<'EOF'
#!/bin/bash
for a in "$@"; do
	case "$a" in pipe,id=con,path=*) con=${a#pipe,id=con,path=} ;; esac
done
n=$(($(cat "$FAKE_COUNT" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_COUNT"
if [ "$n" -le "$FAKE_DIES" ]; then
	echo "iotlb_to_section: Assertion failed." >&2
	exit 134
fi
printf '%s\n' "$FAKE_CONSOLE" >"$con.out"
sleep 1
exit 0
EOF
	chmod +x "$T/qemu-dies"
	fresh
	for dies in 1 2; do
		rm -f "$T/count"
		FAKE_DIES=$dies FAKE_COUNT=$T/count FAKE_CONSOLE="SDXI-VM-START
ok 1 - a
1..1
SDXI-VM-EXIT 0" SDXI_QEMU=$T/qemu-dies SDXI_RUN_SUITES=1 \
			"$top/tools/vm/tap-run" "$T/r/vmdies$dies.tap" --timeout 30 -- true \
			>/dev/null 2>&1
		cp "$T/count" "$T/count$dies"
		[ "$dies" = 2 ] || run_summary "$T/r" good vmdies1
	done
	verdict qemu_dying_before_init_boots_again 0 "2 passed, 0 failed"
	[ "$(cat "$T/count1")" = 2 ] && [ "$(cat "$T/count2")" = 2 ]
	tap $? qemu_dying_before_init_boots_once_more "boots: $(cat "$T/count1") $(cat "$T/count2")"
	run_summary "$T/r" good vmdies1 vmdies2
	verdict qemu_dying_twice_before_init_fails 1 "2 passed, 1 failed" \
		"FAIL vmdies2: not ok 1 - vm_run_completed"
else
	for n in complete_vm_suite_passes vm_guest_that_stopped_before_its_plan_fails \
		crashed_vm_suite_fails vm_runner_records_each_boot \
		qemu_dying_before_init_boots_again qemu_dying_before_init_boots_once_more \
		qemu_dying_twice_before_init_fails; do
		tap_skip "$n" "no guest kernel (make deps)"
	done
fi

# --- tools/tap.sh ------------------------------------------------------------------
cat >"$T/merge.sh" <<EOF
. "$top/tools/tap.sh"
whole_skip() { echo "1..0 # SKIP no device"; }
short() { printf '1..3\nok 1 a\n'; }
silent() { :; }
tap 0 first
tap 1 second "why"
tap_merge whole_skip
tap_merge short
tap_merge silent
tap_plan
EOF
want='ok 1 - first
not ok 2 - second
# why
ok 3 - whole_skip # SKIP no device
ok 4 a
not ok 5 - short_ran_to_completion
# plan 3, 1 results, exit status 0
not ok 6 - silent_ran_to_completion
# plan none, 0 results, exit status 0
1..6'
for sh in bash "busybox sh"; do
	command -v "${sh%% *}" >/dev/null || { tap_skip "tap_sh_under_${sh// /_}" "no $sh"; continue; }
	got=$($sh "$T/merge.sh" 2>&1)
	[ "$got" = "$want" ]
	tap $? "tap_sh_results_skips_and_merges_under_${sh// /_}" "$got"
done

tap_plan
