# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of make check-qemu-glue, check-qemu-glue-switch and
# check-qemu-glue-sva (tools/qemu/qemu.mk), run by the test VM's /init: load
# sdxi_glue_test.ko, whose probe drives the function and logs TAP lines,
# then check a function-level reset.  Prints TAP (tools/tap.sh).
#
# The module's tests need the function's DMA translated.  When the VM
# booted with iommu.passthrough=1 (check-qemu-glue-switch) the function's
# IOMMU group is first switched from the identity domain to a DMA domain at
# run time, with no driver bound: the module's tests then pass only if the
# IOMMU model really started translating the function's requests.
. /usr/share/sdxi/tap.sh
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120100 ] && break
done
switched=
if [ "$(cat "$d/iommu_group/type" 2>/dev/null)" = identity ]; then
	echo DMA >"$d/iommu_group/type"
	switched=$(cat "$d/iommu_group/type")
fi

# Module parameters from the kernel command line, as modprobe passes them.
# shellcheck disable=SC2046 # one word per parameter
insmod "/lib/modules/$(uname -r)/extra/sdxi_glue_test.ko" \
	$(tr ' ' '\n' </proc/cmdline | sed -n 's/^sdxi_glue_test\.//p')
# The module's results, from the kernel log, renumbered into this stream.
glue_results() {
	dmesg | sed -n 's/.*sdxi_glue: \(\(not \)\{0,1\}ok .*\)/\1/p; s/.*sdxi_glue: \(# .*\)/\1/p'
}
tap_merge glue_results

# FLR through sysfs: the function must go from ACTIVE back to STOP.
bar0=$(head -n1 "$d/resource" | cut -d' ' -f1)
before=$(devmem $((bar0 + 0x100)) 64)
echo 1 >"$d/reset"
after=$(devmem $((bar0 + 0x100)) 64)
[ $((before & 7)) = 2 ] && [ $((after & 7)) = 0 ]
tap $? flr_stops_the_function "STS0 before $before, after $after"

if [ -n "$switched" ]; then
	[ "$switched" = DMA ]
	tap $? iommu_group_switched_from_identity_to_dma \
		"the group's type is '$switched'"
fi
tap_plan
