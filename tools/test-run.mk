# SPDX-License-Identifier: GPL-2.0-only
#
# The test run itself (tools/run-suites, tools/suite-tap, tools/tap-summary,
# tools/tap.sh, tools/vm/tap-run): make check-test-run feeds them missing,
# truncated, crashed, empty, unregistered and misregistered suites and
# checks each verdict (tools/tests/test-run.sh).

CHECK_SUITES += test-run

.PHONY: check-test-run
check-test-run:
	@$(SUITE_TAP) $(RESULTS)/test-run.tap -- $(TOP)/tools/tests/test-run.sh
