#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make run: the README's main job.
#
#   tools/sdxi-perf/run.sh OUTDIR      (PERF_BIN, SDXI_KO, DMATEST_KO set)
#
# 1. The VM (tools/vm/run): q35 + IOMMU + our emulated SDXI function;
#    guest.sh loads sdxi.ko, measures the kernel dmaengine path with
#    dmatest at 64 B and 4 KiB, and runs the default sdxi-perf sweep on
#    /dev/sdxi0 through a user-mapped context, with dmatest's figures as
#    references for the comparisons.  Until the driver provides
#    /dev/sdxiN this half stops after dmatest and says so (not a failure).
# 2. The host: the same sweep on the software device, natively.
# 3. Both tables are printed, and one plot draws both runs (device and
#    CPU baseline).
#
# PERF_RUN_ARGS: extra sdxi-perf options for both halves; PERF_VM_DEVICE:
# the node the VM half uses (default /dev/sdxi0).
# Everything is kept in OUTDIR: vm.log (serial console), vm.txt/vm.csv,
# host.txt/host.json/host.csv, sdxi-perf.png (+ .gp, the gnuplot script).
# Exit status: 0 when every half that could run ran and verified.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: run.sh OUTDIR}
: "${PERF_BIN:?}" "${SDXI_KO:?}" "${DMATEST_KO:?}"
args=${PERF_RUN_ARGS:-}
mkdir -p "$out"
rm -f "$out"/vm.* "$out"/host.* "$out"/sdxi-perf.png*
T=$(mktemp -d "${TMPDIR:-/tmp}/sdxi-perf-run.XXXXXX")
trap 'rm -rf "$T"' EXIT
status=0

# The marked section NAME of the guest's console output.
section() { sed -n "/^SDXI-PERF-$1-BEGIN/,/^SDXI-PERF-$1-END/p" "$T/console" | sed '1d;$d'; }

echo "=== make run 1/2: VM (TCG guest CPU, emulated SDXI function), sdxi.ko, ${PERF_VM_DEVICE:-/dev/sdxi0} ==="
{
	printf 'PERF_ARGS="%s"\nPERF_DEV="%s"\n' "$args" "${PERF_VM_DEVICE:-/dev/sdxi0}"
	cat "$top/tools/sdxi-perf/guest.sh"
} >"$T/guest.sh"
start=$SECONDS
vm_rc=0
"$top/tools/vm/run" --quiet --timeout "${VM_TIMEOUT:-300}" --log "$out/vm.log" \
	--file "$SDXI_KO" --file "$DMATEST_KO" --file "$PERF_BIN" --script "$T/guest.sh" \
	>/dev/null 2>"$T/vm.err" || vm_rc=$?
# The guest's console between the start and exit sentinels, without CRs.
tr -d '\r' <"$out/vm.log" | sed -n '/^SDXI-VM-START/,/^SDXI-VM-EXIT/p' >"$T/console"
sed -n 's/^SDXI-PERF-INFO //p' "$T/console" | sed 's/^/  /'
refs=$(sed -n 's/^SDXI-PERF-REFS *//p' "$T/console")
case $vm_rc in
0)
	section TABLE | tee "$out/vm.txt"
	section CSV >"$out/vm.csv"
	echo "VM half: done in $((SECONDS - start)) s (serial log $out/vm.log)"
	;;
3)
	echo
	echo "VM half SKIPPED: $(sed -n 's/^SDXI-PERF-SKIP //p' "$T/console")."
	echo "  The kernel dmaengine figures above were measured; the user-mapped"
	echo "  sweep runs here as soon as sdxi.ko provides /dev/sdxiN (nothing"
	echo "  else to change).  References it would be compared with:${refs:- none}"
	;;
*)
	echo
	echo "VM half FAILED (tools/vm/run exit $vm_rc after $((SECONDS - start)) s; serial log $out/vm.log):"
	section TABLE | tail -n 40
	grep -v '^SDXI-PERF' "$T/console" | tail -n 15 | sed 's/^/  | /'
	sed 's/^/  | /' "$T/vm.err" | tail -n 5
	status=1
	;;
esac

echo
echo "=== make run 2/2: host, software device (native CPU) ==="
plot_add=()
[ -s "$out/vm.csv" ] && plot_add=(--plot-add "VM (TCG guest)=$out/vm.csv")
host_rc=0
# shellcheck disable=SC2086 # PERF_RUN_ARGS is a list of options
"$PERF_BIN" -d soft --compare --quiet $args --json "$out/host.json" --csv "$out/host.csv" \
	--plot "$out/sdxi-perf.png" "${plot_add[@]}" | tee "$out/host.txt" || host_rc=${PIPESTATUS[0]}
[ "$host_rc" = 0 ] || { echo "host half FAILED: sdxi-perf exit $host_rc"; status=1; }

echo
vm_files=""
[ -s "$out/vm.csv" ] && vm_files=", vm.txt, vm.csv"
echo "Results in $out: host.txt, host.json, host.csv$vm_files, vm.log"
[ -s "$out/sdxi-perf.png" ] && echo "Plot: $out/sdxi-perf.png"
exit $status
