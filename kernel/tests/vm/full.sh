# SPDX-License-Identifier: GPL-2.0
#
# make check-full: AMD's published dmatest profile, 2 channels x 2 threads
# x 10000 iterations, in interrupt and in polled mode; then an unbind while
# dmatest is running (clients must see errors, the kernel stay clean).
# Runs after lib.sh.

FITER=${FITER:-10000}

modprobe sdxi
wait_active
tap $? module_loads_function_active
for polled in 0 1; do
	dmatest $polled "$FITER" 2 2 5000
	dmatest_ok 4 $((4 * FITER))
	tap $? "dmatest_polled${polled}_2ch_2thr_${FITER}" \
		"threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
done
[ "$(attr active_contexts)" = 0 ]
tap $? context_ids_free "active_contexts $(attr active_contexts)"

# Unbind with dmatest threads still copying: the channels' contexts are
# stopped and destroyed under the clients, which then fail (prep errors,
# completion errors or timeouts) instead of crashing; bind again and test.
#
# dmaengine cannot take a client's mappings back: dmatest's buffers stay
# mapped against the function when it is unbound under dmatest, and a
# kernel with DMA-API debug reports them as pending allocations of the
# unbound device.  For this step only, its driver filter keeps the reports
# about devices bound to sdxi and drops those about unbound ones; every
# other unbind (check.sh's cycles, robustness.sh) still checks that sdxi
# itself leaves nothing mapped.
DMA_FILTER=/sys/kernel/debug/dma-api/driver_filter
[ -e $DMA_FILTER ] && echo sdxi >$DMA_FILTER
dmatest_setup 0 1000000 2 2 1000
echo 1 >$DT/run
sleep 2
echo "$BDF" >/sys/bus/pci/drivers/sdxi/unbind
tap $? unbind_during_dmatest
sleep 1
echo 0 >$DT/run
dmatest_finish
[ "$DT_THREADS" = 4 ] && [ "$DT_TESTS" -gt 0 ]
tap $? dmatest_threads_end_after_unbind "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
echo "$BDF" >/sys/bus/pci/drivers/sdxi/bind && wait_active
tap $? rebind_after_unbind_during_dmatest
[ -e $DMA_FILTER ] && echo >$DMA_FILTER
dmatest 0 100 2 2
dmatest_ok 4 400
tap $? dmatest_passes_after_rebind "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
unload_finish
