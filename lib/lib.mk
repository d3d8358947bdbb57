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
#   make bench-lib        callgrind instructions per descriptor, memcpy ns/op
#   make install-lib      PREFIX (/usr/local), DESTDIR, LIBDIR, INCLUDEDIR, MANDIR
#
# The test binary links libsdxi.a statically, so the same file runs in the
# VM against /dev/sdxi0 (SDXI_DEVICE=/dev/sdxi0).

LIB_B := $(B)/lib
LIB_VERSION := 1.0.0
LIB_SONAME := libsdxi.so.1
LIB_SRC := $(wildcard lib/src/*.c)
LIB_HDR := lib/include/sdxi.h $(wildcard lib/src/*.h) uapi/linux/sdxi_hw.h \
	uapi/linux/sdxi.h lib/engine/sdxie.h
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

$(LIB_B)/obj/%.o: lib/src/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_B)/obj/engine-%.o: lib/engine/%.c $(ENGINE_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_B)/libsdxi.so.$(LIB_VERSION): $(LIB_OBJ) lib/libsdxi.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=lib/libsdxi.map \
		-Wl,-z,defs -Wl,-z,nodelete -o $@ $(LIB_OBJ) $(URCU_LIBS) -lpthread
	ln -sf libsdxi.so.$(LIB_VERSION) $(LIB_B)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(LIB_B)/libsdxi.so

# One relocatable object whose hidden symbols (internals, the engine) are
# made local, so that libsdxi.a exports only what libsdxi.so does (plus
# the test hooks of lib/src/sdxi_test.h).
$(LIB_B)/libsdxi.a: $(LIB_OBJ)
	ld -r -o $(LIB_B)/libsdxi-all.o $(LIB_OBJ)
	objcopy --localize-hidden $(LIB_B)/libsdxi-all.o
	rm -f $@
	ar rcs $@ $(LIB_B)/libsdxi-all.o

$(LIB_B)/sdxi.pc: lib/sdxi.pc.in
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' $< > $@

.PHONY: lib install install-lib check-lib check-lib-san check-lib-pkg bench-lib
all: lib
lib: $(LIB_B)/libsdxi.so.$(LIB_VERSION) $(LIB_B)/libsdxi.a $(LIB_B)/sdxi.pc

install: install-lib
install-lib: lib
	install -d $(DESTDIR)$(INCLUDEDIR)/libsdxi/linux $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(MANDIR)/man3
	install -m 644 lib/include/sdxi.h $(DESTDIR)$(INCLUDEDIR)/sdxi.h
	install -m 644 uapi/linux/sdxi_hw.h uapi/linux/sdxi.h $(DESTDIR)$(INCLUDEDIR)/libsdxi/linux/
	install -m 755 $(LIB_B)/libsdxi.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libsdxi.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libsdxi.so
	install -m 644 $(LIB_B)/libsdxi.a $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
		lib/sdxi.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/sdxi.pc
	install -m 644 $(LIB_MAN) $(DESTDIR)$(MANDIR)/man3/

# The suite: static libsdxi, so the binary is self-contained for the VM.
$(LIB_B)/sdxi-test: $(LIB_TEST_SRC) lib/tests/helpers.h lib/testing/tap.h $(LIB_B)/libsdxi.a $(LIB_HDR)
	$(CC) $(HOST_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src -I$(TOP)/lib/testing -o $@ \
		$(LIB_TEST_SRC) $(LIB_B)/libsdxi.a $(URCU_LIBS) -lpthread

# The same suite with ASan + UBSan over the library and the engine.
$(LIB_B)/sdxi-test-san: $(LIB_TEST_SRC) lib/tests/helpers.h lib/testing/tap.h $(LIB_SRC) $(ENGINE_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -O1 $(SAN_FLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src -I$(TOP)/lib/testing \
		$(URCU_CFLAGS) -o $@ $(LIB_TEST_SRC) $(LIB_SRC) $(ENGINE_SRC) \
		$(URCU_LIBS) -lpthread

CHECK_SUITES += lib lib-san lib-pkg
VM_SUITES += lib-vm
BENCH_TARGETS += bench-lib

check-lib: $(LIB_B)/sdxi-test
	@SDXI_DEVICE=$${SDXI_DEVICE:-soft} $(SUITE_TAP) $(RESULTS)/lib.tap -- $<

check-lib-san: $(LIB_B)/sdxi-test-san
	@SDXI_DEVICE=$${SDXI_DEVICE:-soft} $(SUITE_TAP) $(RESULTS)/lib-san.tap -- $<

check-lib-pkg: lib
	@$(SUITE_TAP) $(RESULTS)/lib-pkg.tap -- lib/tests/pkg-check.sh $(LIB_B)

$(LIB_B)/sdxi-bench: lib/bench/bench.c $(LIB_B)/libsdxi.a $(LIB_HDR)
	$(CC) $(HOST_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/lib/src -o $@ \
		lib/bench/bench.c $(LIB_B)/libsdxi.a $(URCU_LIBS) -lpthread

bench-lib: $(LIB_B)/sdxi-bench
	@$< --out $(LIB_B)/bench

# The same suite in the test VM against /dev/sdxi0 (sdxi.ko from
# kernel/kernel.mk); fault-injection tests drive the QEMU model's knobs
# through the VM's sdxi-qom-set.
.PHONY: check-lib-vm
check-lib-vm: $(LIB_B)/sdxi-test $(SDXI_KO)
	@$(VM_TAP) $(RESULTS)/lib-vm.tap --timeout 300 --file $(SDXI_KO) \
		--file $(LIB_B)/sdxi-test -- 'modprobe sdxi && SDXI_DEVICE=/dev/sdxi0 sdxi-test'
