#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make install / make uninstall, as TAP: install into a scratch DESTDIR
# holding files of other packages, compare the installed file list with
# the expected one, build an example against the installed tree with
# pkg-config and run it on the software device, run the installed tools,
# check the DKMS tree and the udev rule, uninstall, and check that exactly
# the other packages' files are left.  The same with a Debian-style
# layout (PREFIX=/usr, a multiarch LIBDIR).  Usage: install-check.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/tap.sh"
tmp=$(mktemp -d /tmp/sdxi-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(cat "$top/VERSION")
export SDXI_DEVICE=soft

mk() {	# mk DESTDIR TARGET [VAR=VALUE...]
	local dest=$1 target=$2
	shift 2
	make -s --no-print-directory -C "$top" "$target" DESTDIR="$dest" "$@" 2>&1
}

# The files make install must write, for PREFIX $1 and LIBDIR $2.
expected() {
	local p=$1 l=$2 f
	printf '%s\n' "$l/libsdxi.so.1.0.0" "$l/libsdxi.so.1" "$l/libsdxi.so" "$l/libsdxi.a" \
		"$l/pkgconfig/sdxi.pc" "$p/include/sdxi.h" "$p/include/sdxi/encode.h" \
		"$p/include/sdxi/ring.h" "$p/include/sdxi/uapi/sdxi_hw.h" \
		"$p/include/sdxi/uapi/sdxi.h" "$p/bin/sdxi-perf" \
		"$p/share/man/man1/sdxi-perf.1" "$p/bin/sdxictl" "$p/share/man/man8/sdxictl.8" \
		"$l/libsdxi-offload.so" "$p/share/man/man7/sdxi-offload.7" \
		/usr/lib/udev/rules.d/60-sdxi.rules "/usr/src/sdxi-$version/dkms.conf" \
		"/usr/src/sdxi-$version/uapi/linux/sdxi.h" \
		"/usr/src/sdxi-$version/uapi/linux/sdxi_hw.h" \
		"/usr/src/sdxi-$version/include/sdxi/function.h" \
		"/usr/src/sdxi-$version/include/sdxi/encode.h" \
		"/usr/src/sdxi-$version/kernel/Kbuild" \
		"/usr/src/sdxi-$version/kernel/dmaengine-headers"
	for f in "$top"/lib/man/*.3; do echo "$p/share/man/man3/${f##*/}"; done
	for f in "$top"/lib/examples/*; do echo "$p/share/doc/libsdxi/examples/${f##*/}"; done
	for f in "$top"/kernel/*.[ch]; do echo "/usr/src/sdxi-$version/kernel/${f##*/}"; done
}

# Files (and links) under a tree, as absolute paths below it.
files() { (cd "$1" && find . ! -type d | sed 's|^\.||' | sort); }

# Files of other packages, in the directories we share with them.
foreign() {
	local dest=$1 p=$2 l=$3
	mkdir -p "$dest$p/bin" "$dest$l/pkgconfig" "$dest$p/share/man/man1" \
		"$dest/usr/lib/udev/rules.d" "$dest/usr/src/other-1.0"
	touch "$dest$p/bin/other" "$dest$l/pkgconfig/other.pc" "$dest$p/share/man/man1/other.1" \
		"$dest/usr/lib/udev/rules.d/99-other.rules" "$dest/usr/src/other-1.0/dkms.conf"
}

file_list() {	# DEST PREFIX LIBDIR
	diff <( { expected "$2" "$3"; (cd "$1.foreign" && files .) ; } | sort) <(files "$1")
}

# Nothing of ours is left: the other packages' files only, and no
# directory named for us.
nothing_left() {	# DEST
	diff <(cd "$1.foreign" && files .) <(files "$1") || return 1
	! (cd "$1" && find . -type d -path '*sdxi*' | grep .)
}

pkgconfig_build() {	# DEST PREFIX LIBDIR
	local dest=$1 l=$1$3 ex=$1$2/share/doc/libsdxi/examples
	PKG_CONFIG_PATH=$l/pkgconfig gcc -O2 -Wall -Wextra -Werror \
		$(PKG_CONFIG_PATH=$l/pkgconfig pkg-config --cflags sdxi) -o "$tmp/sync-copy" \
		"$ex/sync-copy.c" $(PKG_CONFIG_PATH=$l/pkgconfig pkg-config --libs sdxi) -lpthread ||
		return 1
	LD_LIBRARY_PATH=$l "$tmp/sync-copy" || return 1
	LD_LIBRARY_PATH=$l ldd "$tmp/sync-copy" | grep -q "$l/libsdxi.so.1"
}

tools_run() {	# DEST PREFIX
	"$1$2/bin/sdxi-perf" --help >/dev/null &&
		"$1$2/bin/sdxictl" --version | grep -qx "sdxictl $version"
}

# dkms.conf names the VERSION file's version and the tree holds every
# source of sdxi.ko's objects in Kbuild, and no test module's source.
dkms_tree() {	# DEST
	local t=$1/usr/src/sdxi-$version o
	grep -qx "PACKAGE_VERSION=\"$version\"" "$t/dkms.conf" || return 1
	for o in $(sed -n '/^sdxi-y/,/^$/p' "$t/kernel/Kbuild" | tr ' \\' '\n\n' | grep '\.o$'); do
		[ -e "$t/kernel/${o%.o}.c" ] || { echo "missing ${o%.o}.c"; return 1; }
	done
	[ ! -e "$t/kernel/tests" ]
}

# The rule of uapi.rst: group sdxi, mode 0660, and it creates nothing.
udev_rule() {	# DEST
	local r=$1/usr/lib/udev/rules.d/60-sdxi.rules
	grep -qx 'SUBSYSTEM=="sdxi", KERNEL=="sdxi\[0-9\]\*", GROUP="sdxi", MODE="0660"' "$r" &&
		! grep -qE 'RUN|PROGRAM' "$r"
}

round() {	# NAME PREFIX LIBDIR [VAR=VALUE...]
	local name=$1 p=$2 l=$3 dest=$tmp/$1
	shift 3
	foreign "$dest.foreign" "$p" "$l"
	foreign "$dest" "$p" "$l"
	out=$(mk "$dest" install PREFIX="$p" "$@"); tap $? "${name}_install" "$out"
	out=$(file_list "$dest" "$p" "$l"); tap $? "${name}_installed_files_are_the_expected_ones" "$out"
	out=$(pkgconfig_build "$dest" "$p" "$l" 2>&1)
	tap $? "${name}_example_builds_with_pkg_config_and_runs" "$out"
	out=$(tools_run "$dest" "$p" 2>&1); tap $? "${name}_installed_tools_run" "$out"
	out=$(dkms_tree "$dest" 2>&1); tap $? "${name}_dkms_tree_is_complete" "$out"
	out=$(udev_rule "$dest" 2>&1); tap $? "${name}_udev_rule_sets_group_sdxi" "$out"
	rm -f "$tmp/sync-copy"
	out=$(mk "$dest" uninstall PREFIX="$p" "$@"); tap $? "${name}_uninstall" "$out"
	out=$(nothing_left "$dest"); tap $? "${name}_uninstall_leaves_only_other_files" "$out"
	out=$(mk "$dest" uninstall PREFIX="$p" "$@"); tap $? "${name}_second_uninstall_is_harmless" "$out"
}

round local /usr/local /usr/local/lib
round debian /usr /usr/lib/x86_64-linux-gnu LIBDIR=/usr/lib/x86_64-linux-gnu
tap_plan
