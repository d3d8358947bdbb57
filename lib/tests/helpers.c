// SPDX-License-Identifier: MIT
/* Shared helpers of the libsdxi suite; see tap.h. */
#include <stdlib.h>
#include <sys/mman.h>

#include "helpers.h"

struct sdxi_dev *test_dev(void)
{
	const char *name = getenv("SDXI_DEVICE");
	struct sdxi_dev *dev = NULL;
	int ret = sdxi_dev_open(name && *name ? name : "soft", &dev);

	if (ret) {
		printf("# cannot open device %s: %s\n", name ? name : "soft", strerror(-ret));
		return NULL;
	}
	return dev;
}

int test_is_soft(struct sdxi_dev *dev)
{
	struct sdxi_dev_info in;

	return !sdxi_dev_info(dev, &in) && (in.flags & SDXI_DEV_SOFT);
}

int test_identity(struct sdxi_dev *dev)
{
	struct sdxi_dev_info in;

	return !sdxi_dev_info(dev, &in) && in.isolation == SDXI_ISOLATE_PASID;
}

int test_has_interrupts(struct sdxi_dev *dev)
{
	struct sdxi_dev_info in;

	return !sdxi_dev_info(dev, &in) && (in.flags & SDXI_DEV_INTERRUPTS);
}

/*
 * A context whose synchronous calls always use the device (offload
 * threshold 0), since that is what most tests are about; the policy's
 * own tests create contexts with sdxi_ctx_create().
 */
int _test_ctx(struct sdxi_dev *dev, uint32_t entries, uint32_t flags, struct sdxi_ctx **ctx)
{
	struct sdxi_ctx_opts o = { .ring_entries = entries, .flags = flags };
	struct sdxi_policy device_always = { .offload_min = 0 };
	int ret = sdxi_ctx_create(dev, &o, ctx);

	if (!ret) {
		ret = sdxi_ctx_set_policy(*ctx, &device_always);
		if (ret)
			sdxi_ctx_destroy(*ctx);
	}
	return ret;
}

struct sdxi_ctx *test_ctx(struct sdxi_dev *dev, uint32_t entries, uint32_t flags)
{
	struct sdxi_ctx *ctx = NULL;
	int ret = dev ? _test_ctx(dev, entries, flags, &ctx) : -ENODEV;

	if (ret)
		printf("# context: %s\n", strerror(-ret));
	return ret ? NULL : ctx;
}

void *test_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void test_buf_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

void test_pattern(void *p, size_t len, unsigned int seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

int test_pattern_ok(const void *p, size_t len, unsigned int seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != (uint8_t)(i * 131 + seed * 7 + (i >> 8)))
			return 0;
	return 1;
}

uint64_t test_va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

void test_register(struct sdxi_ctx *ctx, const void *p, size_t len)
{
	int ret = sdxi_mem_register(ctx, p, len, SDXI_MEM_READ | SDXI_MEM_WRITE);

	if (ret) {
		printf("# register %p+%zu: %s\n", p, len, strerror(-ret));
		tap_cur.failed++;
	}
}

int test_wait(struct sdxi_ctx *ctx, uint64_t ticket)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_SPIN, .timeout_ns = 10000000000ULL };

	return sdxi_wait(ctx, ticket, &o, NULL);
}

/*
 * Fault injection on a real device: the QEMU model's knobs, reached from
 * inside the test VM through tools/vm's sdxi-qom-set/sdxi-qom-get (device
 * id $SDXI_QOM_DEVICE, default sdxi0).  -EOPNOTSUPP outside that VM.
 */
static const char *qom_dev(void)
{
	const char *d = getenv("SDXI_QOM_DEVICE");

	return d ? d : "sdxi0";
}

static int qom_available(void)
{
	return system("command -v sdxi-qom-set >/dev/null 2>&1") == 0;
}

static int qom_set(const char *prop, const char *value)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "sdxi-qom-set %s %s %s", qom_dev(), prop, value);
	return system(cmd) == 0 ? 0 : -EIO;
}

static int qom_get(const char *prop, uint64_t *v)
{
	char cmd[256], line[64];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "sdxi-qom-get %s %s", qom_dev(), prop);
	p = popen(cmd, "r");
	if (!p)
		return -EIO;
	ok = fgets(line, sizeof(line), p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -EIO;
	*v = strcmp(line, "true\n") == 0 ? 1 : strtoull(line, NULL, 0);
	return 0;
}

int test_inject(struct sdxi_dev *dev, const struct sdxi_soft_faults *f)
{
	char v[32];
	int ret;

	if (test_is_soft(dev))
		return sdxi_soft_inject(dev, f);
	if (!qom_available())
		return -EOPNOTSUPP;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->fault_addr);
	ret = qom_set("fault-addr", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->fault_after);
	ret = ret ? ret : qom_set("fault-after", v);
	ret = ret ? ret : qom_set("stall", f->stall ? "true" : "false");
	if (!ret && f->force_fn_error)
		ret = qom_set("force-fn-error", "true");
	return ret;
}

int test_faults(struct sdxi_dev *dev, struct sdxi_soft_faults *f)
{
	uint64_t stall = 0;
	int ret;

	if (test_is_soft(dev))
		return sdxi_soft_faults(dev, f);
	if (!qom_available())
		return -EOPNOTSUPP;
	*f = (struct sdxi_soft_faults){ 0 };
	ret = qom_get("fault-addr", &f->fault_addr);
	ret = ret ? ret : qom_get("fault-after", &f->fault_after);
	ret = ret ? ret : qom_get("stall", &stall);
	f->stall = (uint32_t)stall;
	return ret;
}

int test_stall(struct sdxi_dev *dev, int on)
{
	struct sdxi_soft_faults f = { .stall = (uint32_t)on };

	return test_inject(dev, &f);
}

uint64_t desc_bits(const void *desc, unsigned int lo, unsigned int hi)
{
	const uint8_t *b = desc;
	uint64_t v = 0;

	for (unsigned int i = hi + 1; i-- > lo;)
		v = v << 1 | ((b[i / 8] >> (i % 8)) & 1);
	return v;
}

int bytes_zero(const void *p, size_t from, size_t to)
{
	const uint8_t *b = p;

	for (size_t i = from; i < to; i++)
		if (b[i])
			return 0;
	return 1;
}
