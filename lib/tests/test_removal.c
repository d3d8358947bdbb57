// SPDX-License-Identifier: MIT
/*
 * The function removed under a program that holds a context (kernel
 * device, as root in the test VM; SKIP elsewhere): the driver is unbound
 * with a copy submitted, then every call on the context reports -ENODEV
 * and none faults, and the driver is bound again for the tests after
 * this one.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define RBUF	(4u << 20)
#define DRIVER	"/sys/bus/pci/drivers/sdxi/"

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The PCI address of the function behind /dev/sdxiN, in @addr. */
static int pci_addr(const char *devpath, char *addr, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *name = strrchr(devpath, '/');
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/sdxi/%s/device", name ? name + 1 : devpath);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = 0;
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	if (strlen(name) >= len)
		return -1;
	memcpy(addr, name, strlen(name) + 1);
	return 0;
}

TEST(removed_device_reports_enodev_without_faulting)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_policy always = { .offload_min = 0 };
	struct sdxi_ctx_status st;
	struct sdxi_dev_info in;
	struct sdxi_batch b;
	struct sdxi_ctx *ctx;
	uint64_t ticket;
	struct stat sb;
	char addr[64];
	uint8_t *buf, *other;
	int ret;

	REQUIRE(dev);
	if (test_is_soft(dev) || sdxi_dev_info(dev, &in) || pci_addr(in.path, addr, sizeof(addr)) ||
	    access(DRIVER "unbind", W_OK)) {
		sdxi_dev_close(dev);
		SKIP("needs a kernel device and the right to unbind it");
	}
	ctx = test_ctx(dev, 0, 0);
	buf = test_buf(2 * RBUF);
	other = test_buf(4096);
	REQUIRE(ctx && buf && other);
	CHECK_ERR(sdxi_ctx_set_policy(ctx, &always), 0);
	test_register(ctx, buf, 2 * RBUF);
	test_pattern(buf, RBUF, 7);
	CHECK_ERR(sdxi_memcpy(ctx, buf + RBUF, buf, RBUF), 0);
	CHECK(test_pattern_ok(buf + RBUF, RBUF, 7));
	CHECK_ERR(sdxi_memcpy_async(ctx, buf + RBUF, buf, RBUF, &ticket), 0);

	REQUIRE(!write_str(DRIVER "unbind", addr));
	CHECK(stat(in.path, &sb) != 0);

	/* Every path that reads the context's status, none with a fault. */
	ret = sdxi_poll(ctx, ticket);
	CHECK_ERR(ret, -ENODEV);
	CHECK_ERR(sdxi_wait(ctx, ticket, NULL, NULL), -ENODEV);
	CHECK_ERR(sdxi_memcpy(ctx, buf + RBUF, buf, RBUF), -ENODEV);
	CHECK_ERR(sdxi_fill(ctx, buf, 0, RBUF), -ENODEV);
	CHECK_ERR(sdxi_memcpy_async(ctx, buf + RBUF, buf, RBUF, &ticket), -ENODEV);
	CHECK_ERR(sdxi_batch_start(ctx, &b, 1, SDXI_BATCH_WAIT), -ENODEV);
	CHECK_ERR(sdxi_ctx_reset(ctx), -ENODEV);
	CHECK_ERR(sdxi_ctx_status(ctx, &st), -ENODEV);
	CHECK_ERR(sdxi_mem_register(ctx, other, 4096, SDXI_MEM_READ), -ENODEV);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
	test_buf_free(buf, 2 * RBUF);
	test_buf_free(other, 4096);

	/* Back for the rest of the suite. */
	REQUIRE(!write_str(DRIVER "bind", addr));
	for (int i = 0; i < 100 && stat(in.path, &sb); i++)
		usleep(100000);
	CHECK(stat(in.path, &sb) == 0);
}
