// SPDX-License-Identifier: MIT
/*
 * Configuration from the environment, read once by the constructor
 * (sdxi-offload(7), ENVIRONMENT).  getenv() and the parsing below call no
 * interposed function.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "offload.h"

struct oflo_config oflo_cfg;
uint64_t oflo_min = UINT64_MAX;

/* Bytes with an optional k/m/g suffix (powers of 1024).  0 or -1. */
int oflo_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;

	if (!s || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case 'k': case 'K': mul = 1ULL << 10; s++; break;
	case 'm': case 'M': mul = 1ULL << 20; s++; break;
	case 'g': case 'G': mul = 1ULL << 30; s++; break;
	}
	if (*s || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

static int flag(const char *name, int dflt)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return dflt;
	return !(v[0] == '0' && !v[1]) && strcasecmp(v, "no") && strcasecmp(v, "off");
}

/* "memcpy,memmove,memset" (any subset, or "all"/"none"). */
static unsigned int fns(const char *v)
{
	static const char *const names[OFLO_NFN] = { "memcpy", "memmove", "memset" };
	unsigned int bits = 0;

	if (!v || !strcmp(v, "all"))
		return (1u << OFLO_NFN) - 1;
	while (*v) {
		size_t len = strcspn(v, ",");

		for (int i = 0; i < OFLO_NFN; i++)
			if (len == strlen(names[i]) && !strncmp(v, names[i], len))
				bits |= 1u << i;
		v += len;
		if (*v == ',')
			v++;
	}
	return bits;
}

/* SDXI_OFFLOAD_SPLIT: 0 off, 1 sized from the measurement, N% the device's share. */
static int split(const char *v)
{
	uint64_t pct;
	char num[4];
	size_t len;

	if (!v || !*v)
		return 0;
	len = strlen(v);
	if (v[len - 1] == '%') {	/* 1% .. 99%, anything else is off */
		if (len < 2 || len > 3)
			return 0;
		memcpy(num, v, len - 1);
		num[len - 1] = 0;
		if (!oflo_parse_size(num, &pct) && pct >= 1 && pct <= 99)
			return (int)pct;
		return 0;
	}
	return flag("SDXI_OFFLOAD_SPLIT", 0) ? OFLO_SPLIT_MEASURED : 0;
}

void oflo_config_read(void)
{
	const char *min = getenv("SDXI_OFFLOAD_MIN"), *ctx = getenv("SDXI_OFFLOAD_CONTEXT");

	oflo_cfg.enabled = flag("SDXI_OFFLOAD", 1);
	oflo_cfg.stats = flag("SDXI_OFFLOAD_STATS", 0);
	oflo_cfg.split = split(getenv("SDXI_OFFLOAD_SPLIT"));
	oflo_cfg.fns = fns(getenv("SDXI_OFFLOAD_FUNCS"));
	oflo_cfg.device = secure_getenv("SDXI_OFFLOAD_DEVICE");
	oflo_cfg.shared = !ctx || strcmp(ctx, "thread");
	oflo_cfg.auto_min = 1;
	oflo_cfg.min = UINT64_MAX;
	if (min && !strcmp(min, "never")) {
		oflo_cfg.auto_min = 0;
	} else if (min && strcmp(min, "auto") && !oflo_parse_size(min, &oflo_cfg.min)) {
		oflo_cfg.auto_min = 0;
	}
	if (!oflo_cfg.enabled)
		oflo_cfg.fns = 0;
}
