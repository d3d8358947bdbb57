#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What dkms built from the installed DKMS tree (dist/dkms-build), as TAP:
# a module for the kernel asked for, that autoloads for class 0x120100,
# alone (no test module), without test hooks, recorded by dkms as built,
# and a dkms.conf that rebuilds on kernel upgrades.  Usage: dkms-check.sh OUTDIR KVER
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/tap.sh"
out=${1:?usage: dkms-check.sh OUTDIR KVER}
kver=${2:?usage: dkms-check.sh OUTDIR KVER}
version=$(cat "$top/VERSION")
ko=$out/sdxi.ko

v=$(modinfo -F vermagic "$ko" 2>&1)
[ "${v%% *}" = "$kver" ]
tap $? module_built_for_the_kernel "vermagic '$v', want $kver"

a=$(modinfo -F alias "$ko" 2>&1)
[ "$a" = 'pci:v*d*sv*sd*bc12sc01i00*' ]
tap $? module_autoloads_for_class_120100 "alias: $a"

# The alias matches the modalias the kernel gives such a function.
m='pci:v00001AF4d000010F0sv00001AF4sd00000001bc12sc01i00'
case $m in $a) true ;; *) false ;; esac
tap $? alias_matches_a_class_120100_modalias "$m vs $a"

mods=$(cd "$out/tree" && find . -name '*.ko*' | sed 's|.*/||' | sort | tr '\n' ' ')
[ "$mods" = "sdxi.ko.xz " ] || [ "$mods" = "sdxi.ko " ] || [ "$mods" = "sdxi.ko.zst " ]
tap $? only_sdxi_ko_built "built: $mods"

s=$(dkms status -m sdxi -v "$version" -k "$kver" --dkmstree "$out/tree" \
	--sourcetree "$out/root/usr/src" 2>&1)
echo "$s" | grep -q "^sdxi/$version, $kver, [^:]*: built"
tap $? dkms_status_says_built "$s"

c=$out/root/usr/src/sdxi-$version/dkms.conf
grep -qx 'AUTOINSTALL="yes"' "$c" && grep -qx "PACKAGE_VERSION=\"$version\"" "$c"
tap $? dkms_conf_rebuilds_on_kernel_upgrade "$(cat "$c")"

! modinfo -F depends "$ko" | grep -q kunit
tap $? module_needs_no_test_module "$(modinfo -F depends "$ko")"

# The plain configuration: none of the test configuration's hooks
# (kernel/Kbuild SDXI_TEST) as a string or symbol, debug info included.
hooks=$(strings -a "$ko" | grep -xE 'dmabuf_move|test_echo|sdxi_udmabuf_move_all|sdxi_dmabuf_move_(write|fops)' | sort -u)
[ -z "$hooks" ]
tap $? module_carries_no_test_hook "found: $(echo $hooks)"
# The dmaengine core's headers come from the kernel's source (kernel
# headers packages lack drivers/dma/): dmaengine-headers, run by the
# MAKE of dkms.conf, says where it took them.
log=$(find "$out/tree" -name make.log | head -n1)
src=$(sed -n 's/^dmaengine-headers: .* from //p' "$log" 2>/dev/null)
[ -n "$src" ] && grep -q 'dmaengine-headers' "$c"
tap $? dmaengine_headers_from_kernel_source "from: ${src:-nothing}"

# Without a kernel source the build stops at once, saying what to install.
tmp=$(mktemp -d)
script=$out/root/usr/src/sdxi-$version/kernel/dmaengine-headers
msg=$(SDXI_KSRC=$tmp/none sh "$script" "$kver" "$tmp/none" "$tmp/h" 2>&1)
rc=$?
[ $rc = 1 ] && [ ! -e "$tmp/h" ] && echo "$msg" | grep -q 'virt-dma.h' &&
	echo "$msg" | grep -q 'linux-source' && echo "$msg" | grep -q 'SDXI_KSRC'
tap $? dmaengine_headers_missing_fails_clearly "rc $rc: $msg"

# A tarball of a kernel source (Debian's linux-source-X.Y ships one).
mkdir -p "$tmp/linux-x/drivers/dma"
echo '/* v */' >"$tmp/linux-x/drivers/dma/virt-dma.h"
echo '/* d */' >"$tmp/linux-x/drivers/dma/dmaengine.h"
tar -C "$tmp" -cJf "$tmp/linux-x.tar.xz" linux-x
msg=$(SDXI_KSRC=$tmp/linux-x.tar.xz sh "$script" "$kver" "$tmp/none" "$tmp/h" 2>&1)
rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/h/virt-dma.h" "$tmp/h/dmaengine.h" 2>&1)" = '/* v */
/* d */' ]
tap $? dmaengine_headers_from_a_source_tarball "rc $rc: $msg"
rm -rf "$tmp"
tap_plan
