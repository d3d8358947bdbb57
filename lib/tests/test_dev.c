// SPDX-License-Identifier: MIT
/*
 * Devices and contexts: versions, device selection (name, path,
 * $SDXI_DEVICE, index, NUMA), enumeration of a sysfs tree, what the
 * software device reports, context options and limits.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

TEST(dev_library_version_matches_header)
{
	CHECK_EQ(sdxi_lib_major(), SDXI_LIB_MAJOR);
	CHECK_EQ(sdxi_lib_minor(), SDXI_LIB_MINOR);
	CHECK(sdxi_lib_check_version(1, 0));
	CHECK(!sdxi_lib_check_version(2, 0));
	CHECK(!sdxi_lib_check_version(1, SDXI_LIB_MINOR + 1));
	CHECK(SDXI_LIB_CHECK_VERSION(1, 0));
	CHECK(!SDXI_LIB_CHECK_VERSION(0, 9));
}

TEST(dev_soft_reports_its_capabilities)
{
	struct sdxi_dev_info in;
	struct sdxi_dev *dev;

	CHECK_ERR(sdxi_dev_open("soft", &dev), 0);
	REQUIRE(dev);
	CHECK_ERR(sdxi_dev_info(dev, &in), 0);
	CHECK(!strcmp(in.path, "soft"));
	CHECK_EQ(in.flags & (SDXI_DEV_SOFT | SDXI_DEV_INTERRUPTS),
		 SDXI_DEV_SOFT | SDXI_DEV_INTERRUPTS);
	CHECK_EQ(in.sdxi_version, 0x10000);
	CHECK_EQ(in.op_groups, SDXI_OPB_DMAB | SDXI_OPB_ATOMIC | SDXI_OPB_INTR);
	CHECK_EQ(in.min_ring_entries, 1024);
	CHECK_EQ(in.max_ring_entries, 16384);
	CHECK_EQ(in.max_buffer, 1ULL << 32);
	CHECK_EQ(in.max_contexts, 127);
	CHECK_EQ(in.free_contexts, 127);
	CHECK_EQ(in.isolation, SDXI_ISOLATE_PASID);
	CHECK_EQ(in.numa_node, -1);
	sdxi_dev_close(dev);
}

/* "soft:P=V,...": the model's open-behaviour properties, nothing else. */
TEST(dev_soft_takes_model_properties_and_refuses_others)
{
	static const char *const good[] = {
		"soft:read-index=fetch", "soft:read-index=complete",
		"soft:clear-valid=on,reset-immediate=off", "soft:shuffle-seed=7,burst=1",
	};
	static const char *const bad[] = {
		"soft:", "soft:read-index", "soft:read-index=later", "soft:burst=0",
		"soft:burst=65536", "soft:burst=1x", "soft:shuffle-seed=", "soft:stall=on",
		"soft:clear-valid=1", "soft:read-index=fetch,", "softx",
	};
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		dev = NULL;
		CHECK_ERR(sdxi_dev_open(good[i], &dev), 0);
		REQUIRE(dev);
		REQUIRE(sdxi_ctx_create(dev, NULL, &ctx) == 0);
		{
			char a[256], b[256];

			memset(a, 0x5a, sizeof(a));
			memset(b, 0, sizeof(b));
			CHECK_ERR(sdxi_memcpy(ctx, b, a, sizeof(a)), 0);
			CHECK(!memcmp(a, b, sizeof(a)));
		}
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dev = NULL;
		CHECK(sdxi_dev_open(bad[i], &dev) < 0);
		CHECK(dev == NULL);
	}
}

TEST(dev_open_by_env_and_missing_devices)
{
	struct sdxi_dev_info in;
	struct sdxi_dev *dev = NULL;
	char *saved = getenv("SDXI_DEVICE") ? strdup(getenv("SDXI_DEVICE")) : NULL;

	setenv("SDXI_DEVICE", "soft", 1);
	CHECK_ERR(sdxi_dev_open(NULL, &dev), 0);
	if (dev) {
		CHECK_ERR(sdxi_dev_info(dev, &in), 0);
		CHECK(in.flags & SDXI_DEV_SOFT);
		sdxi_dev_close(dev);
	}
	setenv("SDXI_DEVICE", "/dev/sdxi-does-not-exist", 1);
	CHECK_ERR(sdxi_dev_open(NULL, &dev), -ENODEV);
	if (saved)
		setenv("SDXI_DEVICE", saved, 1);
	else
		unsetenv("SDXI_DEVICE");
	free(saved);
	CHECK_ERR(sdxi_dev_open("/dev/sdxi999", &dev), -ENODEV);
	CHECK_ERR(sdxi_dev_open("sdxi999", &dev), -ENODEV);
	CHECK_ERR(sdxi_dev_open("soft", NULL), -EINVAL);
	/* A file that is not an SDXI node: GET_INFO fails, no device. */
	CHECK_ERR(sdxi_dev_open("/dev/null", &dev), -ENODEV);
}

/* On a host without functions: nothing listed, index/near opens -ENODEV. */
TEST(dev_enumeration_of_the_system)
{
	struct sdxi_dev_info in[8];
	struct sdxi_dev *dev = NULL;
	int n = sdxi_dev_list(in, 8);

	CHECK(n >= 0);
	CHECK_ERR(sdxi_dev_list(NULL, 1), -EINVAL);
	CHECK_EQ(sdxi_dev_list(NULL, 0), n);
	if (n == 0) {
		CHECK_ERR(sdxi_dev_open_index(0, &dev), -ENODEV);
		CHECK_ERR(sdxi_dev_open_near(&dev), -ENODEV);
		return;
	}
	/* With functions: each listed one opens, by index and by path. */
	CHECK(!strncmp(in[0].path, "/dev/sdxi", 9));
	CHECK_EQ(in[0].sdxi_version >> 16, 1);
	CHECK_ERR(sdxi_dev_open_index(0, &dev), 0);
	sdxi_dev_close(dev);
	CHECK_ERR(sdxi_dev_open_near(&dev), 0);
	sdxi_dev_close(dev);
	CHECK_ERR(sdxi_dev_open_index((unsigned int)n, &dev), -ENODEV);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[1100];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			tap_cur.failed++;
		close(fd);
	}
}

/* Enumeration reads the class directory: node order, NUMA from sysfs. */
TEST(dev_list_reads_a_sysfs_tree)
{
	char root[] = "/tmp/sdxi-sysfs-XXXXXX", p[1024];
	static const char *const nodes[] = { "sdxi10", "sdxi2", "sdxi0", "other", "sdxi" };
	struct sdxi_dev_info in[4];
	int n;

	REQUIRE(mkdtemp(root));
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, nodes[i]);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/%s/device", root, nodes[i]);
		mkdir(p, 0755);
		put_file(p, "numa_node", i == 0 ? "1\n" : "0\n");
	}
	n = sdxi_test_dev_list(root, in, 4);
	CHECK_EQ(n, 3);
	CHECK(!strcmp(in[0].path, "/dev/sdxi0"));
	CHECK(!strcmp(in[1].path, "/dev/sdxi2"));
	CHECK(!strcmp(in[2].path, "/dev/sdxi10"));
	CHECK_EQ(in[2].numa_node, 1);
	CHECK_EQ(in[0].numa_node, 0);
	CHECK_EQ(sdxi_test_dev_list(root, in, 1), 3);	/* count beyond max */
	CHECK_EQ(sdxi_test_dev_list("/nonexistent", in, 4), 0);
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%s/device/numa_node", root, nodes[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s/device", root, nodes[i]);
		rmdir(p);
		snprintf(p, sizeof(p), "%s/%s", root, nodes[i]);
		rmdir(p);
	}
	rmdir(root);
}

/* The device lives until its last context is destroyed. */
TEST(dev_close_with_live_context_keeps_it)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, 0);
	uint8_t *buf = test_buf(8192);

	REQUIRE(ctx && buf);
	sdxi_dev_close(dev);
	test_pattern(buf, 100, 2);
	CHECK_ERR(sdxi_memcpy(ctx, buf + 4096, buf, 100), 0);
	CHECK(test_pattern_ok(buf + 4096, 100, 2));
	sdxi_ctx_destroy(ctx);
	test_buf_free(buf, 8192);
}

TEST(ctx_options_are_checked)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_dev_info in;
	struct sdxi_ctx_opts o;
	struct sdxi_ctx *ctx;

	REQUIRE(dev);
	CHECK_ERR(sdxi_dev_info(dev, &in), 0);
	o = (struct sdxi_ctx_opts){ .reserved = { 0, 0, 1 } };
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), -EINVAL);
	o = (struct sdxi_ctx_opts){ .flags = 1u << 9 };
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), -EINVAL);
	o = (struct sdxi_ctx_opts){ .cache_shift = 11 };
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), -EINVAL);
	o = (struct sdxi_ctx_opts){ .cache_shift = 31 };
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), -EINVAL);
	o = (struct sdxi_ctx_opts){ .ring_entries = in.max_ring_entries + 1 };
	CHECK_ERR(sdxi_ctx_create(dev, &o, &ctx), -EINVAL);
	CHECK_ERR(sdxi_ctx_create(dev, NULL, NULL), -EINVAL);
	CHECK_ERR(sdxi_ctx_create(NULL, NULL, &ctx), -EINVAL);
	sdxi_dev_close(dev);
}

TEST(ctx_fresh_status_and_ring_rounding)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx_status st;
	struct sdxi_ctx *a, *b, *c;

	REQUIRE(dev);
	CHECK_ERR(sdxi_ctx_create(dev, NULL, &a), 0);
	CHECK_ERR(_test_ctx(dev, 2000, 0, &b), 0);	/* rounded up to 2048 */
	CHECK_ERR(_test_ctx(dev, 10, 0, &c), 0);	/* raised to the minimum */
	CHECK_ERR(sdxi_ctx_status(a, &st), 0);
	CHECK_EQ(st.state, SDXI_CXTV_RUN);
	CHECK_EQ(st.read_index, 0);
	CHECK_EQ(st.write_index, 0);
	CHECK_EQ(st.errors, 0);
	CHECK(st.id >= 1);
	CHECK_EQ(st.ring_entries, 1024);
	CHECK_ERR(sdxi_ctx_status(b, &st), 0);
	CHECK_EQ(st.ring_entries, 2048);
	CHECK_ERR(sdxi_ctx_status(c, &st), 0);
	CHECK_EQ(st.ring_entries, 1024);
	sdxi_ctx_destroy(a);
	sdxi_ctx_destroy(b);
	sdxi_ctx_destroy(c);
	sdxi_dev_close(dev);
}

/* Every context of the function, then -EBUSY; freed IDs are reused. */
TEST(ctx_all_contexts_then_ebusy)
{
	struct sdxi_dev *dev;
	struct sdxi_dev_info in;
	struct sdxi_ctx *ctx[128], *extra;
	unsigned int n = 0;

	CHECK_ERR(sdxi_dev_open("soft", &dev), 0);
	REQUIRE(dev);
	CHECK_ERR(sdxi_dev_info(dev, &in), 0);
	REQUIRE(in.max_contexts <= 128);
	for (; n < in.max_contexts; n++)
		if (sdxi_ctx_create(dev, NULL, &ctx[n]))
			break;
	CHECK_EQ(n, in.max_contexts);
	CHECK_ERR(sdxi_ctx_create(dev, NULL, &extra), -EBUSY);
	CHECK_ERR(sdxi_dev_info(dev, &in), 0);
	CHECK_EQ(in.free_contexts, 0);
	sdxi_ctx_destroy(ctx[5]);
	CHECK_ERR(sdxi_ctx_create(dev, NULL, &ctx[5]), 0);
	for (unsigned int i = 0; i < n; i++)
		sdxi_ctx_destroy(ctx[i]);
	sdxi_dev_close(dev);
}

/* Two software devices are independent functions. */
TEST(dev_two_soft_devices_are_independent)
{
	struct sdxi_dev *d1, *d2;
	struct sdxi_ctx *c1, *c2;
	uint8_t *buf = test_buf(8192);

	CHECK_ERR(sdxi_dev_open("soft", &d1), 0);
	CHECK_ERR(sdxi_dev_open("soft", &d2), 0);
	REQUIRE(d1 && d2 && buf);
	CHECK_ERR(sdxi_ctx_create(d1, NULL, &c1), 0);
	CHECK_ERR(sdxi_ctx_create(d2, NULL, &c2), 0);
	test_pattern(buf, 4096, 1);
	CHECK_ERR(sdxi_memcpy(c1, buf + 4096, buf, 4096), 0);
	/* A registration of c1 is not one of c2: c2's cache registers again. */
	CHECK_ERR(sdxi_mem_register(c2, buf, 8192, SDXI_MEM_READ | SDXI_MEM_WRITE), 0);
	CHECK_ERR(sdxi_memcpy(c2, buf + 4096, buf, 4096), 0);
	CHECK(test_pattern_ok(buf + 4096, 4096, 1));
	sdxi_ctx_destroy(c1);
	sdxi_ctx_destroy(c2);
	sdxi_dev_close(d1);
	sdxi_dev_close(d2);
	test_buf_free(buf, 8192);
}
