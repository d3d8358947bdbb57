# SPDX-License-Identifier: GPL-2.0
#
# make bench-dmatest: dmatest performance mode (norandom, noverify) on
# our function next to a CPU memcpy loop of the same size in the same VM.
# Not a test: results are TAP diagnostics.  Under TCG the guest CPU is
# emulated (the memcpy loop runs through TCG) while the SDXI engine copies
# natively inside QEMU, so the ratio says nothing about real hardware; the
# numbers are for comparing driver changes run to run.

SIZE=${SIZE:-16384}
BITER=${BITER:-4000}

modprobe sdxi
wait_active
tap $? bench_function_active
for polled in 0 1; do
	for cfg in "1 1" "2 2"; do
		set -- $cfg
		dmatest $polled $BITER $1 $2 3000 norandom=1 noverify=1 \
			test_buf_size=$SIZE >/dev/null
		dmatest_ok $(($1 * $2)) $(($1 * $2 * BITER))
		tap $? "dmatest_perf_polled${polled}_${1}ch_${2}thr"
		sed 's/^\[[ 0-9.]*\] //; s/^/# polled=$polled /' $DT_OUT |
			sed "s/\$polled/$polled/"
		iops=$(sed -n 's/.* failures \([0-9.]*\) iops \([0-9]*\) KB.*/\1 \2/p' $DT_OUT |
			awk '{ i += $1; k += $2 } END { printf "%.0f iops %d KB/s", i, k }')
		echo "# total polled=$polled ${1}ch x ${2}thr ($SIZE B copies): $iops"
	done
done
out=$(memcpy-bench "$SIZE" "$BITER")
tap $? cpu_memcpy_loop
echo "# $out"
rmmod sdxi
finish
