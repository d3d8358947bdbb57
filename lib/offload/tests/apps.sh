#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Real programs, unmodified, under libsdxi-offload with a forced
# threshold: their output compared byte for byte with a run without the
# library, and the statistics report (shown as diagnostics) must show
# offloaded calls.  POSIX sh: runs on the host and in the test VM.
#
#   apps.sh LIBSDXI-OFFLOAD.SO DEVICE TAP.SH
#
# gzip: a compressor that slides its 32 KiB window with memcpy() for
#   every 32 KiB of input, so a large input makes hundreds of 32 KiB
#   copies; the compressed output is exact, and gunzip must restore it.
# perl: a language runtime copying large strings (copy-on-write broken by
#   a write, substr() of 8 MiB, the x operator): megabyte memcpy() and
#   memmove() calls, the output 32 MiB of computed bytes.
so=$1 dev=$2
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

seq 1 3000000 > "$tmp/input"
under gzip gzip -c "$tmp/input"
rc=$?
tap $rc gzip_runs_under_the_library "$(cat "$tmp/gzip.stats" 2>/dev/null)"
cmp "$tmp/gzip.cpu" "$tmp/gzip.dev"
tap $? gzip_output_identical
gzip -dc < "$tmp/gzip.dev" | cmp - "$tmp/input"
tap $? gzip_output_decompresses_to_the_input
[ "$(offloaded gzip memcpy)" -gt 100 ] && ! grep -q "errors [1-9]" "$tmp/gzip.stats"
tap $? gzip_memcpy_offloaded "$(cat "$tmp/gzip.stats")"
tap_diag "gzip -c (seq 1 3000000, $(wc -c < "$tmp/input") bytes):" "$(cat "$tmp/gzip.stats")"

script='my $s = join("", map { chr(($_ * 131 + ($_ >> 9)) & 255) } 0 .. (1 << 20) - 1) x 16;
my $t = $s; substr($t, 5, 1) = "x"; my $u = substr($t, 1000, 8 << 20);
print $u, $t;'
under perl perl -e "$script"
rc=$?
tap $rc perl_runs_under_the_library "$(cat "$tmp/perl.stats" 2>/dev/null)"
cmp "$tmp/perl.cpu" "$tmp/perl.dev" && [ "$(wc -c < "$tmp/perl.dev")" -eq $((24 << 20)) ]
tap $? perl_output_identical
[ "$(offloaded perl memcpy)" -gt 0 ] && [ "$(offloaded perl memmove)" -gt 0 ] &&
	! grep -q "errors [1-9]" "$tmp/perl.stats"
tap $? perl_memcpy_and_memmove_offloaded "$(cat "$tmp/perl.stats")"
tap_diag "perl (16 MiB string, a copy, an 8 MiB substr, 24 MiB out):" "$(cat "$tmp/perl.stats")"

tap_plan
