# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of the dkms-vm suite (busybox sh): the sdxi.ko dkms built,
# loaded through the function's modalias as udev does, passes the
# functional kselftest of /dev/sdxiN, and sdxictl sees the function.

. /usr/share/sdxi/tap.sh
dmesg -n 1
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120100 ] && m=$(cat "$d/modalias")
done
modprobe "$m" && [ -e /dev/sdxi0 ]
tap $? dkms_module_loads_through_the_modalias "$m"

tap_merge user_functional

sdxictl list | awk '$1 == "sdxi0" && $4 == "active" && $5 == "active" {f = 1} END {exit !f}'
tap $? sdxictl_lists_the_function_active "$(sdxictl list)"

BAD_LOG="WARNING:|BUG:|Oops|refcount_t|use-after-free|general protection|Call Trace"
! dmesg | grep -qE "$BAD_LOG"
tap $? guest_log_has_no_warn_or_oops "$(dmesg | grep -E -A3 "$BAD_LOG" | head -n 30)"
tap_plan
