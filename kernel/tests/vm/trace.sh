# SPDX-License-Identifier: GPL-2.0
#
# make check-kernel-trace: sdxi.ko's trace events (kernel/trace.h) through
# tracefs.  A dmatest run must show every copy submitted and completed
# with sane fields and the channels' contexts started through admin
# descriptors; a faulting copy its failure and the error-log record; a
# user context error (user_contexts' attack_copy_from_unregistered_va)
# the record and the context's state changes; a recovery its phases.
# Runs after lib.sh.

TR=/sys/kernel/tracing
[ -d $TR/events ] || mount -t tracefs nodev $TR
[ -d $TR/events/sdxi ] || modprobe sdxi
wait_active
ls $TR/events/sdxi/sdxi_dma_submit $TR/events/sdxi/sdxi_dma_complete \
	$TR/events/sdxi/sdxi_cxt_state $TR/events/sdxi/sdxi_admin \
	$TR/events/sdxi/sdxi_errlog $TR/events/sdxi/sdxi_recovery >/dev/null
tap $? trace_events_listed_in_tracefs "$(ls $TR/events/sdxi 2>&1 | tr '\n' ' ')"

# trace_start: empty the buffer and record the sdxi events only.
trace_start() {
	echo 0 >$TR/tracing_on
	echo 4096 >$TR/buffer_size_kb
	echo >$TR/trace
	echo 1 >$TR/events/sdxi/enable
	echo 1 >$TR/tracing_on
}
# trace_stop FILE: stop recording, keep the events (one per line).
trace_stop() {
	echo 0 >$TR/tracing_on
	grep -v '^#' $TR/trace >"$1"
}
# count FILE REGEX: lines matching.
count() { grep -cE "$2" "$1"; }

# --- dmatest: 2 channels x 1 thread x 20 copies -------------------------------
ITER=20
trace_start
dmatest 0 $ITER 2 1
trace_stop /tmp/t.dma
dmatest_ok 2 $((2 * ITER))
tap $? dmatest_passes_with_tracing "tests $DT_TESTS failures $DT_FAILS"
sub=$(count /tmp/t.dma 'sdxi_dma_submit: dma[0-9]+chan[0-9]+ cxt=[1-9][0-9]* cookie=[1-9][0-9]* index=[0-9]+ src=0x[0-9a-f]+ dst=0x[0-9a-f]+ len=[1-9][0-9]*$')
all=$(count /tmp/t.dma 'sdxi_dma_submit:')
[ "$sub" = $((2 * ITER)) ] && [ "$all" = "$sub" ]
tap $? dma_submit_event_per_copy_with_fields "well-formed $sub of $all, expected $((2 * ITER))" \
	"$(grep -m1 sdxi_dma_submit: /tmp/t.dma)"
ok=$(count /tmp/t.dma 'sdxi_dma_complete: dma[0-9]+chan[0-9]+ cookie=[1-9][0-9]* index=[0-9]+ issued=1 result=ok$')
all=$(count /tmp/t.dma 'sdxi_dma_complete:')
[ "$ok" = $((2 * ITER)) ] && [ "$all" = "$ok" ]
tap $? dma_complete_event_per_copy_ok "ok $ok of $all, expected $((2 * ITER))" \
	"$(grep -m1 sdxi_dma_complete: /tmp/t.dma)"
# Each cookie submitted on a channel completes on it, at the same index.
unmatched=$(sed -n 's/.*sdxi_dma_submit: \(dma[0-9]*chan[0-9]*\) cxt=[0-9]* cookie=\([0-9]*\) index=\([0-9]*\) .*/\1 \2 \3/p' /tmp/t.dma |
	while read -r ch ck ix; do
		grep -q "sdxi_dma_complete: $ch cookie=$ck index=$ix issued=1 result=ok" /tmp/t.dma ||
			echo "$ch/$ck/$ix"
	done | head -n 3)
[ -z "$unmatched" ]
tap $? dma_each_submit_completes_same_cookie_and_index "$unmatched"
n=$(count /tmp/t.dma 'sdxi_cxt_state: [^ ]+ cxt=[1-9][0-9]* user=0 state=running err=0$')
d=$(count /tmp/t.dma 'sdxi_cxt_state: [^ ]+ cxt=[1-9][0-9]* user=0 state=destroy err=0$')
[ "$n" = 2 ] && [ "$d" = 2 ]
tap $? channel_contexts_started_and_destroyed "running $n destroy $d"
a=$(count /tmp/t.dma 'sdxi_admin: [^ ]+ subtype=0x[0-9a-f]+ index=[0-9]+ err=0$')
bad=$(count /tmp/t.dma 'sdxi_admin: .* err=-')
[ "$a" -ge 4 ] && [ "$bad" = 0 ]
tap $? admin_descriptors_traced "ok $a failed $bad" "$(grep -m1 sdxi_admin: /tmp/t.dma)"

# --- A faulting kernel copy ------------------------------------------------------
trace_start
dmatest_setup 0 4 1 1 3000
qom_set fault-after 1000
dmatest_run
trace_stop /tmp/t.fault
[ "$DT_FAILS" = 1 ]
tap $? dma_fault_fails_one_copy "tests $DT_TESTS failures $DT_FAILS"
f=$(count /tmp/t.fault 'sdxi_dma_complete: dma[0-9]+chan[0-9]+ cookie=[1-9][0-9]* index=[0-9]+ issued=1 result=(read|write)_failed$')
e=$(count /tmp/t.fault 'sdxi_errlog: [^ ]+ cxt=[1-9][0-9]* dsc_index=[0-9]+ step=10 sub_step=1 re=1 buf=[01] reason=15 \(INJECTED\) addr=0x')
r=$(count /tmp/t.fault 'sdxi_cxt_state: [^ ]+ cxt=[1-9][0-9]* user=0 state=resumed err=0$')
[ "$f" = 1 ] && [ "$e" = 1 ] && [ "$r" -ge 1 ]
tap $? dma_fault_traced_as_failed_copy_record_and_resume "failed $f records $e resumed $r" \
	"$(grep -m1 sdxi_errlog: /tmp/t.fault)"

# --- A user context error --------------------------------------------------------
lines0=$(dmesg | wc -l)
trace_start
user_contexts -t attack_copy_from_unregistered_va >/tmp/uc.out 2>&1
rc=$?
trace_stop /tmp/t.user
grep -q '^ok 1 ' /tmp/uc.out && [ $rc = 0 ]
tap $? user_context_error_provoked "$(grep -E '^(not )?ok|#' /tmp/uc.out | tail -n 3)"
# One record per run of the test (one per variant of its fixture).
re='sdxi_errlog: [^ ]+ cxt=[1-9][0-9]* dsc_index=[0-9]+ step=10 sub_step=[0-9]+ re=1 buf=0 reason=13 \(XLATE\) addr=0x[0-9a-f]+$'
nrec=$(count /tmp/t.user "$re")
rec=$(grep -m1 -E "$re" /tmp/t.user)
cxt=$(echo "$rec" | sed -n 's/.* cxt=\([0-9]*\) .*/\1/p')
[ -n "$cxt" ] && [ "$(count /tmp/t.user 'sdxi_errlog:')" = "$nrec" ]
tap $? user_error_record_traced "records $nrec: $rec"
grep -qE "sdxi_cxt_state: [^ ]+ cxt=$cxt user=1 state=running err=0\$" /tmp/t.user &&
	grep -qE "sdxi_cxt_state: [^ ]+ cxt=$cxt user=1 state=error err=0\$" /tmp/t.user &&
	grep -qE "sdxi_cxt_state: [^ ]+ cxt=$cxt user=1 state=destroy err=0\$" /tmp/t.user
tap $? user_context_state_changes_traced "$(grep "cxt=$cxt " /tmp/t.user | grep sdxi_cxt_state | sed 's/.*sdxi_cxt_state: //' | tr '\n' ';')"
# The kernel log got at most the (rate-limited) decoded records.
new=$(dmesg | tail -n +$((lines0 + 1)) | grep -c sdxi)
[ "$new" -le "$nrec" ]
tap $? user_error_kernel_log_at_most_one_line_per_record "lines $new records $nrec" \
	"$(dmesg | tail -n +$((lines0 + 1)) | grep sdxi | head -n 3)"

# --- Recovery ------------------------------------------------------------------
r0=$(attr recoveries)
trace_start
echo 1 >"$SYS/recover"
wait_attr recoveries $((r0 + 1)) 10 && wait_active
trace_stop /tmp/t.rec
b=$(count /tmp/t.rec 'sdxi_recovery: [^ ]+ phase=begin gsv=[0-9]+ err=0$')
d=$(count /tmp/t.rec 'sdxi_recovery: [^ ]+ phase=done gsv=2 err=0$')
[ "$b" = 1 ] && [ "$d" = 1 ]
tap $? recovery_phases_traced "$(grep sdxi_recovery: /tmp/t.rec | sed 's/.*sdxi_recovery: //' | tr '\n' ';')"

echo 0 >$TR/events/sdxi/enable
unload_finish
