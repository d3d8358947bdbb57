# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: sdxi.ko's probe under failslab.  For n = 1, 2, ... the
# n-th slab allocation of the task writing to "bind" fails (fail-nth-write,
# Documentation/fault-injection); PCI probing runs in the binding task, so
# every allocation the probe makes is reached in turn until a bind
# completes without reaching n.  Each failed bind must leave
# the device unbound and the kernel clean; afterwards the function must
# bind, copy with dmatest and unbind.  The kmemleak scan of /init then
# finds what any error path leaked.  Runs after lib.sh.

FS=/sys/kernel/debug/failslab
DRV=/sys/bus/pci/drivers/sdxi
MAX_POINTS=${MAX_POINTS:-2000}

modprobe sdxi && wait_active
tap $? module_loads_function_active
echo "$BDF" >$DRV/unbind
tap $? unbind_before_injection

# Sleeping (GFP_KERNEL) allocations are exempt by default: include them.
# Only allocations sdxi.ko makes itself or through a thin helper count:
# the stacktrace filter wants an sdxi.ko frame within the 7 innermost, and
# none in dmaengine's device registration.  Allocations deep inside other
# subsystems exercise their own error paths, which in 6.12 warn or leak by
# themselves: iounmap of a bad address after a failed MSI-X table mapping,
# irq procfs entries, and dmaengine's channel registration, which frees a
# device whose device_register() failed with kfree() instead of
# put_device() and so leaks its name.
DEPTH=${DEPTH:-7}
echo N >$FS/ignore-gfp-wait
echo 0 >$FS/verbose
echo "$DEPTH" >$FS/stacktrace-depth
set -- $(sort /proc/kallsyms | grep -A1 ' dma_async_device_register$' | cut -d' ' -f1)
echo "0x$1" >$FS/reject-start
echo "0x$2" >$FS/reject-end
text=$(cat /sys/module/sdxi/sections/.text)
size=$(cat /sys/module/sdxi/coresize)
echo "$text" >$FS/require-start
printf '0x%x\n' $((text + size)) >$FS/require-end
failed=0 points=0 bad=""
n=1
while [ $n -le "$MAX_POINTS" ]; do
	res=$(fail-nth-write $n $DRV/bind "$BDF")
	case $res in
	"not-reached ok")	# the probe is out of points, and bound
		echo "$BDF" >$DRV/unbind || bad="unbind after the last bind failed"
		break
		;;
	"not-reached "* | "") bad="bind without injection: ${res:-setup failed}"; break ;;
	"injected ok")
		# The probe survived the failure (a retried or optional
		# allocation): it must be fully up, and must unbind.
		wait_active 5 || bad="$bad n=$n: bound but not active;"
		echo "$BDF" >$DRV/unbind || bad="$bad n=$n: unbind failed;"
		;;
	*)
		failed=$((failed + 1))
		[ -e "$DRV/$BDF" ] && bad="$bad n=$n: failed bind ($res) left the device bound;"
		;;
	esac
	points=$n
	[ $((n % 100)) = 0 ] && echo "# failslab: $n points, $failed binds refused"
	n=$((n + 1))
done
[ -z "$bad" ] && [ "$points" -gt 0 ] && [ $n -le "$MAX_POINTS" ]
tap $? probe_survives_every_slab_failure \
	"$points allocation points, $failed binds refused; ${bad:-no problems}"
echo "# failslab: $points allocation points in probe, $failed binds failed cleanly"

echo Y >$FS/ignore-gfp-wait
echo 32 >$FS/stacktrace-depth
echo 0 >$FS/reject-start
echo 0 >$FS/reject-end
echo 0 >$FS/require-start
printf '%u\n' -1 >$FS/require-end
echo "$BDF" >$DRV/bind && wait_active
tap $? binds_after_injection
dmatest 0 100 2 2
dmatest_ok 4 400
tap $? dmatest_after_injection "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
rmmod sdxi
tap $? module_unloads
bad=$(dmesg_bad)
[ -z "$bad" ]
tap $? kernel_log_clean "$bad"
finish
