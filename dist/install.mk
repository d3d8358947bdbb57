# SPDX-License-Identifier: GPL-2.0-only
#
# Installing the stack (Documentation/install.rst): make install puts
# everything a machine needs where the system looks for it; make uninstall
# removes exactly that.
#
#   make install     the library (install-lib: lib/lib.mk), sdxi-perf and
#                    sdxictl with their man pages, the udev rule and the
#                    driver's DKMS source tree
#   make uninstall   remove what make install installs with the same
#                    variables, and the directories of ours it leaves empty
#   make check-install  TAP: install into a scratch DESTDIR, check the file
#                    list, build an example against the installed tree with
#                    pkg-config and run it, uninstall, nothing left
#
#   PREFIX (/usr/local), DESTDIR, LIBDIR, INCLUDEDIR, MANDIR, DOCDIR as for
#   install-lib; BINDIR ($(PREFIX)/bin); UDEVRULESDIR
#   (/usr/lib/udev/rules.d) and DKMSDIR (/usr/src): where udev and dkms
#   look, whatever the prefix
#
# The version of the stack (packages, DKMS tree, sdxictl --version) is the
# file VERSION; the library's own version (its ABI) is lib/lib.mk's.

SDXI_VERSION := $(shell cat $(TOP)/VERSION)
BINDIR ?= $(PREFIX)/bin
UDEVRULESDIR ?= /usr/lib/udev/rules.d
DKMSDIR ?= /usr/src
DKMS_TREE := $(DKMSDIR)/sdxi-$(SDXI_VERSION)
# The driver's sources and Kbuild: the files kernel/kernel.mk builds from,
# less its tests.
DKMS_KSRC := $(wildcard kernel/*.c kernel/*.h) kernel/Kbuild
# Run by dkms.conf's MAKE: the dmaengine headers of the target kernel.
DKMS_KSCRIPTS := kernel/dmaengine-headers
DIST_B := $(B)/dist

.PHONY: install-tools install-udev install-dkms uninstall check-install
install: install-tools install-udev install-dkms

install-tools: $(PERF_BIN) $(SDXICTL_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(PERF_BIN) $(DESTDIR)$(BINDIR)/sdxi-perf
	install -m 644 tools/sdxi-perf/sdxi-perf.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 755 $(SDXICTL_BIN) $(DESTDIR)$(BINDIR)/sdxictl
	install -m 644 tools/sdxictl/sdxictl.8 $(DESTDIR)$(MANDIR)/man8/

install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 644 dist/60-sdxi.rules $(DESTDIR)$(UDEVRULESDIR)/

install-dkms:
	install -d $(DESTDIR)$(DKMS_TREE)/kernel $(DESTDIR)$(DKMS_TREE)/uapi/linux \
		$(DESTDIR)$(DKMS_TREE)/include/sdxi
	install -m 644 $(DKMS_KSRC) $(DESTDIR)$(DKMS_TREE)/kernel/
	install -m 755 $(DKMS_KSCRIPTS) $(DESTDIR)$(DKMS_TREE)/kernel/
	install -m 644 uapi/linux/sdxi_hw.h uapi/linux/sdxi.h $(DESTDIR)$(DKMS_TREE)/uapi/linux/
	install -m 644 include/sdxi/function.h include/sdxi/encode.h $(DESTDIR)$(DKMS_TREE)/include/sdxi/
	sed 's|@VERSION@|$(SDXI_VERSION)|' dist/dkms.conf.in > $(DESTDIR)$(DKMS_TREE)/dkms.conf
	chmod 644 $(DESTDIR)$(DKMS_TREE)/dkms.conf

# The list of what to remove is what make install writes into a scratch
# tree with the same variables: one definition of the installed files.
# Directories go only when empty and named for us (sdxi in the path
# below the prefix), so shared ones (bin, man1, pkgconfig) stay.
uninstall:
	@rm -rf $(DIST_B)/uninstall
	@$(MAKE) --no-print-directory -s install DESTDIR=$(DIST_B)/uninstall >/dev/null
	@cd $(DIST_B)/uninstall && find . ! -type d | sed 's|^\.||' | while read -r f; do \
		rm -f "$(DESTDIR)$$f" && echo "removed $(DESTDIR)$$f"; done
	@cd $(DIST_B)/uninstall && find . -depth -type d -path '*sdxi*' | sed 's|^\.||' | \
		while read -r d; do [ ! -d "$(DESTDIR)$$d" ] || \
		rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; done
	@rm -rf $(DIST_B)/uninstall

CHECK_SUITES += install

check-install: lib $(PERF_BIN) $(SDXICTL_BIN)
	@$(SUITE_TAP) $(RESULTS)/install.tap -- $(TOP)/dist/tests/install-check.sh
