// SPDX-License-Identifier: MIT
/*
 * The perf suite: sdxi-perf's own tests, TAP on stdout.
 *
 *   perf-test SDXI_PERF_BINARY MAN_PAGE WORKDIR [FILTER]
 *
 * Unit tests link the option parser, histogram, verification helpers and
 * CSV column table directly; run tests start the static binary on the
 * software device with small fixed iteration counts and check what it
 * reports: counts, verification, errors, exit status, and that its JSON
 * and CSV are well formed.  Nothing here asserts a speed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sdxi-perf.h"
#include "tap.h"

static const char *bin, *man, *workdir;

/* Parse a NULL-terminated argument list (argv[0] added). */
static int parse(struct perf_cfg *cfg, char *err, const char *const *args)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = (char *)"sdxi-perf";
	for (; *args && argc < 63; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return perf_parse_args(argc, argv, cfg, err, 256);
}

#define PARSE(cfg, err, ...) parse(cfg, err, (const char *const[]){ __VA_ARGS__, NULL })

TEST(size_parses_suffixes)
{
	uint64_t v = 0;

	CHECK_ERR(perf_parse_size("64", &v), 0);
	CHECK_EQ(v, 64);
	CHECK_ERR(perf_parse_size("4k", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_ERR(perf_parse_size("4K", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_ERR(perf_parse_size("4KiB", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_ERR(perf_parse_size("1m", &v), 0);
	CHECK_EQ(v, 1 << 20);
	CHECK_ERR(perf_parse_size("2G", &v), 0);
	CHECK_EQ(v, 2ULL << 30);
	CHECK_ERR(perf_parse_size("1MB", &v), 0);
	CHECK_EQ(v, 1 << 20);
}

TEST(size_rejects_garbage)
{
	uint64_t v = 7;

	CHECK_ERR(perf_parse_size("0", &v), -EINVAL);
	CHECK_ERR(perf_parse_size("", &v), -EINVAL);
	CHECK_ERR(perf_parse_size("k", &v), -EINVAL);
	CHECK_ERR(perf_parse_size("4x", &v), -EINVAL);
	CHECK_ERR(perf_parse_size("-1", &v), -EINVAL);
	CHECK_ERR(perf_parse_size("99999999999999999999", &v), -EINVAL);
	CHECK_ERR(perf_parse_size("17179869184g", &v), -EINVAL);	/* overflows */
	CHECK_EQ(v, 7);
}

TEST(sizes_list_and_sweeps)
{
	uint64_t s[PERF_MAX_SIZES];
	unsigned int n;
	static const uint64_t x4[] = { 64, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20,
				       4 << 20 };

	CHECK_ERR(perf_parse_sizes("64,4k,64k,1m", s, PERF_MAX_SIZES, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(s[0], 64);
	CHECK_EQ(s[3], 1 << 20);
	CHECK_ERR(perf_parse_sizes("64:4m:x4", s, PERF_MAX_SIZES, &n), 0);
	CHECK_EQ(n, 9);
	for (unsigned int i = 0; i < 9 && i < n; i++)
		CHECK_EQ(s[i], x4[i]);
	CHECK_ERR(perf_parse_sizes("4k:16k:+4k", s, PERF_MAX_SIZES, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(s[3], 16384);
	CHECK_ERR(perf_parse_sizes("64:128", s, PERF_MAX_SIZES, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_ERR(perf_parse_sizes("8,64:256:x2", s, PERF_MAX_SIZES, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_ERR(perf_parse_sizes("4m:64", s, PERF_MAX_SIZES, &n), -EINVAL);
	CHECK_ERR(perf_parse_sizes("64:4m:x1", s, PERF_MAX_SIZES, &n), -EINVAL);
	CHECK_ERR(perf_parse_sizes("64:4m:y2", s, PERF_MAX_SIZES, &n), -EINVAL);
	CHECK_ERR(perf_parse_sizes("", s, PERF_MAX_SIZES, &n), -EINVAL);
	CHECK_ERR(perf_parse_sizes("1:1m:+1", s, PERF_MAX_SIZES, &n), -E2BIG);
}

TEST(cpu_lists)
{
	int c[16];
	unsigned int n;

	CHECK_ERR(perf_parse_cpus("0-3,6", c, 16, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(c[3], 3);
	CHECK_EQ(c[4], 6);
	CHECK_ERR(perf_parse_cpus("5", c, 16, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_ERR(perf_parse_cpus("3-1", c, 16, &n), -EINVAL);
	CHECK_ERR(perf_parse_cpus("a", c, 16, &n), -EINVAL);
	CHECK_ERR(perf_parse_cpus("1,", c, 16, &n), -EINVAL);
	CHECK_ERR(perf_parse_cpus("-1", c, 16, &n), -EINVAL);
	CHECK_ERR(perf_parse_cpus("2000", c, 16, &n), -EINVAL);
	CHECK_ERR(perf_parse_cpus("0-31", c, 16, &n), -E2BIG);
}

TEST(reference_figures)
{
	struct perf_ref r;

	CHECK_ERR(perf_parse_ref("dmatest:64=1000,4k=500.5", &r), 0);
	CHECK(!strcmp(r.label, "dmatest"));
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.size[1], 4096);
	CHECK(r.ops[1] == 500.5);
	CHECK_ERR(perf_parse_ref("dmatest", &r), -EINVAL);
	CHECK_ERR(perf_parse_ref(":64=1", &r), -EINVAL);
	CHECK_ERR(perf_parse_ref("x:64", &r), -EINVAL);
	CHECK_ERR(perf_parse_ref("x:64=0", &r), -EINVAL);
	CHECK_ERR(perf_parse_ref("x:64=abc", &r), -EINVAL);
}

TEST(options_defaults)
{
	struct perf_cfg c;
	char err[256];

	CHECK_ERR(parse(&c, err, (const char *const[]){ NULL }), 0);
	CHECK_EQ(c.op, OP_COPY);
	CHECK_EQ(c.nsizes, 4);
	CHECK_EQ(c.sizes[1], 4096);
	CHECK_EQ(c.qd, 32);
	CHECK_EQ(c.batch, 1);
	CHECK_EQ(c.threads, 1);
	CHECK_EQ(c.contexts, 1);
	CHECK_EQ(c.procs, 1);
	CHECK_EQ(c.verify, 1);
	CHECK_EQ(c.wait, WAIT_POLL);
	CHECK_EQ(c.reg, REG_PRE);
	CHECK_EQ(c.baseline, BASE_MEMCPY);
	CHECK_EQ(c.iterations, 0);
	CHECK(c.duration == 0.25);
	CHECK(!c.device && !c.json && !c.csv && !c.plot && !c.compare);
}

TEST(options_every_field)
{
	struct perf_cfg c;
	char err[256];

	CHECK_ERR(PARSE(&c, err, "-d", "soft", "-o", "fill", "-s", "64:1k:x2", "-q", "16", "-b",
			"4", "-r", "2048", "-t", "2", "-C", "3", "-P", "2", "-k", "0-1", "-w",
			"block", "-R", "cache", "-B", "8", "-n", "1000", "-W", "5", "-V", "-m",
			"movsb", "-c", "--ref", "d:64=1", "--json", "a.json", "--csv=b.csv", "-p",
			"c.svg", "--plot-add", "vm=v.csv", "--tag", "t1", "--quiet", "--block",
			"128", "-T", "2"),
		  0);
	CHECK(!strcmp(c.device, "soft"));
	CHECK_EQ(c.op, OP_FILL);
	CHECK_EQ(c.nsizes, 5);
	CHECK_EQ(c.qd, 16);
	CHECK_EQ(c.batch, 4);
	CHECK_EQ(c.ring, 2048);
	CHECK_EQ(c.threads, 2);
	CHECK_EQ(c.contexts, 3);
	CHECK_EQ(c.procs, 2);
	CHECK_EQ(c.ncpus, 2);
	CHECK_EQ(c.wait, WAIT_BLOCK);
	CHECK_EQ(c.reg, REG_CACHE);
	CHECK_EQ(c.bufs, 8);
	CHECK_EQ(c.iterations, 1000);
	CHECK_EQ(c.warmup, 5);
	CHECK_EQ(c.verify, 0);
	CHECK_EQ(c.baseline, BASE_MOVSB);
	CHECK_EQ(c.compare, 1);
	CHECK_EQ(c.nrefs, 1);
	CHECK(c.json && !strcmp(c.json, "a.json"));
	CHECK(c.csv && !strcmp(c.csv, "b.csv"));
	CHECK(c.plot && !strcmp(c.plot, "c.svg"));
	CHECK_EQ(c.nplot_add, 1);
	CHECK(!strcmp(c.plot_label[0], "vm") && !strcmp(c.plot_file[0], "v.csv"));
	CHECK(!strcmp(c.tag, "t1"));
	CHECK_EQ(c.quiet, 1);
	CHECK_EQ(c.block, 128);
	CHECK(c.duration == 2.0);
}

TEST(options_per_op_defaults)
{
	struct perf_cfg c;
	char err[256];

	CHECK_ERR(PARSE(&c, err, "-o", "write-imm"), 0);
	CHECK_EQ(c.nsizes, 2);
	CHECK_EQ(c.sizes[1], 32);
	CHECK_EQ(c.baseline, BASE_NONE);
	CHECK_ERR(PARSE(&c, err, "-o", "atomic-add"), 0);
	CHECK_EQ(c.op, OP_ATOMIC);
	CHECK_EQ(c.atomic_op, SDXI_DSC_ATOMIC_UADD);
	CHECK_EQ(c.nsizes, 1);
	CHECK_EQ(c.sizes[0], 8);
	CHECK_ERR(PARSE(&c, err, "-o", "nop"), 0);
	CHECK_EQ(c.nsizes, 1);
	CHECK_EQ(c.sizes[0], 0);
}

TEST(options_optional_values)
{
	struct perf_cfg c;
	char err[256];

	CHECK_ERR(PARSE(&c, err, "--json"), 0);
	CHECK(c.json && !strcmp(c.json, "-"));
	CHECK_ERR(PARSE(&c, err, "--json", "-q", "4"), 0);
	CHECK(c.json && !strcmp(c.json, "-"));
	CHECK_EQ(c.qd, 4);
	CHECK_ERR(PARSE(&c, err, "--csv", "x.csv"), 0);
	CHECK(c.csv && !strcmp(c.csv, "x.csv"));
	CHECK_ERR(PARSE(&c, err, "--verify", "off"), 0);
	CHECK_EQ(c.verify, 0);
	CHECK_ERR(PARSE(&c, err, "--verify=on"), 0);
	CHECK_EQ(c.verify, 1);
	CHECK_ERR(PARSE(&c, err, "-w", "csb", "-R", "prereg", "-m", "none"), 0);
	CHECK_EQ(c.wait, WAIT_CSB);
	CHECK_EQ(c.baseline, BASE_NONE);
}

TEST(options_rejected)
{
	static const char *const bad[][8] = {
		{ "-b", "8", "-q", "4" },		/* batch above the queue depth */
		{ "-o", "write-imm", "-s", "64" },	/* WRT_IMM is 1..32 bytes */
		{ "-o", "atomic-add", "-s", "16" },
		{ "-o", "repcopy", "-s", "100" },	/* not a multiple of the block */
		{ "-o", "nop", "-s", "64" },
		{ "-o", "memmove" },
		{ "-w", "sometimes" },
		{ "-R", "never" },
		{ "-q", "0" },
		{ "-t", "x" },
		{ "-T", "0" },
		{ "--plot", "x.jpg" },
		{ "--json", "-", "--csv", "-" },
		{ "--nonsense" },
		{ "extra" },
		{ "-o", "nop", "-m", "memcpy" },
		{ "-s", "8g" },				/* above what a descriptor encodes */
		{ "--verify", "maybe" },
		{ "--plot-add", "nolabel" },
		{ "-P", "64", "-t", "64" },		/* too many workers */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct perf_cfg c;
		char err[256] = "";

		if (parse(&c, err, bad[i]) != -1)
			printf("# accepted: %s %s %s\n", bad[i][0], bad[i][1] ? bad[i][1] : "",
			       bad[i][2] ? bad[i][2] : ""), tap_cur.failed++;
		CHECK(err[0] != 0);
	}
}

TEST(options_device_checks)
{
	struct sdxi_dev_info in = {
		.path = "soft", .op_groups = SDXI_OPB_DMAB, .min_ring_entries = 1024,
		.max_ring_entries = 4096, .max_buffer = 1 << 20, .flags = 0,
	};
	struct perf_cfg c;
	char err[256];

	CHECK_ERR(PARSE(&c, err, "-s", "64,1m"), 0);
	CHECK_EQ(perf_check_device(&c, &in, err, sizeof(err)), 0);
	CHECK_ERR(PARSE(&c, err, "-s", "2m"), 0);
	CHECK_EQ(perf_check_device(&c, &in, err, sizeof(err)), -1);	/* above max buffer */
	CHECK_ERR(PARSE(&c, err, "-o", "atomic-add"), 0);
	CHECK_EQ(perf_check_device(&c, &in, err, sizeof(err)), -1);	/* no atomic group */
	CHECK_ERR(PARSE(&c, err, "-w", "block"), 0);
	CHECK_EQ(perf_check_device(&c, &in, err, sizeof(err)), -1);	/* no interrupts */
	CHECK_ERR(PARSE(&c, err, "-r", "8192"), 0);
	CHECK_EQ(perf_check_device(&c, &in, err, sizeof(err)), -1);	/* ring too big */
	CHECK_ERR(PARSE(&c, err, "-b", "1024", "-q", "2048"), 0);
	CHECK_EQ(perf_check_device(&c, &in, err, sizeof(err)), -1);	/* batch fills the ring */
}

/* Every long option is in --help and in the man page. */
TEST(help_and_man_cover_every_option)
{
	char *help = NULL, *page;
	size_t len = 0;
	FILE *f = open_memstream(&help, &len);
	struct stat st;

	REQUIRE(f);
	perf_usage(f);
	fclose(f);
	REQUIRE(!stat(man, &st));
	page = calloc(1, (size_t)st.st_size + 1);
	f = fopen(man, "r");
	REQUIRE(page && f);
	CHECK_EQ(fread(page, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	/* roff writes a hyphen as \\-: drop the escapes. */
	for (char *r = page, *w = page;; r++) {
		if (r[0] == '\\' && r[1] == '-')
			continue;
		if (!(*w++ = *r))
			break;
	}
	for (int i = 0; perf_long_names[i]; i++) {
		char opt[64];

		snprintf(opt, sizeof(opt), "--%s", perf_long_names[i]);
		if (!strstr(help, opt))
			printf("# --help lacks %s\n", opt), tap_cur.failed++;
		if (!strstr(page, opt))
			printf("# %s lacks %s\n", man, opt), tap_cur.failed++;
	}
	free(help);
	free(page);
}

TEST(hist_exact_below_128)
{
	struct hist h;

	hist_init(&h);
	for (uint64_t v = 0; v < 128; v++) {
		CHECK_EQ(hist_index(v), v);
		hist_add(&h, v);
	}
	CHECK_EQ(hist_quantile(&h, 0.5), 63);
	CHECK_EQ(hist_quantile(&h, 1.0), 127);
	CHECK_EQ(hist_quantile(&h, 0.001), 0);
	CHECK_EQ(h.min, 0);
	CHECK_EQ(h.max, 127);
}

TEST(hist_buckets_tile_the_range)
{
	for (unsigned int i = 0; i + 1 < HIST_BUCKETS; i++) {
		uint64_t lo = hist_lower(i), hi = hist_upper(i);

		if (hist_upper(i) + 1 != hist_lower(i + 1) || hist_index(lo) != i ||
		    hist_index(hi) != i) {
			printf("# bucket %u: [%llu, %llu]\n", i, (unsigned long long)lo,
			       (unsigned long long)hi);
			tap_cur.failed++;
			break;
		}
		/* Width at most 1/64 of the lower bound: < 1.6 % error. */
		if (lo >= 128 && (hi - lo + 1) * 64 > lo) {
			printf("# bucket %u too wide\n", i);
			tap_cur.failed++;
			break;
		}
	}
	CHECK_EQ(hist_upper(HIST_BUCKETS - 1), UINT64_MAX);
	CHECK_EQ(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
	CHECK_EQ(hist_index(128), 128);
	CHECK_EQ(hist_index(255), 191);
	CHECK_EQ(hist_index(256), 192);
}

TEST(hist_percentiles_of_uniform)
{
	struct hist h;
	uint64_t p50, p99, p999;

	hist_init(&h);
	for (uint64_t v = 1; v <= 10000; v++)
		hist_add(&h, v);
	p50 = hist_quantile(&h, 0.5);
	p99 = hist_quantile(&h, 0.99);
	p999 = hist_quantile(&h, 0.999);
	/* The reported value bounds the true one from above, within 1/64. */
	CHECK(p50 >= 5000 && p50 <= 5000 + 5000 / 64);
	CHECK(p99 >= 9900 && p99 <= 9900 + 9900 / 64);
	CHECK(p999 >= 9990 && p999 <= 10000);
	CHECK_EQ(hist_quantile(&h, 1.0), 10000);
	CHECK_EQ(h.min, 1);
	CHECK(hist_mean(&h) == 5000.5);
}

TEST(hist_merge_equals_combined)
{
	struct hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)), *all = malloc(sizeof(*all));
	uint64_t x = 88172645463325252ULL;

	REQUIRE(a && b && all);
	hist_init(a);
	hist_init(b);
	hist_init(all);
	for (int i = 0; i < 100000; i++) {
		uint64_t v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = x >> (x % 60);
		hist_add(i % 3 ? a : b, v);
		hist_add(all, v);
	}
	hist_merge(a, b);
	CHECK(!memcmp(a, all, sizeof(*a)));
	hist_init(b);
	hist_merge(a, b);	/* merging an empty one changes nothing */
	CHECK(!memcmp(a, all, sizeof(*a)));
	free(a);
	free(b);
	free(all);
}

TEST(hist_empty)
{
	struct hist h;

	hist_init(&h);
	CHECK_EQ(hist_quantile(&h, 0.5), 0);
	CHECK(hist_mean(&h) == 0);
	CHECK_EQ(h.count, 0);
}

TEST(verify_helpers_catch_one_byte)
{
	uint8_t a[4096], b[4096], blk[64];

	perf_pattern(a, sizeof(a), 1);
	memcpy(b, a, sizeof(b));
	CHECK_ERR(perf_verify_copy(b, a, sizeof(a)), 0);
	b[4095] ^= 1;
	CHECK_ERR(perf_verify_copy(b, a, sizeof(a)), -EIO);
	memset(b, 0x5a, sizeof(b));
	CHECK_ERR(perf_verify_fill(b, 0x5a5a5a5a5a5a5a5aULL, sizeof(b)), 0);
	CHECK_ERR(perf_verify_fill(b, 0x0102030405060708ULL, 8), -EIO);
	b[100] = 0;
	CHECK_ERR(perf_verify_fill(b, 0x5a5a5a5a5a5a5a5aULL, sizeof(b)), -EIO);
	perf_pattern(blk, sizeof(blk), 2);
	for (int i = 0; i < 64; i++)
		memcpy(b + 64 * i, blk, 64);
	CHECK_ERR(perf_verify_repcopy(b, blk, 64, sizeof(b)), 0);
	b[64 * 63 + 5] ^= 0x80;
	CHECK_ERR(perf_verify_repcopy(b, blk, 64, sizeof(b)), -EIO);
	/* Patterns differ by seed, so a stale buffer is caught. */
	perf_pattern(b, 64, 3);
	CHECK(memcmp(b, blk, 64) != 0);
}

TEST(csv_columns_unique)
{
	for (int i = 0; perf_csv_columns[i]; i++) {
		CHECK_EQ(perf_csv_column(perf_csv_columns[i]), i + 1);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(perf_csv_columns[i], perf_csv_columns[j]));
	}
	CHECK(perf_csv_column("gbps") > 0);
	CHECK_EQ(perf_csv_column("nope"), -1);
}

/* A strict JSON checker (the RFC 8259 grammar) for the run tests. */

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *js_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *js_value(const char *p, int depth)
{
	p = js_ws(p);
	if (depth > 64)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		int obj = *p == '{';

		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = js_string(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_value(p, depth + 1);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return js_number(p);
}

static int json_ok(const char *text)
{
	const char *end = js_value(text, 0);

	return end && !*js_ws(end);
}

TEST(json_checker_itself)
{
	CHECK(json_ok("{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\"], \"b\": {}}"));
	CHECK(!json_ok("{\"a\": 1,}"));
	CHECK(!json_ok("{\"a\": nan}"));
	CHECK(!json_ok("[1 2]"));
	CHECK(!json_ok("{\"a\": \"tab\there\"}"));
	CHECK(!json_ok("{} {}"));
}

/* Fields of a CSV line (double quotes honoured). */
static int csv_fields(const char *line)
{
	int n = 1, q = 0;

	for (; *line && *line != '\n'; line++) {
		if (*line == '"')
			q = !q;
		else if (*line == ',' && !q)
			n++;
	}
	return q ? -1 : n;
}

/* Every line has the header's field count; returns the number of rows. */
static int csv_rows(const char *text, int *bad)
{
	int cols = csv_fields(text), rows = 0;
	const char *p = strchr(text, '\n');

	*bad = cols < 2;
	while (p && p[1]) {
		p++;
		if (csv_fields(p) != cols)
			*bad = 1;
		rows++;
		p = strchr(p, '\n');
	}
	return rows;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Run sdxi-perf with @args; stdout in *out (caller frees); exit status. */
static int run(const char *args, char **out)
{
	char cmd[4096], o[512], e[512];
	int st;

	snprintf(o, sizeof(o), "%s/out", workdir);
	snprintf(e, sizeof(e), "%s/err", workdir);
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", bin, args, o, e);
	printf("# sdxi-perf %s\n", args);
	fflush(stdout);
	st = system(cmd);
	*out = slurp(o);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char *err = slurp(e);

		printf("# exit %d: %.300s\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		       err ? err : "");
		free(err);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* How many times @needle occurs in @hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Field @column of the CSV data row starting at @row into @val; 0 or -1. */
static int csv_field(const char *row, const char *column, char *val, size_t len)
{
	int col = perf_csv_column(column);
	const char *f = row;

	for (int i = 1; i < col && f; i++) {
		f = strchr(f, ',');
		f = f ? f + 1 : NULL;
	}
	if (col < 1 || !f)
		return -1;
	snprintf(val, len, "%.*s", (int)strcspn(f, ",\n"), f);
	return 0;
}

/* A field of every CSV data row: all equal to @want? */
static int csv_all(const char *text, const char *column, const char *want)
{
	const char *p = strchr(text, '\n');
	int rows = 0;

	while (p && p[1]) {
		char val[64];

		if (csv_field(++p, column, val, sizeof(val)))
			return 0;
		if (strcmp(val, want)) {
			printf("# %s = %s, want %s\n", column, val, want);
			return 0;
		}
		rows++;
		p = strchr(p, '\n');
	}
	return rows > 0;
}

TEST(run_copy_verified_json)
{
	char *out = NULL, path[512], args[1024];
	char *json;

	snprintf(path, sizeof(path), "%s/copy.json", workdir);
	snprintf(args, sizeof(args), "-d soft -s 64,4k -n 300 -W 32 -q 8 -b 4 --json %s", path);
	CHECK_EQ(run(args, &out), 0);
	REQUIRE(out);
	CHECK(strstr(out, "Throughput") && strstr(out, "Latency (ns)") &&
	      strstr(out, "Environment"));
	json = slurp(path);
	REQUIRE(json);
	CHECK(json_ok(json));
	CHECK_EQ(count(json, "\"verify\": \"ok\""), 4);	/* 2 sizes x (device, memcpy) */
	CHECK_EQ(count(json, "\"descs\": 300,"), 4);
	CHECK_EQ(count(json, "\"doorbells\": 75,"), 2);	/* 300 / batch 4 */
	CHECK_EQ(count(json, "\"errors\": 0,"), 4);
	CHECK(strstr(json, "\"device_soft\": true"));
	free(json);
	free(out);
}

TEST(run_every_op_csv)
{
	static const char *const ops[] = { "nop", "write-imm", "repcopy", "fill", "atomic-add",
					   "atomic-sub", "atomic-swap", "atomic-cmpswap",
					   "atomic-xor", "atomic-umax" };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char *out = NULL, args[256];
		int bad;

		snprintf(args, sizeof(args), "-d soft -o %s -n 201 -W 7 -q 4 -b 2 --csv", ops[i]);
		CHECK_EQ(run(args, &out), 0);
		if (!out) {
			tap_cur.failed++;
			continue;
		}
		CHECK(csv_rows(out, &bad) >= 1);
		CHECK(!bad);
		CHECK(csv_all(out, "errors", "0"));
		CHECK(csv_all(out, "descs", "201"));
		CHECK(csv_all(out, "verify", strcmp(ops[i], "nop") ? "ok" : "-"));
		free(out);
	}
}

TEST(run_wait_modes_and_cache)
{
	static const char *const variants[] = { "-w csb", "-w block", "-R cache",
						"-R cache -w block -b 3" };

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char *out = NULL, args[256];

		snprintf(args, sizeof(args), "-d soft -s 4k -n 150 -W 10 -q 6 %s --csv -m none",
			 variants[i]);
		CHECK_EQ(run(args, &out), 0);
		REQUIRE(out);
		CHECK(csv_all(out, "descs", "150"));
		CHECK(csv_all(out, "verify", "ok"));
		CHECK(csv_all(out, "errors", "0"));
		free(out);
	}
}

TEST(run_threads_contexts_processes)
{
	char *out = NULL;

	/* 2 processes x 2 threads x 2 contexts x 100 descriptors. */
	CHECK_EQ(run("-d soft -s 64 -n 100 -W 4 -q 4 -t 2 -C 2 -P 2 --csv", &out), 0);
	REQUIRE(out);
	CHECK(csv_all(out, "descs", "800"));
	CHECK(csv_all(out, "verify", "ok"));
	CHECK(csv_all(out, "procs", "2"));
	free(out);
	CHECK_EQ(run("-d soft -s 64 -n 50 -W 0 -q 2 -t 2 -k 0 --csv -m none", &out), 0);
	REQUIRE(out);
	CHECK(csv_all(out, "descs", "100"));
	free(out);
}

/*
 * Queue depth above the ring: a batch of 1000 right after another can be
 * reserved only once the device has retired 976 descriptors of the first,
 * about 100 us of work for the software device, while the next
 * reservation comes within a microsecond of the doorbell.  Seven such
 * back-to-back pairs: the ring is found full at least once unless the
 * submitting thread is descheduled for 100 us at each of them.
 */
TEST(run_ring_full_is_counted)
{
	char *out = NULL, val[64] = "";

	CHECK_EQ(run("-d soft -s 64 -r 1024 -q 4000 -b 1000 -n 8000 -W 0 --csv -m none", &out), 0);
	REQUIRE(out && strchr(out, '\n'));
	CHECK(csv_all(out, "verify", "ok"));
	CHECK(csv_all(out, "descs", "8000"));
	CHECK_EQ(csv_field(strchr(out, '\n') + 1, "ring_full", val, sizeof(val)), 0);
	printf("# ring_full = %s\n", val);
	CHECK(strtoull(val, NULL, 10) > 0);
	free(out);
}

TEST(run_compare_with_reference)
{
	char *out = NULL, path[512], args[1024], *json;

	snprintf(path, sizeof(path), "%s/cmp.json", workdir);
	snprintf(args, sizeof(args),
		 "-d soft -s 64 -n 64 -W 8 -m none --compare --ref dmatest:64=1000,4k=500 --json %s",
		 path);
	CHECK_EQ(run(args, &out), 0);
	REQUIRE(out);
	CHECK(strstr(out, "user-mapped vs kernel dmaengine"));
	CHECK(strstr(out, "blocking vs spinning"));
	CHECK(strstr(out, "batch 16 vs batch 1"));
	json = slurp(path);
	REQUIRE(json);
	CHECK(json_ok(json));
	CHECK(count(json, "\"what\":") >= 5);
	CHECK(strstr(json, "\"b\": \"dmatest\""));
	free(json);
	free(out);
}

TEST(run_machine_output_replaces_table)
{
	char *out = NULL;
	int bad;

	CHECK_EQ(run("-d soft -s 64 -n 20 -W 0 --json", &out), 0);
	REQUIRE(out);
	CHECK(json_ok(out));
	free(out);
	CHECK_EQ(run("-d soft -s 64,128 -n 20 -W 0 --csv", &out), 0);
	REQUIRE(out);
	CHECK(!strncmp(out, "label,", 6));
	CHECK_EQ(csv_rows(out, &bad), 4);
	CHECK(!bad);
	free(out);
}

TEST(run_plot_png_and_svg)
{
	char *out = NULL, args[2048], path[512], csv[512];
	FILE *f;
	unsigned char magic[8] = { 0 };

	if (system("command -v gnuplot >/dev/null 2>&1"))
		SKIP("gnuplot not installed (make deps)");
	snprintf(path, sizeof(path), "%s/p.png", workdir);
	snprintf(csv, sizeof(csv), "%s/p.csv", workdir);
	snprintf(args, sizeof(args), "-d soft -s 64,4k -n 50 -W 0 --csv %s --plot %s", csv, path);
	CHECK_EQ(run(args, &out), 0);
	free(out);
	f = fopen(path, "rb");
	REQUIRE(f);
	CHECK_EQ(fread(magic, 1, 8, f), 8);
	fclose(f);
	CHECK(!memcmp(magic, "\x89PNG", 4));
	snprintf(path, sizeof(path), "%s/p.svg", workdir);
	snprintf(args, sizeof(args), "-d soft -s 64 -n 50 -W 0 --plot %s --plot-add other=%s",
		 path, csv);
	CHECK_EQ(run(args, &out), 0);
	free(out);
	out = slurp(path);
	REQUIRE(out);
	CHECK(strstr(out, "<svg") != NULL);
	CHECK(strstr(out, "other") != NULL);
	free(out);
}

TEST(run_usage_and_device_errors)
{
	char *out = NULL;

	CHECK_EQ(run("--help", &out), 0);
	CHECK(out && strstr(out, "--device"));
	free(out);
	CHECK_EQ(run("--version", &out), 0);
	CHECK(out && strstr(out, "libsdxi"));
	free(out);
	CHECK_EQ(run("-q 0", &out), 2);
	free(out);
	CHECK_EQ(run("-d /dev/sdxi-none", &out), 2);
	free(out);
	out = slurp("/dev/null");
	free(out);
	{
		char e[512], *err;

		snprintf(e, sizeof(e), "%s/err", workdir);
		err = slurp(e);
		CHECK(err && strstr(err, "does not exist"));
		free(err);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: perf-test SDXI_PERF MAN_PAGE WORKDIR [FILTER]\n");
		return 2;
	}
	bin = argv[1];
	man = argv[2];
	workdir = argv[3];
	mkdir(workdir, 0755);
	perf_clock_init();
	argv[3] = argv[0];
	return tap_main(argc - 3, argv + 3);
}
