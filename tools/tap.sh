# SPDX-License-Identifier: GPL-2.0-only
#
# The one way shell tests print TAP, on the host (bash) and in the test VM
# (busybox sh, as /usr/share/sdxi/tap.sh).  Sourced, not executed.
#
#   tap STATUS NAME [DIAG...]  one result: "ok N - NAME" when STATUS is 0
#                              (a shell status: tap $? name), else
#                              "not ok N - NAME" followed by each DIAG
#                              (which may span lines) as "# " lines
#   tap_skip NAME REASON       "ok N - NAME # SKIP REASON"
#   tap_diag TEXT...           each TEXT (which may span lines) as "# " lines
#   tap_merge PROGRAM [ARG...] run a TAP program (a kselftest) and renumber
#                              its results into this stream.  A program
#                              that skips as a whole ("1..0 # SKIP why")
#                              gives one SKIP result; one that printed
#                              fewer results than its plan, or none, or
#                              died of a signal gives one failing result
#                              PROGRAM_ran_to_completion
#   tap_plan                   "1..N", printed last
#
# TAP_N counts the results so far and TAP_FAILED the failures.  Names are
# words (no spaces); a result's number is its position in the stream.

TAP_N=0
TAP_FAILED=0

tap_diag() {
	for _tap_d in "$@"; do
		[ -n "$_tap_d" ] && printf '%s\n' "$_tap_d" | sed 's/^/# /'
	done
	return 0
}

tap() {
	_tap_rc=$1 _tap_name=$2
	shift 2
	TAP_N=$((TAP_N + 1))
	if [ "$_tap_rc" = 0 ]; then
		echo "ok $TAP_N - $_tap_name"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $_tap_name"
		tap_diag "$@"
	fi
	return 0
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

tap_merge() {
	_tap_out=${TMPDIR:-/tmp}/tap-merge.$$
	"$@" >"$_tap_out" 2>&1
	_tap_rc=$?
	# Results renumbered, diagnostics kept; counts and the plan to $out.
	awk -v base="$TAP_N" -v out="$_tap_out.n" '
		/^1\.\.[0-9]+/ { plan = $1; sub(/^1\.\./, "", plan); line = $0 }
		/^ok [0-9]+ / { $2 = ++n + base; print; next }
		/^not ok [0-9]+ / { $3 = ++n + base; f++; print; next }
		/^#/ { print }
		END {
			skip = ""
			if (plan == "0" && match(line, /# *SKIP/))
				skip = substr(line, RSTART + RLENGTH)
			print n + 0, f + 0, (plan == "" ? -1 : plan), skip > out
		}' "$_tap_out"
	read -r _tap_n _tap_f _tap_plan _tap_skip <"$_tap_out.n"
	rm -f "$_tap_out" "$_tap_out.n"
	TAP_N=$((TAP_N + _tap_n))
	TAP_FAILED=$((TAP_FAILED + _tap_f))
	_tap_name=$(basename "$1")
	if [ "$_tap_plan" = 0 ] && [ "$_tap_n" = 0 ] && [ "$_tap_rc" -lt 128 ]; then
		tap_skip "$_tap_name" "${_tap_skip:-the program skipped without a reason}"
	elif [ "$_tap_rc" -ge 128 ] || [ "$_tap_n" = 0 ] ||
		{ [ "$_tap_plan" != -1 ] && [ "$_tap_plan" != "$_tap_n" ]; }; then
		[ "$_tap_plan" = -1 ] && _tap_plan=none
		tap 1 "${_tap_name}_ran_to_completion" \
			"plan $_tap_plan, $_tap_n results, exit status $_tap_rc"
	fi
	return 0
}

tap_plan() {
	echo "1..$TAP_N"
}
