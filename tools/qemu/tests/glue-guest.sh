# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of make check-qemu-glue and check-qemu-glue-switch
# (tools/qemu/qemu.mk), run by the test VM's /init: load
# sdxi_glue_test.ko, whose probe drives the function and logs TAP lines,
# then check a function-level reset.  Prints TAP.
#
# The module's tests need the function's DMA translated.  When the VM
# booted with iommu.passthrough=1 (check-qemu-glue-switch) the function's
# IOMMU group is first switched from the identity domain to a DMA domain at
# run time, with no driver bound: the module's tests then pass only if the
# IOMMU model really started translating the function's requests.
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120100 ] && break
done
switched=
extra=0
if [ "$(cat "$d/iommu_group/type" 2>/dev/null)" = identity ]; then
	echo DMA >"$d/iommu_group/type"
	switched=$(cat "$d/iommu_group/type")
	extra=1
fi

insmod "/lib/modules/$(uname -r)/extra/sdxi_glue_test.ko"
dmesg | sed -n 's/.*sdxi_glue: \(\(not \)\{0,1\}ok .*\)/\1/p; s/.*sdxi_glue: \(# .*\)/\1/p' >/tmp/tap
n=$(grep -cE '^(not )?ok ' /tmp/tap)
echo "1..$((n + 1 + extra))"
cat /tmp/tap

# FLR through sysfs: the function must go from ACTIVE back to STOP.
bar0=$(head -n1 "$d/resource" | cut -d' ' -f1)
before=$(devmem $((bar0 + 0x100)) 64)
echo 1 >"$d/reset"
after=$(devmem $((bar0 + 0x100)) 64)
if [ $((before & 7)) = 2 ] && [ $((after & 7)) = 0 ]; then
	echo "ok $((n + 1)) - flr_stops_the_function"
else
	echo "not ok $((n + 1)) - flr_stops_the_function"
	echo "# STS0 before $before, after $after"
fi

if [ -n "$switched" ]; then
	if [ "$switched" = DMA ]; then
		echo "ok $((n + 2)) - iommu_group_switched_from_identity_to_dma"
	else
		echo "not ok $((n + 2)) - iommu_group_switched_from_identity_to_dma"
		echo "# the group's type is '$switched'"
	fi
fi
