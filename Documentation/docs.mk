# SPDX-License-Identifier: GPL-2.0-only
#
# make check-docs: every Documentation/*.rst parses without a docutils
# warning, and no tracked file holds a merge conflict marker
# (tools/docs-check).

CHECK_SUITES += docs

.PHONY: check-docs
check-docs:
	@$(SUITE_TAP) $(RESULTS)/docs.tap -- $(TOP)/tools/docs-check $(TOP)
