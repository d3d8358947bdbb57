# SPDX-License-Identifier: GPL-2.0
#
# make check-sriov-vm: sdxi.ko on SR-IOV virtual functions.  The VM has one
# SDXI physical function with total-vfs=2 (tools/qemu/hw/sdxi-sriov.c;
# Documentation/hardware.rst "Virtual functions").  Enabling VFs through
# sriov_numvfs, the driver bound to each VF as to any SDXI function, dmatest
# and a fault on one VF (its own engine and error log), the functional
# kselftests (lib_functional, user_functional) on a VF, disabling the VFs
# with user contexts open on one, removing the PF with VFs active and user
# contexts open, and unloading the module with VFs enabled.  Runs after
# lib.sh.
#
# The kselftests open /dev/sdxi0 and its sysfs directories, and set fault
# knobs on the QOM device "sdxi0": for their run the VF's device node and
# class directory are bind-mounted over sdxi0's, and sdxi-qom-set/-get
# wrappers first in PATH send "sdxi0" to the VF ("sdxi0/vf0", the PF's link
# to its VF 0).  lib_functional runs its kernel variant only: the software
# device variant does not touch the function.

ITER=${ITER:-200}
NVF=2
PF=$BDF
PFS=/sys/bus/pci/devices/$PF

# vattr BDF NAME: an attribute of a function's sdxi group.
vattr() { cat "/sys/bus/pci/devices/$1/sdxi/$2" 2>/dev/null; }

# vf_bdf N: the PCI address of the PF's VF N.
vf_bdf() { basename "$(readlink -f "$PFS/virtfn$1")"; }

# cdev_of BDF: the sdxiN node name of a bound function.
cdev_of() {
	local c
	for c in /sys/class/sdxi/sdxi*; do
		if [ "$(basename "$(readlink -f "$c/device")")" = "$1" ]; then
			basename "$c"
			return 0
		fi
	done
	return 1
}

# wait_vf_active BDF [SECONDS]
wait_vf_active() {
	local i=0
	while [ $i -lt $((${2:-10} * 10)) ]; do
		[ "$(vattr "$1" driver_state)" = active ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# sdxi_functions: how many SDXI functions (class 0x120100) the bus has.
sdxi_functions() {
	local d n=0
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x120100 ] && n=$((n + 1))
	done
	echo $n
}

# perf_start CDEV: user contexts copying on CDEV in the background (PERF_PID).
perf_start() {
	sdxi-perf -d "$1" -o copy -s 64k -C 4 -T 60 -m none --quiet >/tmp/perf.out 2>&1 &
	PERF_PID=$!
}

# wait_contexts BDF N: until the function has at least N active contexts.
wait_contexts() {
	local i=0
	while [ $i -lt 200 ]; do
		[ "$(vattr "$1" active_contexts)" -ge "$2" ] 2>/dev/null && return 0
		kill -0 "$PERF_PID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# write_under_users BDF NAME FILE VALUE: user contexts copying on function
# BDF (result user_contexts_open_on_NAME), then VALUE written to FILE; sets
# RC (the write's status) and SECS (its duration).
write_under_users() {
	local t0
	perf_start "$(cdev_of "$1")"
	wait_contexts "$1" 4
	tap $? "user_contexts_open_on_$2" "active_contexts $(vattr "$1" active_contexts)"
	t0=$(date +%s)
	echo "$4" >"$3"
	RC=$?
	SECS=$(($(date +%s) - t0))
}

# perf_gone SECONDS: the background sdxi-perf exited within SECONDS.
perf_gone() {
	local i=0
	while [ $i -lt $(($1 * 10)) ]; do
		kill -0 "$PERF_PID" 2>/dev/null || { wait "$PERF_PID"; PERF_RC=$?; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$PERF_PID" 2>/dev/null
	return 1
}

# --- Bring-up and enabling ----------------------------------------------------
modprobe sdxi
tap $? module_loads
wait_active
tap $? pf_active "driver_state $(attr driver_state)"
[ "$(cat "$PFS/sriov_totalvfs")" = $NVF ] && [ "$(cat "$PFS/sriov_numvfs")" = 0 ]
tap $? pf_reports_total_vfs "sriov_totalvfs $(cat "$PFS/sriov_totalvfs")"

echo $NVF >"$PFS/sriov_numvfs"
tap $? sriov_numvfs_enables_vfs "sriov_numvfs $(cat "$PFS/sriov_numvfs")"
VF0=$(vf_bdf 0)
VF1=$(vf_bdf 1)
ok=0
for vf in $VF0 $VF1; do
	d=/sys/bus/pci/devices/$vf
	[ "$(cat "$d/class")" = 0x120100 ] && [ -e "$d/physfn" ] &&
		[ "$(basename "$(readlink -f "$d/driver")")" = sdxi ] &&
		wait_vf_active "$vf" || ok=1
	tap_diag "$vf: class $(cat "$d/class") id $(cat "$d/vendor"):$(cat "$d/device")" \
		"driver $(basename "$(readlink -f "$d/driver")") state $(vattr "$vf" driver_state)"
done
tap $ok vfs_bound_to_sdxi_and_active
ok=0
for vf in $VF0 $VF1; do
	[ "$(vattr "$vf" version)" = 1.0 ] && [ "$(vattr "$vf" max_contexts)" = 127 ] &&
		[ "$(vattr "$vf" function_state)" = active ] &&
		[ "$(ls /sys/bus/pci/devices/$vf/msi_irqs | wc -l)" -ge 2 ] &&
		cdev_of "$vf" >/dev/null || ok=1
done
tap $ok vfs_have_own_function_msix_and_device_node \
	"VF0 $(cdev_of "$VF0") VF1 $(cdev_of "$VF1")" \
	"msi_irqs $(ls /sys/bus/pci/devices/$VF0/msi_irqs | wc -l)"
nchan=$(ls /sys/class/dma | grep -c chan)
[ "$nchan" = $((2 * (NVF + 1))) ]
tap $? dma_channels_on_pf_and_vfs "channels: $nchan"

# --- dmatest on the VFs --------------------------------------------------------------
BDF=$VF0
dmatest 0 "$ITER" 2 2
dmatest_ok 4 $((4 * ITER))
tap $? vf0_dmatest_interrupt_2ch_2thr "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"
BDF=$VF1
dmatest 1 "$ITER" 2 2
dmatest_ok 4 $((4 * ITER))
tap $? vf1_dmatest_polled_2ch_2thr "threads $DT_THREADS tests $DT_TESTS failures $DT_FAILS"

# A fault on VF0 is VF0's alone: the copy fails there, is logged in VF0's
# error log, and neither the PF's nor VF1's count moves.
e0=$(vattr "$VF0" cxt_errors)
e1=$(vattr "$VF1" cxt_errors)
ep=$(vattr "$PF" cxt_errors)
BDF=$VF0
dmatest_setup 0 8 1 1 3000
sdxi-qom-set sdxi0/vf0 fault-after 1000 >/dev/null
dmatest_run
[ "$DT_TESTS" = 8 ] && [ "$DT_FAILS" = 1 ] &&
	[ "$(vattr "$VF0" cxt_errors)" -gt "$e0" ] &&
	[ "$(vattr "$VF1" cxt_errors)" = "$e1" ] && [ "$(vattr "$PF" cxt_errors)" = "$ep" ]
tap $? vf0_fault_fails_on_vf0_only "tests $DT_TESTS failures $DT_FAILS" \
	"cxt_errors VF0 $e0->$(vattr "$VF0" cxt_errors) VF1 $e1->$(vattr "$VF1" cxt_errors) PF $ep->$(vattr "$PF" cxt_errors)"
# VF0's engine stalled: VF1 and the PF still copy.
sdxi-qom-set sdxi0/vf0 stall true >/dev/null
BDF=$VF1
dmatest 0 20 1 1
ok1=$?
dmatest_ok 1 20 && [ $ok1 = 0 ]
ok1=$?
BDF=$PF
dmatest 0 20 1 1
dmatest_ok 1 20 && [ $ok1 = 0 ]
tap $? vf1_and_pf_copy_while_vf0_stalled "tests $DT_TESTS failures $DT_FAILS"
sdxi-qom-set sdxi0/vf0 stall false >/dev/null
BDF=$VF0
dmatest 0 20 2 1
dmatest_ok 2 40
tap $? vf0_dmatest_after_fault_and_stall "tests $DT_TESTS failures $DT_FAILS"

# --- The functional kselftests on VF0 ----------------------------------------------
PFCDEV=$(cdev_of "$PF")
VFCDEV=$(cdev_of "$VF0")
mkdir -p /tmp/vfbin
for t in set get; do
	real=$(command -v sdxi-qom-$t)
	printf '#!/bin/sh\np=$1; shift\n[ "$p" = sdxi0 ] && p=sdxi0/vf0\nexec %s "$p" "$@"\n' \
		"$real" >/tmp/vfbin/sdxi-qom-$t
	chmod +x /tmp/vfbin/sdxi-qom-$t
done
mount --bind "/dev/$VFCDEV" "/dev/$PFCDEV" &&
	mount --bind "/sys/class/sdxi/$VFCDEV" "/sys/class/sdxi/$PFCDEV"
tap $? vf0_stands_in_for_sdxi0 "$PFCDEV -> $VFCDEV:" \
	"$(readlink -f /sys/class/sdxi/$PFCDEV/device)"
PATH=/tmp/vfbin:$PATH tap_merge lib_functional -v kernel
PATH=/tmp/vfbin:$PATH tap_merge user_functional
umount "/sys/class/sdxi/$PFCDEV"
umount "/dev/$PFCDEV"
[ "$(vattr "$VF0" active_contexts)" = 0 ] && [ "$(vattr "$PF" active_contexts)" = 0 ]
tap $? contexts_free_after_functional "VF0 $(vattr "$VF0" active_contexts) PF $(vattr "$PF" active_contexts)"

# --- Disabling the VFs with user contexts open on one ---------------------------------
write_under_users "$VF0" vf0 "$PFS/sriov_numvfs" 0
[ $RC = 0 ] && [ "$(cat "$PFS/sriov_numvfs")" = 0 ] && [ "$(sdxi_functions)" = 1 ] &&
	[ ! -e "$PFS/virtfn0" ]
tap $? disable_vfs_with_open_contexts "rc $RC in $SECS s, functions $(sdxi_functions)"
perf_gone 30
tap $? user_of_disabled_vf_exits "sdxi-perf exit $PERF_RC" "$(tail -n 2 /tmp/perf.out)"
[ "$(attr active_contexts)" = 0 ] && [ "$(attr driver_state)" = active ]
tap $? pf_unaffected_by_vf_disable "PF active_contexts $(attr active_contexts)"
BDF=$PF
dmatest 0 20 2 1
dmatest_ok 2 40
tap $? pf_dmatest_after_vf_disable "tests $DT_TESTS failures $DT_FAILS"

# Enabled again: fresh functions.
echo $NVF >"$PFS/sriov_numvfs" && VF0=$(vf_bdf 0) && VF1=$(vf_bdf 1) &&
	wait_vf_active "$VF0" && wait_vf_active "$VF1" &&
	[ "$(vattr "$VF0" active_contexts)" = 0 ]
tap $? vfs_reenabled_active "VF0 $(vattr "$VF0" driver_state) VF1 $(vattr "$VF1" driver_state)"
BDF=$VF1
dmatest 1 20 2 1
dmatest_ok 2 40
tap $? vf1_dmatest_after_reenable "tests $DT_TESTS failures $DT_FAILS"

# --- Removing the PF with VFs active and user contexts open on one ------------------
write_under_users "$VF1" vf1 "$PFS/remove" 1
[ $RC = 0 ] && [ "$(sdxi_functions)" = 0 ] && [ ! -e /sys/class/sdxi/sdxi0 ]
tap $? pf_removed_with_vfs_active "rc $RC in $SECS s, functions $(sdxi_functions)"
perf_gone 30
tap $? user_of_removed_vf_exits "sdxi-perf exit $PERF_RC" "$(tail -n 2 /tmp/perf.out)"
echo 1 >/sys/bus/pci/rescan
wait_active 20 && [ "$(cat "$PFS/sriov_numvfs")" = 0 ] && [ "$(attr active_contexts)" = 0 ]
tap $? pf_rescanned_rebinds "driver_state $(attr driver_state) sriov_numvfs $(cat "$PFS/sriov_numvfs")"
echo $NVF >"$PFS/sriov_numvfs" && VF0=$(vf_bdf 0) && wait_vf_active "$VF0"
tap $? vfs_enabled_after_rescan "VF0 $(vattr "$VF0" driver_state)"
BDF=$VF0
dmatest 0 20 2 1
dmatest_ok 2 40
tap $? vf0_dmatest_after_rescan "tests $DT_TESTS failures $DT_FAILS"

# --- Unloading with VFs enabled ----------------------------------------------------------
rmmod sdxi
tap $? module_unloads_with_vfs_enabled
[ "$(sdxi_functions)" = 1 ] && [ ! -e "$PFS/virtfn0" ]
tap $? unload_disabled_vfs "functions $(sdxi_functions)"

finish_clean
