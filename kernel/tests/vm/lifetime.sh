# SPDX-License-Identifier: GPL-2.0
#
# make check-kernel-lifetime, in the VM: a dmaengine client (dmatest) holds
# a channel while the function is unbound, then releases it; that last
# dma_release_channel() runs the provider's release callback inside the
# core (Documentation/driver.rst, "Unbind with clients").  Run once with
# the module users build (the provider is parked until module exit) and
# once with the test build without the parking, whose kernel may die at
# the release: the host (kernel/tests/lifetime) reads this run's results
# and the kernel's report from the serial log.  Runs after lib.sh.

modprobe sdxi
tap $? module_loads
wait_active
tap $? function_active "driver_state $(attr driver_state)"

# One thread copies a few times; dmatest then keeps its channel until it
# is unloaded.
dmatest_setup 0 10 1 1
echo 1 >$DT/run
dmatest_wait
tap $? dmatest_ran
[ "$(cat /sys/module/sdxi/refcnt)" = 1 ]
tap $? client_holds_module_reference "refcnt $(cat /sys/module/sdxi/refcnt)"

echo "$BDF" >/sys/bus/pci/drivers/sdxi/unbind
tap $? unbind_with_client
[ "$(cat /sys/module/sdxi/refcnt)" = 1 ]
tap $? reference_held_after_unbind "refcnt $(cat /sys/module/sdxi/refcnt)"

# The release: kernel messages go to the console from here, so that a
# report of a kernel that dies here reaches the host's serial log.
echo "SDXI-LIFETIME-RELEASE"
dmesg -n 8
dmatest_finish
dmesg -n 1
echo "SDXI-LIFETIME-RELEASED"
[ "$DT_THREADS" = 1 ] && [ "$DT_FAILS" = 0 ]
tap $? client_released_channel "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
[ "$(cat /sys/module/sdxi/refcnt)" = 0 ]
tap $? module_reference_dropped "refcnt $(cat /sys/module/sdxi/refcnt)"
unload_finish
