#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Idempotent host setup for sdxi (make deps): apt sources, Debian packages,
# and the guest kernel extracted (not installed) into the cache.
#
# Adds bookworm-backports (Linux 6.12, meson >= 1.5, python3-pycotap) when
# missing; packages from newer suites (QEMU's source) come through
# tools/apt-private, never through the host's apt sources.  Fails with one
# clear line when it cannot: not root, not Debian 12, archive unreachable.
set -eu

. "$(dirname "$0")/lib.sh"

die() { echo "deps: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install); try: sudo make deps"
grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null ||
	die "this setup targets Debian 12 (bookworm); /etc/os-release says otherwise"

stamp="$SDXI_CACHE/deps.stamp"
want="$(sha256sum "$0" | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -e "$SDXI_GUEST/vmlinuz" ]; then
	exit 0
fi

# Our sources file holds bookworm-backports only.  A file of ours with
# anything else in it (a trixie deb-src entry, from older setups) is
# rewritten; a file someone else wrote under this name is left alone.
src=/etc/apt/sources.list.d/sdxi.sources
src_text='# Added by sdxi tools/deps.sh
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
if [ ! -f "$src" ] || { [ "$(head -n1 "$src")" = "# Added by sdxi tools/deps.sh" ] &&
	[ "$(cat "$src")" != "$src_text" ]; }; then
	printf '%s\n' "$src_text" >"$src"
fi

echo "deps: apt-get update"
apt-get update -q >"$SDXI_CACHE/apt-update.log" 2>&1 ||
	die "apt-get update failed (no route to the Debian archive?); see $SDXI_CACHE/apt-update.log"
grep -q 'bookworm-backports' "$SDXI_CACHE/apt-update.log" ||
	die "bookworm-backports is not reachable; see $SDXI_CACHE/apt-update.log"

# The guest kernel: newest 6.12 in bookworm-backports.
kver=$(apt-cache depends linux-headers-amd64/bookworm-backports 2>/dev/null |
	sed -n 's/.*Depends: linux-headers-\(6\.12[^ ]*-amd64\)$/\1/p' | head -n1)
[ -n "$kver" ] || die "no linux-headers-6.12 in bookworm-backports"

base_pkgs="build-essential pkgconf git bc cpio busybox-static kmod rsync xz-utils
	dpkg-dev ninja-build python3-venv libglib2.0-dev zlib1g-dev flex bison
	libfdt-dev bzip2 qemu-system-data seabios liburcu-dev sparse gnuplot-nox
	valgrind libelf-dev pciutils groff-base python3-docutils
	debhelper dh-dkms dkms fakeroot lintian debootstrap"
bpo_pkgs="linux-headers-$kver linux-source-6.12 meson python3-pycotap"

echo "deps: installing packages (guest kernel $kver)"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $base_pkgs >"$SDXI_CACHE/apt-install.log" 2>&1 ||
	die "apt-get install failed; see $SDXI_CACHE/apt-install.log"
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends -t bookworm-backports $bpo_pkgs \
	>>"$SDXI_CACHE/apt-install.log" 2>&1 ||
	die "apt-get install from bookworm-backports failed; see $SDXI_CACHE/apt-install.log"

# Guest kernel image: downloaded and unpacked, never installed on the host.
if [ ! -e "$SDXI_GUEST/vmlinuz" ] || [ "$(cat "$SDXI_GUEST/kver" 2>/dev/null)" != "$kver" ]; then
	echo "deps: fetching linux-image-$kver"
	rm -rf "$SDXI_GUEST"
	mkdir -p "$SDXI_GUEST/deb"
	(cd "$SDXI_GUEST/deb" && apt-get download -q "linux-image-$kver-unsigned" \
		>"$SDXI_CACHE/apt-download.log" 2>&1) ||
		die "cannot download linux-image-$kver-unsigned; see $SDXI_CACHE/apt-download.log"
	dpkg-deb -x "$SDXI_GUEST"/deb/*.deb "$SDXI_GUEST/root"
	ln -s "root/boot/vmlinuz-$kver" "$SDXI_GUEST/vmlinuz"
	echo "$kver" > "$SDXI_GUEST/kver"
fi

# Kernel source tree pieces used at test time (kselftest_harness.h,
# checkpatch.pl, dmatest.c): unpacked once from linux-source-6.12.
ksrc_tar=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -n1)
[ -n "$ksrc_tar" ] || die "linux-source-6.12 tarball missing under /usr/src"
if [ ! -e "$SDXI_KSRC/.unpacked" ] || [ "$(cat "$SDXI_KSRC/.unpacked")" != "$ksrc_tar" ]; then
	echo "deps: unpacking $ksrc_tar"
	rm -rf "$SDXI_KSRC"
	mkdir -p "$SDXI_KSRC"
	tar -xJf "$ksrc_tar" -C "$SDXI_KSRC" --strip-components=1
	echo "$ksrc_tar" > "$SDXI_KSRC/.unpacked"
fi

echo "$want" > "$stamp"
echo "deps: ok (guest kernel $kver)"
