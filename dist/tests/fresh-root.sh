#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The packages on a machine nobody prepared, as TAP: make deb; a fresh
# Debian 12 root by debootstrap (minbase, plus bookworm-backports for the
# 6.12 kernel headers); apt-get install ./*.deb there with every
# dependency from the archive, next to the headers of the guest kernel,
# so that DKMS builds and installs sdxi.ko inside the root; the group,
# the udev rule, pkg-config, the four installed examples built with
# their Makefile and run on the software device, sdxictl; the module DKMS
# built, booted in the test VM (loaded through its modalias, then
# user_functional); apt-get purge removes it all.
#
#   fresh-root.sh WORKDIR KVER
#
# Needs root (debootstrap, chroot) and the Debian archive.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/tap.sh"
work=${1:?usage: fresh-root.sh WORKDIR KVER}
kver=${2:?usage: fresh-root.sh WORKDIR KVER}
version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
mirror=http://deb.debian.org/debian
root=$work/root
debs=$top/build/deb
pkgs="sdxi-dkms libsdxi1 libsdxi-dev libsdxi-offload sdxi-tools"

cleanup() {
	for m in proc sys dev/pts dev; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

out=$(make -s --no-print-directory -C "$top" deb 2>&1); tap $? make_deb_builds "$out"

debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1
tap $? debootstrap_debian_12 "$(tail -n 20 "$work/debootstrap.log")"

setup() {
	cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
deb $mirror bookworm-backports main
SRC
	mount --bind /proc "$root/proc" && mount --bind /sys "$root/sys" &&
		mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" || return 1
	mkdir -p "$root/tmp/debs"
	for p in $pkgs; do cp "$debs/${p}_${version}_"*.deb "$root/tmp/debs/" || return 1; done
	in_root apt-get update -q
}
out=$(setup 2>&1); tap $? root_sources_and_mounts "$(echo "$out" | tail -n 20)"

# The user's command: our packages, the kernel's headers and source (the
# dmaengine core's private headers: Documentation/install.rst), a compiler.
xy=$(echo "$kver" | cut -d. -f1,2)
install_debs() {
	in_root sh -c "apt-get install -y -q --no-install-recommends ./tmp/debs/*.deb \
		linux-headers-$kver linux-source-$xy gcc make pkgconf"
}
install_debs >"$work/install.log" 2>&1
tap $? apt_get_install_debs_resolves_from_the_archive "$(tail -n 30 "$work/install.log")"

s=$(in_root dkms status 2>&1)
echo "$s" | grep -q "^sdxi/$version, $kver, [^:]*: installed"
tap $? dkms_built_and_installed_sdxi_for_the_6_12_headers "$s
$(grep -i -A5 'dkms\|error' "$work/install.log" | tail -n 30)"

ko=$(ls "$root/lib/modules/$kver/updates/dkms/"sdxi.ko* 2>/dev/null | head -n1)
[ -n "$ko" ] && in_root modinfo -F alias "/${ko#$root/}" | grep -qx 'pci:v\*d\*sv\*sd\*bc12sc01i00\*'
tap $? module_installed_with_its_class_alias "$(ls -R "$root/lib/modules/$kver/updates" 2>&1)"

in_root getent group sdxi >/dev/null && [ -e "$root/usr/lib/udev/rules.d/60-sdxi.rules" ]
tap $? group_sdxi_and_udev_rule "$(in_root getent group sdxi)"

[ "$(in_root pkg-config --modversion sdxi)" = 1.0.0 ]
tap $? pkg_config_finds_sdxi "$(in_root pkg-config --modversion sdxi 2>&1)"

examples() {
	rm -rf "$root/tmp/ex" && cp -r "$root/usr/share/doc/libsdxi-dev/examples" "$root/tmp/ex" &&
		in_root make -s -C /tmp/ex || return 1
	for e in sync-copy async-copies threads-batches async-pipeline; do
		in_root env SDXI_DEVICE=soft "/tmp/ex/$e" || { echo "$e failed"; return 1; }
	done
}
out=$(examples 2>&1); tap $? installed_examples_build_and_run_on_the_soft_device "$out"

out=$(in_root sdxictl --version 2>&1); [ "$out" = "sdxictl $version" ]
tap $? sdxictl_runs "$out"
out=$(in_root sdxi-perf -d soft --help 2>&1 >/dev/null); tap $? sdxi_perf_runs "$out"

# The module DKMS built in the root, in the test VM.
vm_tap() {
	local log=$work/vm.log
	"$top/tools/vm/run" --quiet --log "$log" --timeout 900 --file "$work/sdxi.ko" \
		--file "$top/build/selftests/user_functional" --file "$top/build/sdxictl/sdxictl" \
		--script "$top/dist/tests/dkms-vm-guest.sh" >/dev/null 2>&1
	sed -n '/^SDXI-VM-START/,$p' "$log" | grep -E '^(not )?ok [0-9]+|^1\.\.[0-9]+|^# '
}
if [ -n "$ko" ]; then
	case $ko in
	*.xz) xz -dc "$ko" >"$work/sdxi.ko" ;;
	*) cp "$ko" "$work/sdxi.ko" ;;
	esac
	tap_merge vm_tap
else
	tap 1 dkms_module_boots_in_the_vm "DKMS installed no module to boot"
fi

purge() {
	in_root apt-get purge -y -q $pkgs >"$work/purge.log" 2>&1 || return 1
	! ls "$root/lib/modules/$kver/updates/dkms/"sdxi.ko* 2>/dev/null &&
		! ls -d "$root/usr/src/sdxi-"* 2>/dev/null && ! ls -d "$root/var/lib/dkms/sdxi" 2>/dev/null &&
		[ ! -e "$root/usr/lib/udev/rules.d/60-sdxi.rules" ]
}
out=$(purge 2>&1); tap $? apt_get_purge_removes_the_module_and_the_tree "$out
$(tail -n 20 "$work/purge.log")"

cleanup
rm -rf "$root"
tap_plan
