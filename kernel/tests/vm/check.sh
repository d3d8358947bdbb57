# SPDX-License-Identifier: GPL-2.0
#
# make check: sdxi.ko in the VM.  Bring-up, dmatest in interrupt and
# polled mode, the model's fault knobs (DMA fault mid-copy, engine stall,
# forced function error) with recovery, and 20 load/unload plus 20
# unbind/bind cycles with dmatest traffic in between.  Runs after lib.sh.
#
# ITER (dmatest iterations per thread) can be set by the host; the default
# wraps every channel's 1024-slot ring at least once in both modes.

ITER=${ITER:-600}
CYCLES=${CYCLES:-20}

# --- Bring-up -------------------------------------------------------------
modprobe sdxi
tap $? module_loads
wait_active
tap $? function_active_after_probe "driver_state $(attr driver_state)" \
	"function_state $(attr function_state)"
[ "$(attr version)" = 1.0 ] && [ "$(attr max_contexts)" = 127 ] &&
	[ "$(attr active_contexts)" = 0 ] && [ "$(attr function_state)" = active ]
tap $? sysfs_version_contexts_state "version $(attr version)" \
	"max_contexts $(attr max_contexts) active_contexts $(attr active_contexts)"
nchan=$(ls /sys/class/dma | grep -c chan)
[ "$nchan" = 2 ]
tap $? two_dma_channels_registered "channels: $nchan"

# --- dmatest ----------------------------------------------------------------
dmatest 0 "$ITER" 2 2
dmatest_ok 4 $((4 * ITER))
tap $? dmatest_interrupt_2ch_2thr "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
dmatest 1 "$ITER" 2 2
dmatest_ok 4 $((4 * ITER))
tap $? dmatest_polled_2ch_2thr "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
[ "$(attr active_contexts)" = 0 ]
tap $? context_ids_free_after_dmatest "active_contexts $(attr active_contexts)"

# --- DMA fault mid-copy -------------------------------------------------------
# fault-after is one-shot: the first copy crossing 1000 more data bytes
# faults part way.  The copy must fail (not hang, not pass), the error be
# decoded, and the context resumed so the following copies pass.  dmatest
# reports a failed polled copy as "test timed out" (dma_sync_wait() saw
# DMA_ERROR); a real hang would add dma_sync_wait's own timeout message.
for polled in 0 1; do
	e0=$(attr cxt_errors)
	dmatest_setup $polled 8 1 1 3000
	qom_set fault-after 1000
	dmatest_run
	log=$(dmatest_log)
	if [ $polled = 0 ]; then
		echo "$log" | grep -q 'completion error status' &&
			! echo "$log" | grep -q 'timed out'
	else
		echo "$log" | grep -q 'test timed out' &&
			! echo "$log" | grep -q 'dma_sync_wait: timeout'
	fi
	ok=$?
	[ $ok = 0 ] && [ "$DT_THREADS" = 1 ] && [ "$DT_TESTS" = 8 ] && [ "$DT_FAILS" = 1 ]
	tap $? "dma_fault_mid_copy_fails_once_polled$polled" \
		"tests $DT_TESTS failures $DT_FAILS" \
		"$(echo "$log" | grep 'dmatest.*result' | head -n 2)"
	echo "$log" | grep -q 'error: context [0-9]* descriptor [0-9]*: step 10 (data buffer), sub-step 1 (translation), reaction 1 (context stopped), buffer [sd][rs][ct], reason 15 (INJECTED)' &&
		[ "$(attr cxt_errors)" -gt "$e0" ]
	tap $? "dma_fault_decoded_in_log_polled$polled" \
		"$(echo "$log" | grep 'sdxi.*error:' | head -n 2)"
done
dmatest 0 50 2 1
dmatest_ok 2 100
tap $? dmatest_passes_after_dma_fault "tests $DT_TESTS failures $DT_FAILS"

# --- Engine stall ---------------------------------------------------------------
# The channel is allocated first; then nothing executes: every copy times
# out in dmatest.  Terminating the channel cannot stop its context through
# the wedged admin ring, so the driver recovers the function (soft stop
# escalated to hard stop); recovery completes once the stall is lifted.
r0=$(attr recoveries)
dmatest_setup 0 2 1 1 1000
dmatest_channel
qom_set stall true
dmatest_run
log=$(dmatest_log)
[ "$DT_THREADS" = 1 ] && [ "$DT_TESTS" = 2 ] && [ "$DT_FAILS" = 2 ] &&
	echo "$log" | grep -q 'test timed out'
tap $? stall_times_out_in_dmatest "tests $DT_TESTS failures $DT_FAILS"
echo "$log" | grep -q 'admin context not progressing' &&
	echo "$log" | grep -q 'soft stop did not complete'
tap $? stall_escalates_to_hard_stop "$(echo "$log" | grep sdxi | tail -n 3)"
qom_set stall false
wait_active 30 && [ "$(attr recoveries)" -gt "$r0" ]
tap $? stall_lifted_function_recovers "driver_state $(attr driver_state) recoveries $(attr recoveries)"
dmatest 0 50 2 1
dmatest_ok 2 100
tap $? dmatest_passes_after_stall "tests $DT_TESTS failures $DT_FAILS"

# --- Forced function error --------------------------------------------------------
# Copies are held in flight by a stall, then the function is forced into
# ERROR: they must complete with errors (not time out), the log entry be
# decoded, and recovery (reset, re-activation, context restart) bring the
# channels back.
r0=$(attr recoveries)
f0=$(attr fn_errors)
dmatest_setup 0 2 1 2 10000
dmatest_channel
qom_set stall true
(echo 1 >$DT/run; dmatest_wait) &
bg=$!
sleep 1
qom_set force-fn-error true
qom_set stall false
wait $bg
dmatest_finish
log=$(dmatest_log)
[ "$DT_THREADS" = 2 ] && [ "$DT_FAILS" -ge 1 ] &&
	echo "$log" | grep -q 'completion error status' &&
	! echo "$log" | grep -q 'timed out'
tap $? fn_error_fails_inflight_copies "threads $DT_THREADS failures $DT_FAILS"
echo "$log" | grep -q 'reaction 2 (function stopped), buffer -, reason 18 (FN_FORCED)' &&
	[ "$(attr fn_errors)" -gt "$f0" ]
tap $? fn_error_decoded_in_log "$(echo "$log" | grep 'sdxi.*error' | head -n 2)"
wait_active 30 && [ "$(attr recoveries)" -gt "$r0" ]
tap $? fn_error_function_recovers "driver_state $(attr driver_state) recoveries $(attr recoveries)"
dmatest 0 50 2 1
dmatest_ok 2 100
tap $? dmatest_passes_after_fn_error "tests $DT_TESTS failures $DT_FAILS"
[ "$(attr active_contexts)" = 0 ]
tap $? context_ids_free_after_faults "active_contexts $(attr active_contexts)"

# --- Recovery on request, and probe after a crash ------------------------------------
r0=$(attr recoveries)
echo 1 >"$SYS/recover"
wait_attr recoveries $((r0 + 1)) 10 && wait_active
tap $? manual_recovery_through_sysfs "recoveries $(attr recoveries) driver_state $(attr driver_state)"
# Unbound, the function is forced into ERROR (what a crashed driver could
# leave behind); probe must reset it (only from ERROR) and activate.
echo "$BDF" >/sys/bus/pci/drivers/sdxi/unbind
qom_set force-fn-error true
echo "$BDF" >/sys/bus/pci/drivers/sdxi/bind && wait_active &&
	dmesg | grep -q 'resetting function (state error)'
tap $? probe_resets_function_left_in_error "driver_state $(attr driver_state)"
dmatest 0 20 2 1
dmatest_ok 2 40
tap $? dmatest_passes_after_probe_from_error "tests $DT_TESTS failures $DT_FAILS"

# --- Robustness: load/unload and unbind/bind cycles ---------------------------------
# Ring sizes and channel counts vary (1500 is not a power of two).
bad=""
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	rmmod sdxi || { bad="rmmod $i"; break; }
	if [ $((i % 2)) = 0 ]; then
		modprobe sdxi ring_entries=1500 channels=3 || { bad="modprobe $i"; break; }
		n=3
	else
		modprobe sdxi || { bad="modprobe $i"; break; }
		n=2
	fi
	wait_active || { bad="active $i"; break; }
	dmatest $((i % 2)) 10 $n 1 >/dev/null
	dmatest_ok $n $((10 * n)) || { bad="dmatest $i: $DT_THREADS/$DT_TESTS/$DT_FAILS"; break; }
	[ "$(attr active_contexts)" = 0 ] || { bad="contexts $i: $(attr active_contexts)"; break; }
done
[ -z "$bad" ]
tap $? "load_unload_${CYCLES}_cycles_with_dmatest" "$bad"

bad=""
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	echo "$BDF" >/sys/bus/pci/drivers/sdxi/unbind || { bad="unbind $i"; break; }
	[ ! -e "$SYS" ] || { bad="still bound $i"; break; }
	echo "$BDF" >/sys/bus/pci/drivers/sdxi/bind || { bad="bind $i"; break; }
	wait_active || { bad="active $i"; break; }
	dmatest $((i % 2)) 10 2 1 >/dev/null
	dmatest_ok 2 20 || { bad="dmatest $i: $DT_THREADS/$DT_TESTS/$DT_FAILS"; break; }
	[ "$(attr active_contexts)" = 0 ] || { bad="contexts $i: $(attr active_contexts)"; break; }
done
[ -z "$bad" ]
tap $? "unbind_bind_${CYCLES}_cycles_with_dmatest" "$bad"

unload_finish
