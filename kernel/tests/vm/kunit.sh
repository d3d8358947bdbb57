# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the driver's KUnit suite sdxi_unit (kernel/tests/kunit.c,
# the cases of kernel/tests/unit_cases.h) against the loaded sdxi.ko, one
# TAP result per case, then the suite's totals.  The host passes
# UNIT_CASES, the number of cases in the table.  Runs after lib.sh; the
# debug kernel's kmemleak scan follows in /init.

KUNIT=/sys/kernel/debug/kunit/sdxi_unit/results

modprobe sdxi && wait_active
tap $? module_loads_function_active
modprobe sdxi_kunit
tap $? kunit_module_loads_and_runs

# One result per case: the parameter lines "ok N name" at the deepest
# level; a failed case gets the suite's messages printed since the
# previous case (the failed expectation and its values).
if [ -r $KUNIT ]; then
	awk '/^ {8}(not )?ok [0-9]+ / {
		if ($1 == "not") { printf "%s", msg; print "F " $4 } else print "P " $3
		msg = ""; next
	}
	/^ {4}# sdxi_unit_run: (EXPECTATION|ASSERTION)/ || (msg != "" && /^ {4}[^ #]/) {
		sub(/^ +/, ""); msg = msg "D " $0 "\n"
	}' $KUNIT >/tmp/kunit.cases
	diag=""
	while read -r kind rest; do
		case $kind in
		D) diag="$diag$rest
" ;;
		P) tap 0 "kunit_$rest"; diag="" ;;
		F) tap 1 "kunit_$rest" "$diag"; diag="" ;;
		esac
	done </tmp/kunit.cases
fi
totals=$(sed -n 's/^# Totals: //p' $KUNIT 2>/dev/null)
[ "$totals" = "pass:$UNIT_CASES fail:0 skip:0 total:$UNIT_CASES" ]
tap $? kunit_totals_all_cases_pass "Totals: ${totals:-none} (want $UNIT_CASES cases)" \
	"$(cat $KUNIT 2>/dev/null | head -n 40)"
echo "# KUnit sdxi_unit $totals"

rmmod sdxi_kunit && rmmod sdxi
tap $? modules_unload
finish
