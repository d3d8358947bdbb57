#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Packaging check of libsdxi, as TAP: install into a temporary DESTDIR,
# check what was installed (soname, versioned symbols and nothing else, no
# test hooks, headers, a relocatable pkg-config file, man pages), compile
# the installed headers as C99 -pedantic and as C++ and the encoders'
# header as freestanding code, build the installed examples with their
# Makefile and pkg-config (shared and static) and run them on the software
# device.  Usage: pkg-check.sh BUILD_DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: pkg-check.sh BUILD_DIR}
tmp=$(mktemp -d /tmp/sdxi-pkg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest prefix=/usr/local
libdir=$dest$prefix/lib inc=$dest$prefix/include
examples=$dest$prefix/share/doc/libsdxi/examples
# The .pc file is relocatable: no sysroot games, it finds its own tree.
export PKG_CONFIG_PATH=$libdir/pkgconfig
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
		 "$inc/sdxi/encode.h" "$inc/sdxi/ring.h" \
		 "$inc/sdxi/uapi/sdxi_hw.h" "$inc/sdxi/uapi/sdxi.h" \
		 "$examples/Makefile" "$examples/sync-copy.c" "$examples/async-copies.c" \
		 "$examples/threads-batches.c" "$examples/async-pipeline.c" \
		 "$examples/window-exchange.c"; do
		[ -e "$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(readlink "$libdir/libsdxi.so.1")" = libsdxi.so.1.0.0 ]
}

soname() {
	readelf -d "$libdir/libsdxi.so.1.0.0" | grep -q 'SONAME.*\[libsdxi\.so\.1\]'
}

# Every dynamic symbol is in a node of lib/libsdxi.map (SDXI_1.0 .. SDXI_1.2)
# and is libsdxi's (no engine, no test hooks), and the static library has
# no test hooks either.
symbols() {
	local bad
	bad=$(nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | awk '$2 ~ /[TDB]/ {print $3}' |
		grep -vE '^_*sdxi_[a-z_]+@@SDXI_1\.[012]$')
	[ -z "$bad" ] || { echo "unexpected: $bad"; return 1; }
	bad=$(nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | grep -E 'sdxi_(soft|test)_')
	[ -z "$bad" ] || { echo "test hooks exported: $bad"; return 1; }
	bad=$(nm --defined-only "$libdir/libsdxi.a" | awk '$2 ~ /[TDB]/ {print $3}' |
		grep -E 'sdxi_(soft|test)_')
	[ -z "$bad" ] || { echo "test hooks in libsdxi.a: $bad"; return 1; }
	nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | grep -q 'sdxi_memcpy@@SDXI_1.0' &&
	nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | grep -q 'sdxi_ctx_mode@@SDXI_1.1' &&
	nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | grep -q 'sdxi_mem_export@@SDXI_1.2'
}

# Every exported function has a man page (grouped pages are .so links).
man_pages() {
	local missing=0 f
	for f in $(nm -D --defined-only "$libdir/libsdxi.so.1.0.0" | awk '$2=="T"{print $3}' |
		   sed 's/@.*//' | grep -v '^__'); do
		[ -e "$dest$prefix/share/man/man3/$f.3" ] || { echo "no man page: $f"; missing=1; }
	done
	for f in sdxi_prep_copy sdxi_batch_start sdxi_batch_copy sdxi_batch_submit \
		 sdxi_batch_ticket sdxi_poll sdxi_ctx_policy sdxi_ctx_set_policy; do
		[ -e "$dest$prefix/share/man/man3/$f.3" ] || { echo "no man page: $f"; missing=1; }
	done
	return $missing
}

# The directories of the -I and -L options of pkg-config's output, resolved.
pc_dirs() {	# OPTION...
	pkg-config "$@" sdxi | tr ' ' '\n' | sed -n 's/^-[IL]//p' | xargs -r realpath -m
}

# The ABI copy is libsdxi's own (<sdxi/uapi/*.h>): nothing installed as
# linux/*.h or on a path where <linux/...> would find it, and a program
# using every installed header reads none of the kernel's sdxi headers.
abi_own_name() {
	[ -f "$inc/sdxi/uapi/sdxi_hw.h" ] && [ -f "$inc/sdxi/uapi/sdxi.h" ] || return 1
	[ -z "$(find "$inc" -path '*/linux/*' -print -quit)" ] || { find "$inc" -path '*/linux/*'; return 1; }
	printf '#include <sdxi.h>\n#include <sdxi/uapi/sdxi.h>\n' > "$tmp/abi.c"
	gcc -H -fsyntax-only $(pkg-config --cflags sdxi) "$tmp/abi.c" 2> "$tmp/abi.h.log" || return 1
	! grep 'linux/sdxi' "$tmp/abi.h.log"
}

pc_version() {
	[ "$(pkg-config --modversion sdxi)" = 1.0.0 ] &&
		pc_dirs --cflags | grep -qx "$(realpath -m "$inc")" &&
		! pc_dirs --cflags | grep -q '/libsdxi$' &&
		pc_dirs --libs | grep -qx "$libdir"
}

# The installed tree moved elsewhere: sdxi.pc follows it, with and without
# --define-prefix, and names no absolute path of its own.
pc_relocatable() {
	local moved=$tmp/moved opt
	! grep -qE '^(prefix|libdir|includedir)=/' "$libdir/pkgconfig/sdxi.pc" ||
		{ echo "absolute path in sdxi.pc"; return 1; }
	mkdir -p "$moved" && cp -a "$dest$prefix/." "$moved/" || return 1
	for opt in --cflags "--define-prefix --cflags"; do
		PKG_CONFIG_PATH=$moved/lib/pkgconfig pc_dirs $opt | grep -qx "$moved/include" ||
			{ echo "pkg-config $opt: not in $moved"; return 1; }
	done
	PKG_CONFIG_PATH=$moved/lib/pkgconfig pc_dirs --define-prefix --libs | grep -qx "$moved/lib"
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

# <sdxi/encode.h> alone, as freestanding code: encoders that call nothing.
header_freestanding() {
	cat > "$tmp/enc.c" <<'C'
#include <sdxi/encode.h>
int enc(union sdxi_desc *d, uint64_t dst, uint64_t src, uint64_t len)
{
	static const char imm[4] = "abc";

	return sdxi_prep_copy(d, NULL, dst, src, len) | sdxi_prep_write_imm(d, NULL, dst, imm, 4);
}
C
	gcc -std=c99 -pedantic -O2 -ffreestanding -fno-builtin -Wall -Wextra -Werror \
		-I"$inc" -c "$tmp/enc.c" -o "$tmp/enc.o" || return 1
	[ -z "$(nm -u "$tmp/enc.o")" ] || { nm -u "$tmp/enc.o"; return 1; }
}

header_cxx() {
	cat > "$tmp/h.cc" <<'CXX'
#include <sdxi.h>
#include <sdxi/uapi/sdxi.h>
int main() { union sdxi_desc d; struct sdxi_batch b; (void)b; return sdxi_prep_nop(&d, 0); }
CXX
	g++ -std=c++11 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -c "$tmp/h.cc" \
		-o "$tmp/h.o" || return 1
	! command -v clang++ >/dev/null ||
	clang++ -std=c++17 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags sdxi) \
		-c "$tmp/h.cc" -o "$tmp/h.o"
}

# The installed examples, built with their own Makefile and pkg-config.
build_examples() {
	make -s -C "$examples" CFLAGS="-O2 -Wall -Wextra -Werror"
}

run_example() {
	"$examples/$1" && ldd "$examples/$1" | grep -q "$libdir/libsdxi.so.1"
}

# The software device's engine thread never calls an interposed memcpy():
# the guard exits 3 when it is entered from the thread named "sdxi-soft"
# (first shown to work: a thread of that name calling memcpy() is caught).
memcpy_guard() {
	local guard=$tmp/memcpy-guard.so
	gcc -shared -fPIC -O2 -fno-builtin -fno-tree-loop-distribute-patterns -Wall -Wextra \
		-Werror -o "$guard" "$top/lib/tests/interpose/memcpy-guard.c" || return 1
	cat > "$tmp/named.c" <<'C'
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
static char a[64], b[64];
static void *run(void *x) { (void)x; pthread_setname_np(pthread_self(), "sdxi-soft");
	memcpy(a, b, sizeof(a)); __asm__ __volatile__("" : : "r"(a) : "memory"); return 0; }
int main(void) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_join(t, 0); return 0; }
C
	gcc -O0 -fno-builtin -o "$tmp/named" "$tmp/named.c" -lpthread || return 1
	LD_PRELOAD=$guard "$tmp/named" 2>/dev/null; [ $? -eq 3 ] || { echo "guard inert"; return 1; }
	LD_PRELOAD=$guard "$examples/async-copies" && LD_PRELOAD=$guard "$examples/threads-batches"
}

static_example() {
	gcc -O2 -Wall -Wextra -Werror $(pkg-config --cflags sdxi) -o "$tmp/$1-static" \
		"$examples/$1.c" "$libdir/libsdxi.a" \
		$(pkg-config --libs-only-other --libs-only-l --static sdxi | sed 's/-lsdxi//') \
		-lpthread &&
		"$tmp/$1-static" && ! ldd "$tmp/$1-static" | grep -q libsdxi
}

echo "1..20"
tap "install_lib_to_destdir" make -s -C "$top" install-lib DESTDIR="$dest" PREFIX="$prefix"
tap "installed_files_and_symlinks" installed_files
tap "soname_is_libsdxi_so_1" soname
tap "symbols_versioned_SDXI_1.0_to_1.2_and_nothing_else" symbols
tap "man_pages_for_every_function" man_pages
tap "pkg_config_finds_sdxi_1.0.0" pc_version
tap "pkg_config_file_is_relocatable" pc_relocatable
tap "abi_headers_installed_under_sdxi_not_linux" abi_own_name
tap "installed_headers_compile_c99_pedantic" header_c99
tap "installed_headers_compile_as_cxx" header_cxx
tap "encoder_header_is_freestanding" header_freestanding
tap "installed_examples_build_with_their_makefile" build_examples
tap "example_sync_copy_runs_on_soft_device" run_example sync-copy
tap "example_async_copies_runs_on_soft_device" run_example async-copies
tap "example_threads_batches_runs_on_soft_device" run_example threads-batches
tap "example_async_pipeline_runs_on_soft_device" run_example async-pipeline
tap "example_window_exchange_runs_on_soft_device" run_example window-exchange
tap "example_links_statically_and_runs" static_example threads-batches
tap "engine_thread_never_calls_an_interposed_memcpy" memcpy_guard
tap "no_build_left_in_the_installed_examples" make -s -C "$examples" clean
exit 0
