#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Packaging check of libsdxi, as TAP: install into a temporary DESTDIR,
# check what was installed (soname, versioned symbols, headers, pkg-config
# file, man pages), compile the installed headers as C99 -pedantic and as
# C++, build the examples with pkg-config (shared and static) and run them
# on the software device.  Usage: pkg-check.sh BUILD_DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: pkg-check.sh BUILD_DIR}
tmp=$(mktemp -d /tmp/sdxi-pkg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest prefix=/usr/local
libdir=$dest$prefix/lib inc=$dest$prefix/include
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
export SDXI_DEVICE=soft LD_LIBRARY_PATH=$libdir

n=0 failed=0
tap() {	# tap NAME COMMAND...: one TAP line, output as diagnostics on failure
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		failed=$((failed + 1))
		printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
	fi
}

installed_files() {
	for f in "$libdir/libsdxi.so.1.0.0" "$libdir/libsdxi.so.1" "$libdir/libsdxi.so" \
		 "$libdir/libsdxi.a" "$libdir/pkgconfig/sdxi.pc" "$inc/sdxi.h" \
		 "$inc/libsdxi/linux/sdxi_hw.h" "$inc/libsdxi/linux/sdxi.h"; do
		[ -e "$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(readlink "$libdir/libsdxi.so.1")" = libsdxi.so.1.0.0 ]
}

soname() {
	readelf -d "$libdir/libsdxi.so.1.0.0" | grep -q 'SONAME.*\[libsdxi\.so\.1\]'
}

# Every dynamic symbol is in node SDXI_1.0 and is libsdxi's (no engine, no test hooks).
symbols() {
	local bad
	bad=$(nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | awk '$2 ~ /[TDB]/ {print $3}' |
		grep -vE '^_*sdxi_[a-z_]+@@SDXI_1\.0$')
	[ -z "$bad" ] || { echo "unexpected: $bad"; return 1; }
	nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | grep -q 'sdxi_memcpy@@SDXI_1.0'
}

# Every exported function has a man page (grouped pages are .so links).
man_pages() {
	local missing=0 f
	for f in $(nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | awk '$2=="T"{print $3}' |
		   sed 's/@.*//' | grep -v '^__'); do
		[ -e "$dest$prefix/share/man/man3/$f.3" ] || { echo "no man page: $f"; missing=1; }
	done
	for f in sdxi_prep_copy sdxi_batch_start sdxi_batch_copy sdxi_batch_submit sdxi_poll; do
		[ -e "$dest$prefix/share/man/man3/$f.3" ] || { echo "no man page: $f"; missing=1; }
	done
	return $missing
}

pc_version() {
	[ "$(pkg-config --modversion sdxi)" = 1.0.0 ] &&
		pkg-config --cflags sdxi | grep -q -- "-I$inc/libsdxi"
}

header_c99() {
	printf '#include <sdxi.h>\nint main(void){union sdxi_desc d; return sdxi_prep_nop(&d, 0);}\n' \
		> "$tmp/h.c"
	gcc -std=c99 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -c "$tmp/h.c" \
		-o "$tmp/h.o" || return 1
	# clang too when it is installed (it is not a dependency of the build).
	! command -v clang >/dev/null ||
	clang -std=c99 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -c "$tmp/h.c" \
		-o "$tmp/h.o"
}

header_cxx() {
	cat > "$tmp/h.cc" <<'CXX'
#include <sdxi.h>
#include <linux/sdxi.h>
int main() { union sdxi_desc d; struct sdxi_batch b; (void)b; return sdxi_prep_nop(&d, 0); }
CXX
	g++ -std=c++11 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -c "$tmp/h.cc" \
		-o "$tmp/h.o" || return 1
	! command -v clang++ >/dev/null ||
	clang++ -std=c++17 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags sdxi) \
		-c "$tmp/h.cc" -o "$tmp/h.o"
}

build_example() {	# NAME [static]
	if [ "${2:-}" = static ]; then
		gcc -O2 -Wall -Wextra -Werror $(pkg-config --cflags sdxi) \
			-o "$tmp/$1-static" "$top/lib/examples/$1.c" \
			"$libdir/libsdxi.a" $(pkg-config --libs-only-other --libs-only-l --static sdxi |
			sed 's/-lsdxi//')
	else
		gcc -O2 -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -o "$tmp/$1" \
			"$top/lib/examples/$1.c" $(pkg-config --libs sdxi)
	fi
}

run_example() {
	"$tmp/$1" && ldd "$tmp/$1" | grep -q "$libdir/libsdxi.so.1"
}

echo "1..13"
tap "install_lib_to_destdir" make -s -C "$top" install-lib DESTDIR="$dest" PREFIX="$prefix"
tap "installed_files_and_symlinks" installed_files
tap "soname_is_libsdxi_so_1" soname
tap "symbols_versioned_SDXI_1.0_and_nothing_else" symbols
tap "man_pages_for_every_function" man_pages
tap "pkg_config_finds_sdxi_1.0.0" pc_version
tap "installed_headers_compile_c99_pedantic" header_c99
tap "installed_headers_compile_as_cxx" header_cxx
tap "example_sync_copy_builds_with_pkg_config" build_example sync-copy
tap "example_async_pipeline_builds_with_pkg_config" build_example async-pipeline
tap "example_sync_copy_runs_on_soft_device" run_example sync-copy
tap "example_async_pipeline_runs_on_soft_device" run_example async-pipeline
static_example() {
	build_example async-pipeline static && "$tmp/async-pipeline-static" &&
		! ldd "$tmp/async-pipeline-static" | grep -q libsdxi
}
tap "example_links_statically_and_runs" static_example
exit 0
