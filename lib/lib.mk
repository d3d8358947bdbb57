# SPDX-License-Identifier: MIT
#
# libsdxi: the shared and static library, its tests (host, software
# device; plain and ASan+UBSan), the packaging check (install to a
# temporary DESTDIR, build the examples with pkg-config, run them) and the
# benchmark.
#
#   make check-lib        TAP: the library suite on $SDXI_DEVICE (default soft)
#   make check-lib-san    the same suite built with ASan + UBSan
#   make check-lib-pkg    TAP: install, headers, pkg-config, examples
#   make check-lib-docs   TAP: every C block of library.rst, README.md and the
#                         man pages compiled (programs run), man pages lint clean
#   make bench-lib        callgrind instructions per descriptor, memcpy ns/op
#   make install-lib      PREFIX (/usr/local), DESTDIR, LIBDIR, INCLUDEDIR, MANDIR,
#                         DOCDIR (the examples go to DOCDIR/examples)
#
# The test binary links libsdxi.a statically, so the same file runs in the
# VM against /dev/sdxi0 (SDXI_DEVICE=/dev/sdxi0).

LIB_B := $(B)/lib
LIB_VERSION := 1.0.0
LIB_SONAME := libsdxi.so.1
# soft_test.c: the test hooks of lib/src/sdxi_test.h, only in libsdxi-test.a.
LIB_HOOKS_SRC := lib/src/soft_test.c
LIB_SRC := $(filter-out $(LIB_HOOKS_SRC),$(wildcard lib/src/*.c))
LIB_HDR := lib/include/sdxi.h $(wildcard lib/include/sdxi/*.h) $(wildcard lib/src/*.h) uapi/linux/sdxi_hw.h \
	uapi/linux/sdxi.h include/sdxi/function.h lib/engine/sdxie.h
LIB_TEST_SRC := $(wildcard lib/tests/*.c) lib/testing/tap.c
LIB_MAN := $(wildcard lib/man/*.3)
URCU_CFLAGS := $(shell pkg-config --cflags liburcu-memb 2>/dev/null)
URCU_LIBS := $(or $(shell pkg-config --libs liburcu-memb 2>/dev/null),-lurcu-memb -lurcu-common)
LIB_CFLAGS := $(HOST_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src $(URCU_CFLAGS) \
	-fPIC -fvisibility=hidden
LIB_OBJ := $(patsubst lib/src/%.c,$(LIB_B)/obj/%.o,$(LIB_SRC)) \
	$(patsubst lib/engine/%.c,$(LIB_B)/obj/engine-%.o,$(ENGINE_SRC))

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/libsdxi
LIB_EXAMPLESDIR := $(DOCDIR)/examples
LIB_EXAMPLES := lib/examples/Makefile $(wildcard lib/examples/*.c)

# The software device's objects (the engine core and soft*.c) call the
# library's own memcpy/memmove/memset (memops.c), never the symbol table's:
# see memops.c.
LIB_MEMOPS := --redefine-sym memcpy=sdxi__memcpy --redefine-sym memmove=sdxi__memmove \
	--redefine-sym memset=sdxi__memset

$(LIB_B)/obj/%.o: lib/src/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

LIB_SOFT_OBJ := $(patsubst lib/src/%.c,$(LIB_B)/obj/%.o,$(filter lib/src/soft%,\
	$(LIB_SRC) $(LIB_HOOKS_SRC)))
$(LIB_SOFT_OBJ): $(LIB_B)/obj/%.o: lib/src/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<
	objcopy $(LIB_MEMOPS) $@

$(LIB_B)/obj/memops.o: lib/src/memops.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -fno-tree-loop-distribute-patterns -c -o $@ $<

$(LIB_B)/obj/engine-%.o: lib/engine/%.c $(ENGINE_HDR) lib/lib.mk
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<
	objcopy $(LIB_MEMOPS) $@

$(LIB_B)/libsdxi.so.$(LIB_VERSION): $(LIB_OBJ) lib/libsdxi.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=lib/libsdxi.map \
		-Wl,-z,defs -Wl,-z,nodelete -o $@ $(LIB_OBJ) $(URCU_LIBS) -lpthread
	ln -sf libsdxi.so.$(LIB_VERSION) $(LIB_B)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(LIB_B)/libsdxi.so

# One relocatable object whose hidden symbols (internals, the engine) are
# made local, so that libsdxi.a exports only what libsdxi.so does.
# libsdxi-test.a is the same plus the test hooks; it is never installed.
define LIB_ARCHIVE
	ld -r -o $(1:.a=-all.o) $(2)
	objcopy --localize-hidden $(1:.a=-all.o)
	rm -f $(1)
	ar rcs $(1) $(1:.a=-all.o)
endef

$(LIB_B)/libsdxi.a: $(LIB_OBJ)
	$(call LIB_ARCHIVE,$@,$(LIB_OBJ))

$(LIB_B)/libsdxi-test.a: $(LIB_OBJ) $(LIB_B)/obj/soft_test.o
	$(call LIB_ARCHIVE,$@,$(LIB_OBJ) $(LIB_B)/obj/soft_test.o)

# sdxi.pc is relocatable: its prefix is ${pcfiledir} up to PREFIX (as many
# levels as LIBDIR/pkgconfig is below PREFIX), libdir and includedir are
# under ${prefix}, so the tree can move and pkg-config --define-prefix
# works.  A LIBDIR or INCLUDEDIR outside PREFIX is written as it is.
LIB_PC_UP := $(shell realpath -m --relative-to='$(LIBDIR)/pkgconfig' '$(PREFIX)')
LIB_PC_LIBDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
LIB_PC_INCDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
LIB_PC_SED := -e 's|@PREFIX@|$${pcfiledir}/$(LIB_PC_UP)|' -e 's|@LIBDIR@|$(LIB_PC_LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(LIB_PC_INCDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|'

$(LIB_B)/sdxi.pc: lib/sdxi.pc.in
	@mkdir -p $(@D)
	sed $(LIB_PC_SED) $< > $@

.PHONY: lib install install-lib check-lib check-lib-san check-lib-pkg check-lib-docs bench-lib
all: lib
lib: $(LIB_B)/libsdxi.so.$(LIB_VERSION) $(LIB_B)/libsdxi.a $(LIB_B)/sdxi.pc

install: install-lib
install-lib: lib
	install -d $(DESTDIR)$(INCLUDEDIR)/sdxi/uapi \
		$(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(LIB_EXAMPLESDIR)
	install -m 644 lib/include/sdxi.h $(DESTDIR)$(INCLUDEDIR)/sdxi.h
	install -m 644 lib/include/sdxi/encode.h lib/include/sdxi/ring.h \
		$(DESTDIR)$(INCLUDEDIR)/sdxi/
	install -m 644 uapi/linux/sdxi_hw.h uapi/linux/sdxi.h $(DESTDIR)$(INCLUDEDIR)/sdxi/uapi/
	install -m 755 $(LIB_B)/libsdxi.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libsdxi.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libsdxi.so
	install -m 644 $(LIB_B)/libsdxi.a $(DESTDIR)$(LIBDIR)/
	sed $(LIB_PC_SED) lib/sdxi.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/sdxi.pc
	install -m 644 $(LIB_MAN) $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(LIB_EXAMPLES) $(DESTDIR)$(LIB_EXAMPLESDIR)/

# The suite: static libsdxi with the test hooks, so the binary is
# self-contained for the VM.
$(LIB_B)/sdxi-test: $(LIB_TEST_SRC) lib/tests/helpers.h lib/testing/tap.h $(LIB_B)/libsdxi-test.a \
		$(LIB_HDR)
	$(CC) $(HOST_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src -I$(TOP)/lib/testing -o $@ \
		$(LIB_TEST_SRC) $(LIB_B)/libsdxi-test.a $(URCU_LIBS) -lpthread

# The same suite with ASan + UBSan over the library and the engine.
$(LIB_B)/sdxi-test-san: $(LIB_TEST_SRC) lib/tests/helpers.h lib/testing/tap.h $(LIB_SRC) \
		$(LIB_HOOKS_SRC) $(ENGINE_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -O1 $(SAN_FLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src -I$(TOP)/lib/testing \
		$(URCU_CFLAGS) -o $@ $(LIB_TEST_SRC) $(LIB_SRC) $(LIB_HOOKS_SRC) $(ENGINE_SRC) \
		$(URCU_LIBS) -lpthread

CHECK_SUITES += lib lib-san lib-pkg lib-docs
VM_SUITES += lib-vm
BENCH_TARGETS += bench-lib

check-lib: $(LIB_B)/sdxi-test
	@SDXI_DEVICE=$${SDXI_DEVICE:-soft} $(SUITE_TAP) $(RESULTS)/lib.tap -- $<

check-lib-san: $(LIB_B)/sdxi-test-san
	@SDXI_DEVICE=$${SDXI_DEVICE:-soft} $(SUITE_TAP) $(RESULTS)/lib-san.tap -- $<

check-lib-pkg: lib
	@$(SUITE_TAP) $(RESULTS)/lib-pkg.tap -- lib/tests/pkg-check.sh $(LIB_B)

check-lib-docs: $(LIB_B)/libsdxi.a
	@$(SUITE_TAP) $(RESULTS)/lib-docs.tap -- lib/tests/doc-check.sh $(LIB_B)

$(LIB_B)/sdxi-bench: lib/bench/bench.c $(LIB_B)/libsdxi.a $(LIB_HDR)
	$(CC) $(HOST_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src -o $@ \
		lib/bench/bench.c $(LIB_B)/libsdxi.a $(URCU_LIBS) -lpthread

bench-lib: $(LIB_B)/sdxi-bench
	@$< --out $(LIB_B)/bench

# Windows between processes against the CPU's ways (the example
# lib/examples/window-exchange.c: a window, shared memory with two CPU
# copies, process_vm_readv()): on the host's software device, then in the
# test VM on /dev/sdxi0; each prints its rates and ratios in one run.
BENCH_TARGETS += bench-windows
WX_BIN := $(LIB_B)/window-exchange
WX_ARGS ?= 1024 100
$(WX_BIN): lib/examples/window-exchange.c $(LIB_B)/libsdxi.a $(LIB_HDR)
	$(CC) $(filter-out -D_GNU_SOURCE,$(HOST_CFLAGS)) -I$(TOP)/lib/include -o $@ $< \
		$(LIB_B)/libsdxi.a $(URCU_LIBS) -lpthread

.PHONY: bench-windows
bench-windows: $(WX_BIN) $(SDXI_KO)
	@echo "host, software device:"
	@SDXI_DEVICE=soft $(WX_BIN) $(WX_ARGS)
	@SDXI_RUN_SUITES=1 $(VM_TAP) $(B)/bench/bench-windows.tap --timeout 600 \
		--file $(SDXI_KO) --file $(WX_BIN) -- 'modprobe sdxi && \
		SDXI_DEVICE=/dev/sdxi0 window-exchange $(WX_ARGS) > /tmp/wx 2>&1; \
		r=$$?; sed "s/^/# /" /tmp/wx; echo 1..1; \
		[ $$r = 0 ] && echo "ok 1 - window_exchange" || echo "not ok 1 - window_exchange"'
	@echo "VM (emulated timings), /dev/sdxi0:"
	@sed -n 's/^# //p' $(B)/bench/bench-windows.tap

# The same suite in the test VM against /dev/sdxi0 (sdxi.ko from
# kernel/kernel.mk); fault-injection tests drive the QEMU model's knobs
# through the VM's sdxi-qom-set.
.PHONY: check-lib-vm
check-lib-vm: $(LIB_B)/sdxi-test $(SDXI_KO)
	@$(VM_TAP) $(RESULTS)/lib-vm.tap --timeout 300 --file $(SDXI_KO) \
		--file $(LIB_B)/sdxi-test -- 'modprobe sdxi && SDXI_DEVICE=/dev/sdxi0 sdxi-test'
include lib/offload/offload.mk
