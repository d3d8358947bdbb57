# SPDX-License-Identifier: GPL-2.0-only
#
# Debian packages (debian/), built from a copy of the tree by
# dpkg-buildpackage with debhelper and dh-dkms:
#
#   make deb         $(B)/deb/*.deb: sdxi-dkms, libsdxi1, libsdxi-dev,
#                    libsdxi-offload, sdxi-tools; lintian's report in
#                    $(B)/deb/lintian.txt
#   make check-deb   TAP: the five packages, lintian without errors, their
#                    dependencies, symbols and contents, and an example
#                    built against the unpacked libsdxi-dev with pkg-config
#   make check-fresh-root  TAP (check-full): the packages installed with
#                    apt-get on a fresh debootstrap root, DKMS building the
#                    module there, which then boots in the test VM
#
# The version is the file VERSION: debian/changelog is written into the
# copy from it (a native package).  The copy holds the tree's files (git
# ls-files, tracked and untracked, less the ignored ones).

DEB_B := $(B)/deb
DEB_SRC := $(DEB_B)/sdxi-$(SDXI_VERSION)
DEB_MAINT := $(shell sed -n 's/^Maintainer: //p' debian/control)

CHECK_SUITES += deb

.PHONY: deb check-deb
deb:
	@rm -rf $(DEB_B)
	@mkdir -p $(DEB_SRC)
	@cd $(TOP) && git ls-files --cached --others --exclude-standard | \
		rsync -a --ignore-missing-args --files-from=- ./ $(DEB_SRC)/
	@printf '%s\n' "sdxi ($(SDXI_VERSION)) unstable; urgency=medium" "" \
		"  * Built from the sdxi tree at $$(git -C $(TOP) describe --always --dirty)." "" \
		" -- $(DEB_MAINT)  $$(date -R)" >$(DEB_SRC)/debian/changelog
	@cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -us -uc -b >$(DEB_B)/build.log 2>&1 || \
		{ tail -n 40 $(DEB_B)/build.log; echo "make deb: see $(DEB_B)/build.log"; exit 1; }
	@lintian --tag-display-limit 0 $(DEB_B)/sdxi_$(SDXI_VERSION)_*.changes \
		>$(DEB_B)/lintian.txt 2>&1 || true
	@cd $(DEB_B) && ls *.deb

check-deb:
	@$(SUITE_TAP) $(RESULTS)/deb.tap -- $(TOP)/dist/tests/deb-check.sh $(DEB_B)

# The packages on a fresh Debian 12 root (dist/tests/fresh-root.sh): a
# long profile, it downloads a whole system from the archive.
FULL_SUITES += fresh-root

.PHONY: check-fresh-root
check-fresh-root: $(KSFT_B)/user_functional $(SDXICTL_BIN)
	@$(SUITE_TAP) $(RESULTS)/fresh-root.tap -- $(TOP)/dist/tests/fresh-root.sh \
		$(B)/fresh-root $(KVER)
