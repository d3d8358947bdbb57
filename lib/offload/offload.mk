# SPDX-License-Identifier: MIT
#
# libsdxi-offload: memcpy()/memmove()/memset() of unmodified programs
# (LD_PRELOAD) on an SDXI device, sdxi-offload(7).  Included by lib.mk.
#
#   make offload             build/offload/libsdxi-offload.so
#   make check-offload       TAP: the safety cases and the configuration,
#                            on the software device
#   make check-offload-apps  TAP: real programs (perl, gzip) under the
#                            library, output compared byte for byte
#   make check-offload-vm    TAP: the safety cases and the programs on
#                            /dev/sdxi0 in the test VM, then an unbind
#   make bench-offload       auto vs off vs forced vs CPU, 4 KiB..16 MiB;
#                            per-thread contexts vs the pool; split copies
#   make install-offload     (part of install-lib) the library and its
#                            man page
#
# It links libsdxi.a (the public API only) into one self-contained
# library, so that a preloaded program needs nothing else from us.

OFLO_B := $(B)/offload
OFLO_SRC := $(wildcard lib/offload/*.c)
# memops.o: libsdxi's own copy loops (lib/src/memops.c), the bootstrap
# CPU path until glibc's functions are resolved.
OFLO_OBJ := $(patsubst lib/offload/%.c,$(OFLO_B)/obj/%.o,$(OFLO_SRC)) $(OFLO_B)/obj/memops.o
OFLO_SO := $(OFLO_B)/libsdxi-offload.so
# -fno-builtin: the file defines memcpy() and friends; no loop may become a call to them.
OFLO_CFLAGS := $(HOST_CFLAGS) -I$(TOP)/lib/include -fPIC -fvisibility=hidden -fno-builtin \
	-fno-tree-loop-distribute-patterns

$(OFLO_B)/obj/%.o: lib/offload/%.c lib/offload/offload.h $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(OFLO_CFLAGS) -c -o $@ $<

$(OFLO_B)/obj/memops.o: lib/src/memops.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(OFLO_CFLAGS) -I$(TOP)/lib/src $(URCU_CFLAGS) -c -o $@ $<

$(OFLO_SO): $(OFLO_OBJ) $(LIB_B)/libsdxi.a lib/offload/offload.map
	$(CC) -shared -Wl,-soname,libsdxi-offload.so -Wl,--version-script=lib/offload/offload.map \
		-Wl,-z,defs -Wl,-z,nodelete -o $@ $(OFLO_OBJ) $(LIB_B)/libsdxi.a $(URCU_LIBS) \
		-lpthread -ldl

# Test programs (UBSan; ASan cannot run under a memcpy() interposer: it
# interposes memcpy() itself) and early-so.so, a library that copies in
# its constructor.
OFLO_TEST_SRC := $(filter-out %-so.c,$(wildcard lib/offload/tests/*.c))
OFLO_TESTS := $(patsubst lib/offload/tests/%.c,$(OFLO_B)/tests/%,$(OFLO_TEST_SRC)) \
	$(OFLO_B)/tests/early-so.so $(OFLO_B)/libsdxi-offload-test.so
OFLO_TEST_CFLAGS := $(HOST_CFLAGS) -O1 -fno-builtin -fsanitize=undefined -fno-sanitize-recover=all
$(OFLO_B)/tests/%: lib/offload/tests/%.c lib/offload/tests/check.h
	@mkdir -p $(@D)
	$(CC) $(OFLO_TEST_CFLAGS) -o $@ $< -lpthread -ldl

$(OFLO_B)/tests/%.so: lib/offload/tests/%.c lib/offload/tests/check.h
	@mkdir -p $(@D)
	$(CC) $(OFLO_TEST_CFLAGS) -fPIC -shared -o $@ $< -lpthread

# The same library with libsdxi's test hooks and a fault-injection entry
# point (tests/hooks): for the device-failure tests, never installed.
$(OFLO_B)/obj/hook-fault.o: lib/offload/tests/hooks/fault.c lib/offload/offload.h $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(OFLO_CFLAGS) -I$(TOP)/lib/src -c -o $@ $<

$(OFLO_B)/libsdxi-offload-test.so: $(OFLO_OBJ) $(OFLO_B)/obj/hook-fault.o $(LIB_B)/libsdxi-test.a \
		lib/offload/offload.map
	sed 's/bcopy;/& sdxi_offload_test_fault;/' lib/offload/offload.map > $(OFLO_B)/test.map
	$(CC) -shared -Wl,--version-script=$(OFLO_B)/test.map -Wl,-z,defs -Wl,-z,nodelete -o $@ \
		$(OFLO_OBJ) $(OFLO_B)/obj/hook-fault.o $(LIB_B)/libsdxi-test.a $(URCU_LIBS) -lpthread -ldl

.PHONY: offload install-offload check-offload check-offload-apps check-offload-vm bench-offload
all: offload
offload: $(OFLO_SO)

install-lib: install-offload
install-offload: $(OFLO_SO)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(OFLO_SO) $(DESTDIR)$(LIBDIR)/
	install -m 644 lib/offload/sdxi-offload.7 $(DESTDIR)$(MANDIR)/man7/

CHECK_SUITES += offload
BENCH_TARGETS += bench-offload

check-offload: $(OFLO_SO) $(OFLO_TESTS)
	@$(SUITE_TAP) $(RESULTS)/offload.tap -- lib/offload/tests/run.sh $(OFLO_SO) $(OFLO_B)/tests

$(OFLO_B)/copyloop: lib/offload/bench/copyloop.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -fno-builtin -o $@ $< -lpthread

bench-offload: $(OFLO_SO) $(OFLO_B)/copyloop
	@lib/offload/bench/bench.sh $(OFLO_SO) $(OFLO_B)/copyloop

CHECK_SUITES += offload-apps

check-offload-apps: $(OFLO_SO)
	@$(SUITE_TAP) $(RESULTS)/offload-apps.tap -- lib/offload/tests/apps.sh $(OFLO_SO) soft \
		$(TOP)/tools/tap.sh

# The VM suite: the library, the test programs (with the libraries they
# need), Debian's gzip and perl, and the scripts.
VM_SUITES += offload-vm
OFLO_VM_FILES := $(OFLO_SO):/usr/lib/sdxi-offload/ \
	$(foreach t,copy signals fork threads exit loop,$(OFLO_B)/tests/$(t):/usr/lib/sdxi-offload/) \
	/usr/bin/gzip /usr/bin/perl lib/offload/tests/apps.sh:/usr/bin/sdxi-offload-apps \
	lib/offload/tests/vm.sh:/usr/bin/sdxi-offload-vm

check-offload-vm: $(OFLO_SO) $(OFLO_TESTS) $(SDXI_KO)
	@$(VM_TAP) $(RESULTS)/offload-vm.tap --timeout 900 --file $(SDXI_KO) \
		$(foreach f,$(OFLO_VM_FILES),--file $(f)) -- sdxi-offload-vm
