# SPDX-License-Identifier: MIT
#
# The engine core: host unit tests (ASan + UBSan), the randomized test and
# the benchmark.  The QEMU model compiles the same sources (tools/qemu).

ENGINE_DIR := lib/engine
ENGINE_SRC := $(wildcard $(ENGINE_DIR)/*.c)
ENGINE_HDR := $(wildcard $(ENGINE_DIR)/*.h) uapi/linux/sdxi_hw.h include/sdxi/function.h
ENGINE_FIXTURE := $(ENGINE_DIR)/tests/fixture.c $(ENGINE_DIR)/tests/fixture.h
ENGINE_TESTS := lib/testing/tap.c $(ENGINE_DIR)/tests/main.c \
	$(wildcard $(ENGINE_DIR)/tests/test_*.c)
FUZZ_DESCRIPTORS ?= 100000

$(B)/engine/engine-test: $(ENGINE_SRC) $(ENGINE_HDR) $(ENGINE_FIXTURE) $(ENGINE_TESTS) lib/testing/tap.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -O1 $(SAN_FLAGS) -I$(TOP)/lib/testing -o $@ $(ENGINE_SRC) $(filter %.c,$(ENGINE_FIXTURE) $(ENGINE_TESTS))

$(B)/engine/engine-fuzz: $(ENGINE_SRC) $(ENGINE_HDR) $(ENGINE_FIXTURE) $(ENGINE_DIR)/tests/fuzz.c lib/testing/tap.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -O1 $(SAN_FLAGS) -I$(TOP)/lib/testing -o $@ $(ENGINE_SRC) $(filter %.c,$(ENGINE_FIXTURE)) $(ENGINE_DIR)/tests/fuzz.c

$(B)/engine/engine-bench: $(ENGINE_SRC) $(ENGINE_HDR) $(ENGINE_FIXTURE) $(ENGINE_DIR)/tests/bench.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(ENGINE_SRC) $(filter %.c,$(ENGINE_FIXTURE)) $(ENGINE_DIR)/tests/bench.c

CHECK_SUITES += engine engine-fuzz
BENCH_TARGETS += bench-engine

.PHONY: check-engine check-engine-fuzz bench-engine
check-engine: $(B)/engine/engine-test
	@$(SUITE_TAP) $(RESULTS)/engine.tap -- $<

check-engine-fuzz: $(B)/engine/engine-fuzz
	@$(SUITE_TAP) $(RESULTS)/engine-fuzz.tap -- $< $(FUZZ_DESCRIPTORS)

bench-engine: $(B)/engine/engine-bench
	@$<
