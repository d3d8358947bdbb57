#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Real programs, unmodified, under libsdxi-offload with a forced
# threshold: their output compared byte for byte with a run without the
# library, and the statistics report (shown as diagnostics) must show
# offloaded calls.  POSIX sh: runs on the host and in the test VM.
#
#   apps.sh LIBSDXI-OFFLOAD.SO DEVICE TAP.SH [LINES [MIB]]
#
# LINES (default 3000000) is gzip's input, seq 1 LINES; MIB (default 16,
# even) perl's string.  The programs are Debian's, by absolute path (the
# test VM also has busybox's gzip).
#
# gzip: a compressor that slides its 32 KiB window with memcpy() for
#   every 32 KiB of input, so a large input makes hundreds of 32 KiB
#   copies; the compressed output is exact, and gunzip must restore it.
# perl: a language runtime copying large strings (copy-on-write broken by
#   a write, substr() of half of it, the x operator): megabyte memcpy()
#   and memmove() calls, the output 24 MiB of computed bytes.
so=$1 dev=$2 lines=${4:-3000000} mib=${5:-16}
. "$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset SDXI_OFFLOAD SDXI_OFFLOAD_FUNCS SDXI_OFFLOAD_CONTEXT

# under NAME PROGRAM ARGS: run with the library (16 KiB threshold) into
# $tmp/NAME.dev, stats in $tmp/NAME.stats; plain into $tmp/NAME.cpu.
under() {
	name=$1
	shift
	"$@" > "$tmp/$name.cpu" || return 1
	SDXI_OFFLOAD_DEVICE=$dev SDXI_OFFLOAD_MIN=16k SDXI_OFFLOAD_STATS=1 LD_PRELOAD=$so \
		"$@" > "$tmp/$name.dev" 2> "$tmp/$name.stats"
}

# offloaded NAME FUNCTION: calls of FUNCTION the device did.
offloaded() {
	awk -v f="$2" '$2 == f && $4 == "device" { n += $5 } END { print n + 0 }' "$tmp/$1.stats"
}

seq 1 "$lines" > "$tmp/input"
under gzip /usr/bin/gzip -c "$tmp/input"
rc=$?
tap $rc gzip_runs_under_the_library "$(cat "$tmp/gzip.stats" 2>/dev/null)"
cmp "$tmp/gzip.cpu" "$tmp/gzip.dev"
tap $? gzip_output_identical
/usr/bin/gzip -dc < "$tmp/gzip.dev" | cmp - "$tmp/input"
tap $? gzip_output_decompresses_to_the_input
# One 32 KiB slide per 32 KiB of input, less the first window.
[ "$(offloaded gzip memcpy)" -ge $(($(wc -c < "$tmp/input") / 65536)) ] &&
	! grep -q "errors [1-9]" "$tmp/gzip.stats"
tap $? gzip_memcpy_offloaded "$(cat "$tmp/gzip.stats")"
tap_diag "gzip -c (seq 1 $lines, $(wc -c < "$tmp/input") bytes):" "$(cat "$tmp/gzip.stats")"

script='my $m = shift; my $s = join("", map { chr(($_ * 131 + ($_ >> 9)) & 255) } 0 .. (1 << 20) - 1) x $m;
my $t = $s; substr($t, 5, 1) = "x"; my $u = substr($t, 1000, ($m / 2) << 20);
print $u, $t;'
under perl /usr/bin/perl -e "$script" "$mib"
rc=$?
tap $rc perl_runs_under_the_library "$(cat "$tmp/perl.stats" 2>/dev/null)"
cmp "$tmp/perl.cpu" "$tmp/perl.dev" && [ "$(wc -c < "$tmp/perl.dev")" -eq $((mib * 3 / 2 << 20)) ]
tap $? perl_output_identical
# perl copies with memcpy() or memmove() (its Copy and Move) as it sees fit.
[ $(($(offloaded perl memcpy) + $(offloaded perl memmove))) -ge 2 ] &&
	! grep -q "errors [1-9]" "$tmp/perl.stats"
tap $? perl_large_copies_offloaded "$(cat "$tmp/perl.stats")"
tap_diag "perl ($mib MiB string, a copy, a substr of half, $((mib * 3 / 2)) MiB out):" \
	"$(cat "$tmp/perl.stats")"

tap_plan
