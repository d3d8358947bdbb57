#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The documentation's code cannot rot: every C block of
# Documentation/library.rst (".. code-block:: c") and of README.md
# ("```c"), and every example of the man pages (.EX/.EE in EXAMPLES), is
# compiled against the tree's headers; a block with main() is linked with
# build/lib/libsdxi.a and run on the software device.  A fragment is
# compiled as a translation unit, so fragments are written as whole
# functions.  C outside such blocks (a "::" literal block calling sdxi_*)
# is refused, and every man page must format with groff without a
# warning.  TAP on stdout.  Usage: doc-check.sh BUILD_DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: doc-check.sh BUILD_DIR}
tmp=$(mktemp -d /tmp/sdxi-doc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SDXI_DEVICE=soft
CFLAGS="-std=c11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -I$top/lib/include -I$top/uapi"
LIBS="$build/libsdxi.a -lurcu-memb -lurcu-common -lpthread"

n=0 failed=0 results=()
result() {	# result OK|FAIL NAME [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		results+=("ok $n - $2")
	else
		failed=$((failed + 1))
		results+=("not ok $n - $2")
		[ -n "${3:-}" ] && while IFS= read -r l; do results+=("# $l"); done <<< "$3"
	fi
}

# Blocks of a file, one per output file $tmp/<tag>.<line>.c (line: where
# the block starts).  rst: ".. code-block:: c" then an indented block.
extract_rst() {	# FILE TAG
	awk -v out="$tmp/$2" '
		/^\.\. code-block:: c$/ { want = 1; start = NR + 1; next }
		want && /^$/ && !inb { next }
		want && /^   / { inb = 1; f = out "." start ".c"; sub(/^   /, ""); print > f; next }
		want && /^$/ && inb { print "" > f; next }
		want && inb { close(f); want = 0; inb = 0 }
	' "$1"
}

extract_md() {	# FILE TAG
	awk -v out="$tmp/$2" '
		/^```c$/ { inb = 1; f = out "." NR + 1 ".c"; next }
		/^```/ && inb { close(f); inb = 0; next }
		inb { print > f }
	' "$1"
}

# Man pages: .EX ... .EE inside .SH EXAMPLES, man escapes undone.
extract_man() {	# FILE TAG
	awk -v out="$tmp/$2" '
		/^\.SH / { ex = ($0 ~ /^\.SH EXAMPLES/) }
		ex && /^\.EX/ { inb = 1; f = out "." NR + 1 ".c"; next }
		ex && /^\.EE/ { close(f); inb = 0; next }
		inb {
			gsub(/\\-/, "-"); gsub(/\\\(aq/, "\x27"); gsub(/\\\(dq/, "\"");
			gsub(/\\e/, "\\");
			print > f
		}
	' "$1"
}

check_block() {	# FILE.c LABEL
	local src=$1 label=$2 out
	if grep -q 'int main(' "$src"; then
		if ! out=$(gcc $CFLAGS -o "${src%.c}" "$src" $LIBS 2>&1); then
			result FAIL "$label builds" "$out"
		elif ! out=$(cd "$tmp" && timeout 120 "${src%.c}" 2>&1); then
			result FAIL "$label runs on the software device" "$out"
		else
			result OK "$label builds and runs on the software device"
		fi
	elif out=$(gcc $CFLAGS -Wno-unused-function -c -o "${src%.c}.o" "$src" 2>&1); then
		result OK "$label compiles"
	else
		result FAIL "$label compiles" "$out"
	fi
}

check_file() {	# PATH KIND MIN
	local path=$1 kind=$2 min=$3 tag count=0 f line
	tag=$(basename "$path" | tr '.' '_')
	"extract_$kind" "$path" "$tag"
	for f in "$tmp/$tag".*.c; do
		[ -e "$f" ] || continue
		line=${f#"$tmp/$tag."}
		line=${line%.c}
		check_block "$f" "${path#"$top/"}:$line"
		count=$((count + 1))
	done
	if [ "$count" -ge "$min" ]; then
		result OK "${path#"$top/"}: $count C blocks found (at least $min)"
	else
		result FAIL "${path#"$top/"}: $count C blocks found, expected at least $min"
	fi
}

check_file "$top/Documentation/library.rst" rst 5
check_file "$top/README.md" md 1
for page in "$top"/lib/man/*.3; do
	if grep -q '^\.SH EXAMPLES' "$page"; then
		check_file "$page" man 1
	fi
done

# C only in checked blocks: a "::" literal block that calls sdxi_*() is not.
stray=$(awk '
	/::$/ && !/^\.\. / { lit = 1; next }
	lit && /^$/ { next }
	lit && /^   / { if ($0 ~ /sdxi_[a-z_]*\(/) print FILENAME ":" NR ": " $0; next }
	{ lit = 0 }
' "$top/Documentation/library.rst")
if [ -z "$stray" ]; then
	result OK "library.rst: no C outside code-block:: c"
else
	result FAIL "library.rst: no C outside code-block:: c" "$stray"
fi

# Every man page formats without a warning (.so pages: their target exists).
for page in "$top"/lib/man/*.3; do
	name=${page#"$top/"}
	so=$(sed -n 's/^\.so man3\///p' "$page")
	if [ -n "$so" ]; then
		if [ -e "$top/lib/man/$so" ]; then
			result OK "$name links to an existing page"
		else
			result FAIL "$name links to $so, which does not exist"
		fi
	elif out=$(groff -man -ww -z -Tutf8 "$page" 2>&1) && [ -z "$out" ]; then
		result OK "$name formats without warnings"
	else
		result FAIL "$name formats without warnings" "$out"
	fi
done

echo "1..$n"
printf '%s\n' "${results[@]}"
exit 0
