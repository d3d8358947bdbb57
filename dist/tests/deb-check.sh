#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make deb, as TAP: the five packages at the version of VERSION, lintian
# without errors (its warnings printed), each package's dependencies and
# files, the library's symbols file against its exports, the DKMS
# package's scripts (dkms, the group), and the unpacked libsdxi-dev used
# as a user would: an example built with pkg-config and run on the
# software device, the unpacked tools and the unpacked offload library
# run.  Usage: deb-check.sh DEB_DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/tap.sh"
debs=${1:?usage: deb-check.sh DEB_DIR}
version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
tmp=$(mktemp -d /tmp/sdxi-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SDXI_DEVICE=soft

deb() { echo "$debs/${1}_${version}_$2.deb"; }

out=$(make -s --no-print-directory -C "$top" deb 2>&1); tap $? make_deb_builds "$out"

all_packages="libsdxi1:$arch libsdxi-dev:$arch libsdxi-offload:$arch sdxi-tools:$arch sdxi-dkms:all"
five() {
	local p
	for p in $all_packages; do
		[ -e "$(deb "${p%:*}" "${p#*:}")" ] || { echo "missing ${p%:*}"; ls "$debs"; return 1; }
	done
}
out=$(five 2>&1); tap $? five_packages_at_the_version_of_VERSION "$out"

# Errors fail; warnings are listed here (an empty list is the goal).
! grep -q '^E: ' "$debs/lintian.txt"
tap $? lintian_has_no_errors "$(cat "$debs/lintian.txt")"
tap_diag "lintian warnings: $(grep -c '^W: ' "$debs/lintian.txt")" \
	"$(grep '^W: ' "$debs/lintian.txt")"

depends() { dpkg-deb -f "$(deb "$1" "$2")" Depends; }
deps_ok() {
	depends libsdxi-dev "$arch" | grep -q "libsdxi1 (= $version)" &&
		depends libsdxi-dev "$arch" | grep -q 'liburcu-dev' &&
		depends libsdxi1 "$arch" | grep -q 'liburcu8' &&
		depends sdxi-tools "$arch" | grep -q "libsdxi1 (>= 1.0.0)" &&
		depends libsdxi-offload "$arch" | grep -q 'liburcu8' &&
		! depends libsdxi-offload "$arch" | grep -q libsdxi1 &&
		depends sdxi-dkms all | grep -q 'dkms' &&
		depends sdxi-dkms all | grep -q 'adduser' &&
		! depends libsdxi1 "$arch" | grep -q dkms &&
		! depends sdxi-tools "$arch" | grep -q dkms
}
out=$(for p in $all_packages; do
	echo "${p%:*}: $(depends "${p%:*}" "${p#*:}")"; done)
deps_ok; tap $? dependencies_are_right "$out"

# The symbols file lists exactly what the packaged library exports (the
# version node SDXI_1.0 is written SDXI_1.0@SDXI_1.0 there).
symbols_ok() {
	dpkg-deb -x "$(deb libsdxi1 "$arch")" "$tmp/lib1" &&
		dpkg-deb -e "$(deb libsdxi1 "$arch")" "$tmp/lib1-ctl" || return 1
	diff <(nm -D --defined-only "$tmp/lib1/usr/lib/$multiarch/libsdxi.so.1.0.0" |
		awk '{print $3}' | sed 's/@@/@/; /@/!s/.*/&@&/' | sort) \
		<(sed -n 's/^ \([^ ]*\) .*/\1/p' "$tmp/lib1-ctl/symbols" | sort) &&
		grep -qx 'libsdxi 1 libsdxi1 (>= 1.0.0)' "$tmp/lib1-ctl/shlibs"
}
out=$(symbols_ok 2>&1); tap $? symbols_file_matches_the_exports "$out"

contents() {	# PACKAGE ARCH FILE...
	local p=$1 a=$2 list f
	shift 2
	list=$(dpkg-deb -c "$(deb "$p" "$a")" | awk '{print $6}' | sed 's|^\.||')
	for f in "$@"; do
		echo "$list" | grep -qx "$f" || { echo "$p lacks $f"; return 1; }
	done
}
out=$(contents sdxi-dkms all "/usr/src/sdxi-$version/dkms.conf" \
	"/usr/src/sdxi-$version/kernel/Kbuild" "/usr/src/sdxi-$version/uapi/linux/sdxi.h" \
	/usr/lib/udev/rules.d/60-sdxi.rules &&
	contents libsdxi1 "$arch" "/usr/lib/$multiarch/libsdxi.so.1" &&
	contents libsdxi-dev "$arch" /usr/include/sdxi.h "/usr/lib/$multiarch/pkgconfig/sdxi.pc" \
		"/usr/lib/$multiarch/libsdxi.so" "/usr/lib/$multiarch/libsdxi.a" \
		/usr/share/man/man3/libsdxi.3.gz /usr/share/doc/libsdxi-dev/examples/sync-copy.c &&
	contents sdxi-tools "$arch" /usr/bin/sdxictl /usr/bin/sdxi-perf \
		/usr/share/man/man8/sdxictl.8.gz /usr/share/man/man1/sdxi-perf.1.gz &&
	contents libsdxi-offload "$arch" "/usr/lib/$multiarch/libsdxi-offload.so" \
		/usr/share/man/man7/sdxi-offload.7.gz 2>&1)
tap $? packages_hold_their_files "$out"

# The postinst adds the module to dkms and creates the group.
scripts() {
	dpkg-deb -e "$(deb sdxi-dkms all)" "$tmp/dkms-ctl" &&
		grep -q 'addgroup --system sdxi' "$tmp/dkms-ctl/postinst" &&
		grep -q 'DKMS_VERSION=1.0.0' "$tmp/dkms-ctl/postinst" &&
		grep -q 'common.postinst' "$tmp/dkms-ctl/postinst" &&
		grep -q 'dkms remove' "$tmp/dkms-ctl/prerm"
}
out=$(scripts 2>&1); tap $? dkms_package_scripts_add_the_module_and_the_group "$out"

# The unpacked libsdxi1 + libsdxi-dev, used through pkg-config.
example() {
	local root=$tmp/dev l
	dpkg-deb -x "$(deb libsdxi1 "$arch")" "$root" &&
		dpkg-deb -x "$(deb libsdxi-dev "$arch")" "$root" || return 1
	l=$root/usr/lib/$multiarch
	export PKG_CONFIG_PATH=$l/pkgconfig
	gcc -O2 -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -o "$tmp/sync-copy" \
		"$root/usr/share/doc/libsdxi-dev/examples/sync-copy.c" $(pkg-config --libs sdxi) \
		-lpthread && LD_LIBRARY_PATH=$l "$tmp/sync-copy"
}
out=$(example 2>&1); tap $? example_builds_against_libsdxi_dev_and_runs "$out"

tools() {
	local root=$tmp/tools
	dpkg-deb -x "$(deb sdxi-tools "$arch")" "$root" || return 1
	LD_LIBRARY_PATH=$tmp/dev/usr/lib/$multiarch "$root/usr/bin/sdxi-perf" --help >/dev/null &&
		"$root/usr/bin/sdxictl" --version | grep -qx "sdxictl $version" &&
		readelf -l "$root/usr/bin/sdxictl" | grep -q 'program interpreter' &&
		readelf -d "$root/usr/bin/sdxi-perf" | grep -q 'NEEDED.*libsdxi\.so\.1'
}
out=$(tools 2>&1); tap $? packaged_tools_run "$out"

# The unpacked libsdxi-offload preloaded into Debian's perl copying a
# 16 MiB string on the software device: same output, offloaded calls.
offload() {
	local root=$tmp/offload prog='$a = "x" x (16 << 20); $b = $a . "y"; print length($b), "\n"'
	dpkg-deb -x "$(deb libsdxi-offload "$arch")" "$root" || return 1
	SDXI_OFFLOAD_DEVICE=soft SDXI_OFFLOAD_MIN=64k SDXI_OFFLOAD_STATS=1 \
		LD_PRELOAD=$root/usr/lib/$multiarch/libsdxi-offload.so perl -e "$prog" \
		>"$tmp/offload.out" 2>"$tmp/offload.err" || { cat "$tmp/offload.err"; return 1; }
	cat "$tmp/offload.err"
	[ "$(cat "$tmp/offload.out")" = "$(perl -e "$prog")" ] &&
		awk '$4 == "device" && $5 > 0 { n++ } END { exit !n }' "$tmp/offload.err"
}
out=$(offload 2>&1); tap $? packaged_offload_library_offloads "$out"
tap_plan
