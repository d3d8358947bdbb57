# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of make check-qemu-glue (tools/qemu/qemu.mk), run by the test
# VM's /init: load sdxi_glue_test.ko, whose probe drives the function and
# logs TAP lines, then check a function-level reset.  Prints TAP
# (tools/tap.sh).
. /usr/share/sdxi/tap.sh
insmod "/lib/modules/$(uname -r)/extra/sdxi_glue_test.ko"
# The module's results, from the kernel log, renumbered into this stream.
glue_results() {
	dmesg | sed -n 's/.*sdxi_glue: \(\(not \)\{0,1\}ok .*\)/\1/p; s/.*sdxi_glue: \(# .*\)/\1/p'
}
tap_merge glue_results

# FLR through sysfs: the function must go from ACTIVE back to STOP.
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120100 ] && break
done
bar0=$(head -n1 "$d/resource" | cut -d' ' -f1)
before=$(devmem $((bar0 + 0x100)) 64)
echo 1 >"$d/reset"
after=$(devmem $((bar0 + 0x100)) 64)
[ $((before & 7)) = 2 ] && [ $((after & 7)) = 0 ]
tap $? flr_stops_the_function "STS0 before $before, after $after"
tap_plan
