// SPDX-License-Identifier: MIT
/*
 * Command line of sdxi-perf: the option table, --help, and the parsers of
 * sizes ("4k", sweeps "64,4k,64k,1m" and "64:4m:x4"), CPU lists ("0-3,6")
 * and external references ("dmatest:64=1234,4096=987").  Everything that
 * can be checked without a device is checked here; perf_check_device()
 * does the rest once the device's capabilities are known.  Option letters
 * follow dsa-perf-micros where it has one (-o -s -q -b -i/-n -T -W -k -P
 * -m -v).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sdxi-perf.h"

static const char usage_text[] =
"Usage: sdxi-perf [OPTION]...\n"
"Measure an SDXI data mover through libsdxi: throughput, descriptor and\n"
"doorbell rates, latency percentiles (submit cost, device time and\n"
"end-to-end kept apart), CPU cycles per descriptor, against a CPU baseline.\n"
"\n"
"What to run:\n"
"  -d, --device DEV        /dev/sdxiN, sdxiN or \"soft\" (the software device);\n"
"                          default: $SDXI_DEVICE, else the nearest function\n"
"  -o, --op OP             nop, copy (default), write-imm, repcopy, fill,\n"
"                          atomic-add, atomic-swap, atomic-sub, atomic-and,\n"
"                          atomic-or, atomic-xor, atomic-smin, atomic-smax,\n"
"                          atomic-umin, atomic-umax, atomic-cmpswap (atomics\n"
"                          only when the device advertises the atomic group)\n"
"  -s, --size LIST         transfer sizes: 4k, a list 64,4k,64k,1m, a sweep\n"
"                          64:4m:x4 (times 4) or 4k:16k:+4k (plus 4k);\n"
"                          k/m/g are KiB/MiB/GiB.  Default 64,4k,64k,1m\n"
"                          (write-imm: 8,32; atomics: 8; nop: none)\n"
"      --block N           repcopy: source block size (default 64); the\n"
"                          size is the destination, a multiple of it\n"
"\n"
"How to submit:\n"
"  -q, --qd N              descriptors outstanding per context (default 32);\n"
"                          may exceed the ring (then ring-full events count)\n"
"  -b, --batch N           descriptors per doorbell (default 1)\n"
"  -r, --ring N            ring entries per context (default: device minimum)\n"
"  -t, --threads N         submitting threads per process (default 1)\n"
"  -C, --contexts N        contexts per thread (default 1)\n"
"  -P, --procs N           processes (fork), each with --threads threads\n"
"  -k, --cpus LIST         pin workers round robin to these CPUs (0-3,6)\n"
"  -w, --wait MODE         completion: poll (spin on the read index, default),\n"
"                          csb (spin on the completion block), block (sleep\n"
"                          until the completion interrupt)\n"
"  -R, --reg MODE          registration: prereg (registered once before the\n"
"                          run, default) or cache (sdxi_mem_iova() per\n"
"                          descriptor through the registration cache)\n"
"      --mode MODE         context mode: auto (SVA where the device offers\n"
"                          it, else pinned; default), sva (the process's\n"
"                          page tables, nothing registered) or pinned\n"
"                          (registered, pinned memory)\n"
"  -B, --bufs N            buffer pairs per context (default: the queue\n"
"                          depth, at most 64 MiB per context)\n"
"\n"
"How long:\n"
"  -n, --iterations N      descriptors per context per point (default: timed)\n"
"  -T, --duration SEC      seconds per point when not -n (default 0.25)\n"
"  -W, --warmup N          unmeasured descriptors per context first (default 256)\n"
"\n"
"Checks and baselines:\n"
"  -v, --verify [on|off]   check every destination after each point (default on)\n"
"  -V, --no-verify         the same as --verify=off\n"
"  -m, --baseline MODE     CPU baseline on the same buffers: memcpy (memset for\n"
"                          fill; default for copy and fill), movsb (rep movsb /\n"
"                          rep stosb, x86), none\n"
"  -c, --compare           also run the comparisons, printed as ratios: sync\n"
"                          copy (qd 1) at 64 B and 4 KiB, spin vs csb vs block\n"
"                          completion latency, batch 1 vs 16\n"
"      --ref LABEL:SIZE=OPS[,SIZE=OPS]...\n"
"                          an external reference in operations per second\n"
"                          (e.g. dmatest in performance mode) to compare the\n"
"                          sync copies with; repeatable\n"
"\n"
"Output (the default is a table on stdout):\n"
"  -j, --json [FILE]       JSON to FILE, or instead of the table (no FILE, -)\n"
"      --csv [FILE]        CSV to FILE, or instead of the table (no FILE, -)\n"
"  -p, --plot FILE         draw throughput vs size (device and CPU baseline)\n"
"                          and latency percentiles to FILE.png or FILE.svg\n"
"                          with gnuplot\n"
"      --plot-add LABEL=CSV  add the rows of another run's --csv file to the\n"
"                          plot as LABEL; repeatable\n"
"      --tag TEXT          a free-form label stored with the results\n"
"      --quiet             no progress lines on stderr\n"
"  -h, --help              this text\n"
"      --version           version of sdxi-perf and libsdxi\n"
"\n"
"Units: GB/s is 1e9 bytes per second, payload bytes counted once per copy\n"
"(the memory bus moves twice that).  Latencies are in ns, per batch (per\n"
"descriptor at batch 1): submit = encode + publish + doorbell; device =\n"
"doorbell until the completion is seen; e2e = call until completion seen.\n"
"Cycles are TSC ticks on the submitting core, not counting time spent\n"
"waiting.  Exit status: 0; 1 when a descriptor failed or verification\n"
"failed; 2 for bad options or an unusable device.\n";

enum {
	OPT_BLOCK = 256,
	OPT_CSV,
	OPT_PLOT_ADD,
	OPT_REF,
	OPT_TAG,
	OPT_QUIET,
	OPT_VERSION,
	OPT_MODE,
};

static const struct option long_opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "op", required_argument, NULL, 'o' },
	{ "size", required_argument, NULL, 's' },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "qd", required_argument, NULL, 'q' },
	{ "batch", required_argument, NULL, 'b' },
	{ "ring", required_argument, NULL, 'r' },
	{ "threads", required_argument, NULL, 't' },
	{ "contexts", required_argument, NULL, 'C' },
	{ "procs", required_argument, NULL, 'P' },
	{ "cpus", required_argument, NULL, 'k' },
	{ "wait", required_argument, NULL, 'w' },
	{ "reg", required_argument, NULL, 'R' },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "bufs", required_argument, NULL, 'B' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'T' },
	{ "warmup", required_argument, NULL, 'W' },
	{ "verify", optional_argument, NULL, 'v' },
	{ "no-verify", no_argument, NULL, 'V' },
	{ "baseline", required_argument, NULL, 'm' },
	{ "compare", no_argument, NULL, 'c' },
	{ "ref", required_argument, NULL, OPT_REF },
	{ "json", optional_argument, NULL, 'j' },
	{ "csv", optional_argument, NULL, OPT_CSV },
	{ "plot", required_argument, NULL, 'p' },
	{ "plot-add", required_argument, NULL, OPT_PLOT_ADD },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

const char *const perf_long_names[] = {
	"device", "op", "size", "block", "qd", "batch", "ring", "threads", "contexts",
	"procs", "cpus", "wait", "reg", "bufs", "iterations", "duration", "warmup",
	"verify", "no-verify", "baseline", "compare", "ref", "json", "csv", "plot",
	"plot-add", "tag", "quiet", "help", "version", "mode", NULL,
};

void perf_usage(FILE *f)
{
	fputs(usage_text, f);
}

static const struct {
	const char *name;
	enum perf_op op;
	unsigned int atomic;
} ops[] = {
	{ "nop", OP_NOP, 0 },
	{ "copy", OP_COPY, 0 },
	{ "write-imm", OP_WRITE_IMM, 0 },
	{ "repcopy", OP_REPCOPY, 0 },
	{ "fill", OP_FILL, 0 },
	{ "atomic-swap", OP_ATOMIC, SDXI_DSC_ATOMIC_SWAP },
	{ "atomic-add", OP_ATOMIC, SDXI_DSC_ATOMIC_UADD },
	{ "atomic-sub", OP_ATOMIC, SDXI_DSC_ATOMIC_USUB },
	{ "atomic-and", OP_ATOMIC, SDXI_DSC_ATOMIC_AND },
	{ "atomic-or", OP_ATOMIC, SDXI_DSC_ATOMIC_OR },
	{ "atomic-xor", OP_ATOMIC, SDXI_DSC_ATOMIC_XOR },
	{ "atomic-smin", OP_ATOMIC, SDXI_DSC_ATOMIC_SMIN },
	{ "atomic-smax", OP_ATOMIC, SDXI_DSC_ATOMIC_SMAX },
	{ "atomic-umin", OP_ATOMIC, SDXI_DSC_ATOMIC_UMIN },
	{ "atomic-umax", OP_ATOMIC, SDXI_DSC_ATOMIC_UMAX },
	{ "atomic-cmpswap", OP_ATOMIC, SDXI_DSC_ATOMIC_CMPSWAP },
};

int perf_op_lookup(const char *name, enum perf_op *op, unsigned int *atomic_op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(name, ops[i].name) ||
		    (ops[i].op == OP_WRITE_IMM && !strcmp(name, "write_imm"))) {
			*op = ops[i].op;
			*atomic_op = ops[i].atomic;
			return 0;
		}
	}
	return -EINVAL;
}

const char *perf_wait_name(enum perf_wait w)
{
	return w == WAIT_CSB ? "csb" : w == WAIT_BLOCK ? "block" : "poll";
}

const char *perf_reg_name(enum perf_reg r)
{
	return r == REG_CACHE ? "cache" : "prereg";
}

const char *perf_base_name(enum perf_base b)
{
	return b == BASE_MEMCPY ? "memcpy" : b == BASE_MOVSB ? "movsb" : "none";
}

int perf_op_sized(enum perf_op op)
{
	return op != OP_NOP && op != OP_ATOMIC;
}

uint64_t perf_op_bytes(enum perf_op op, uint64_t size)
{
	return op == OP_NOP ? 0 : op == OP_ATOMIC ? 0 : size;
}

/* "4k", "64", "1MiB", "2g": k/m/g/t are powers of 1024.  0 or -EINVAL. */
int perf_parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	char *end;
	uint64_t v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case 'k': shift = 10; end++; break;
	case 'm': shift = 20; end++; break;
	case 'g': shift = 30; end++; break;
	case 't': shift = 40; end++; break;
	default: break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

static int add_size(uint64_t *sizes, unsigned int max, unsigned int *n, uint64_t v)
{
	if (*n >= max)
		return -E2BIG;
	sizes[(*n)++] = v;
	return 0;
}

/*
 * A comma-separated list of sizes and sweeps: A:B:xF (A, A*F, ... up to B),
 * A:B:+S (A, A+S, ... up to B), A:B (x2).  0, -EINVAL or -E2BIG (more than
 * @max sizes).
 */
int perf_parse_sizes(const char *s, uint64_t *sizes, unsigned int max, unsigned int *n)
{
	char buf[256], *save = NULL, *item;
	int ret = 0;

	*n = 0;
	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (item = strtok_r(buf, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
		char *c1 = strchr(item, ':'), *c2;
		uint64_t a, b, step = 2;
		int mul = 1;

		if (!c1) {
			ret = perf_parse_size(item, &a);
			if (!ret)
				ret = add_size(sizes, max, n, a);
			continue;
		}
		*c1++ = 0;
		c2 = strchr(c1, ':');
		if (c2) {
			*c2++ = 0;
			if (*c2 == 'x' || *c2 == '*')
				mul = 1;
			else if (*c2 == '+')
				mul = 0;
			else
				return -EINVAL;
			ret = perf_parse_size(c2 + 1, &step);
			if (ret)
				return ret;
		}
		ret = perf_parse_size(item, &a);
		if (!ret)
			ret = perf_parse_size(c1, &b);
		if (ret || a > b || (mul && step < 2))
			return -EINVAL;
		for (uint64_t v = a; v <= b && !ret;) {
			ret = add_size(sizes, max, n, v);
			if (mul ? v > UINT64_MAX / step : v > UINT64_MAX - step)
				break;
			v = mul ? v * step : v + step;
		}
	}
	if (!ret && *n == 0)
		ret = -EINVAL;
	return ret;
}

/* "0-3,6": CPU numbers below PERF_MAX_CPUS.  0 or -EINVAL / -E2BIG. */
int perf_parse_cpus(const char *s, int *cpus, unsigned int max, unsigned int *n)
{
	const char *p = s;

	*n = 0;
	if (!s || !*s)
		return -EINVAL;
	while (*p) {
		char *end;
		long a, b;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		a = strtol(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			b = strtol(end + 1, &end, 10);
		}
		if (a > b || b >= PERF_MAX_CPUS)
			return -EINVAL;
		for (long c = a; c <= b; c++) {
			if (*n >= max)
				return -E2BIG;
			cpus[(*n)++] = (int)c;
		}
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	return 0;
}

/* "LABEL:SIZE=OPS[,SIZE=OPS]...".  0 or -EINVAL. */
int perf_parse_ref(const char *s, struct perf_ref *ref)
{
	const char *colon = strchr(s, ':');
	char buf[256], *save = NULL, *item;

	memset(ref, 0, sizeof(*ref));
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(ref->label) ||
	    strlen(colon + 1) >= sizeof(buf))
		return -EINVAL;
	memcpy(ref->label, s, (size_t)(colon - s));
	strcpy(buf, colon + 1);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		double v;

		if (!eq || ref->n >= sizeof(ref->size) / sizeof(ref->size[0]))
			return -EINVAL;
		*eq = 0;
		if (perf_parse_size(item, &ref->size[ref->n]))
			return -EINVAL;
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !(v > 0))
			return -EINVAL;
		ref->ops[ref->n++] = v;
	}
	return ref->n ? 0 : -EINVAL;
}

/* Format an error message into @err and return -1. */
int perf_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A positive integer no larger than @max. */
static int uint_arg(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static void cfg_defaults(struct perf_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->op = OP_COPY;
	strcpy(cfg->op_name, "copy");
	cfg->qd = 32;
	cfg->batch = 1;
	cfg->ring = 0;
	cfg->threads = 1;
	cfg->contexts = 1;
	cfg->procs = 1;
	cfg->duration = 0.25;
	cfg->warmup = 256;
	cfg->verify = 1;
	cfg->wait = WAIT_POLL;
	cfg->reg = REG_PRE;
	cfg->block = 64;
}

/* Sizes and baseline that depend on the operation, and cross-checks. */
static int cfg_finish(struct perf_cfg *cfg, char *err, size_t len)
{
	if (!cfg->sizes_given) {
		static const uint64_t dflt[] = { 64, 4096, 65536, 1 << 20 };

		cfg->nsizes = 0;
		if (cfg->op == OP_WRITE_IMM) {
			cfg->sizes[cfg->nsizes++] = 8;
			cfg->sizes[cfg->nsizes++] = 32;
		} else if (cfg->op == OP_ATOMIC) {
			cfg->sizes[cfg->nsizes++] = 8;
		} else if (cfg->op == OP_NOP) {
			cfg->sizes[cfg->nsizes++] = 0;
		} else {
			for (unsigned int i = 0; i < 4; i++)
				cfg->sizes[cfg->nsizes++] = dflt[i];
		}
	}
	for (unsigned int i = 0; i < cfg->nsizes; i++) {
		uint64_t s = cfg->sizes[i];

		if (cfg->op == OP_NOP && cfg->sizes_given)
			return perf_fail(err, len, "nop takes no --size");
		if (cfg->op == OP_WRITE_IMM && s > SDXI_WRT_IMM_MAX)
			return perf_fail(err, len, "write-imm writes 1..%d bytes, not %llu",
				    SDXI_WRT_IMM_MAX, (unsigned long long)s);
		if (cfg->op == OP_ATOMIC && s != 4 && s != 8)
			return perf_fail(err, len, "atomics are 4 or 8 bytes, not %llu",
				    (unsigned long long)s);
		if (cfg->op == OP_REPCOPY && s % cfg->block)
			return perf_fail(err, len, "repcopy size %llu is not a multiple of the block (%llu)",
				    (unsigned long long)s, (unsigned long long)cfg->block);
		if (s > SDXI_DESC_MAX_LEN)
			return perf_fail(err, len, "size %llu above the 4 GiB a descriptor can encode",
				    (unsigned long long)s);
	}
	if (cfg->batch > cfg->qd)
		return perf_fail(err, len, "batch (%u) larger than the queue depth (%u)", cfg->batch,
			    cfg->qd);
	if (cfg->procs * cfg->threads > PERF_MAX_WORKERS)
		return perf_fail(err, len, "more than %d workers (processes x threads)",
			    PERF_MAX_WORKERS);
	if (!cfg->baseline_given)
		cfg->baseline = (cfg->op == OP_COPY || cfg->op == OP_FILL) ? BASE_MEMCPY : BASE_NONE;
	else if (cfg->baseline != BASE_NONE && cfg->op != OP_COPY && cfg->op != OP_FILL)
		return perf_fail(err, len, "the CPU baseline exists for copy and fill only");
#if !defined(__x86_64__) && !defined(__i386__)
	if (cfg->baseline == BASE_MOVSB)
		return perf_fail(err, len, "movsb is x86 only");
#endif
	if (cfg->json && cfg->csv && !strcmp(cfg->json, "-") && !strcmp(cfg->csv, "-"))
		return perf_fail(err, len, "--json and --csv cannot both replace the table");
	if (cfg->plot) {
		const char *dot = strrchr(cfg->plot, '.');

		if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg")))
			return perf_fail(err, len, "--plot wants a .png or .svg file name");
	}
	return 0;
}

/*
 * Parse argv into @cfg.  Returns 0, 1 when --help or --version was handled
 * (printed to stdout), -1 with a message in @err for bad options.
 */
int perf_parse_args(int argc, char **argv, struct perf_cfg *cfg, char *err, size_t len)
{
	const char *shorts = "d:o:s:q:b:r:t:C:P:k:w:R:B:n:T:W:v::Vm:cj::p:h";
	uint64_t v;
	int c;

	cfg_defaults(cfg);
	opterr = 0;
	optind = 0;	/* GNU: full re-initialisation, so tests can parse twice */
	while ((c = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		const char *a = optarg;

		/*
		 * Optional values may also be the next word ("--json out.json"):
		 * sdxi-perf takes no operands, so a word that is not an option
		 * can only be the value.
		 */
		if (!a && (c == 'j' || c == OPT_CSV || c == 'v') && optind < argc &&
		    argv[optind][0] && (argv[optind][0] != '-' || !strcmp(argv[optind], "-")))
			a = argv[optind++];
		switch (c) {
		case 'd':
			cfg->device = a;
			break;
		case 'o':
			if (perf_op_lookup(a, &cfg->op, &cfg->atomic_op))
				return perf_fail(err, len, "unknown --op '%s' (see --help)", a);
			snprintf(cfg->op_name, sizeof(cfg->op_name), "%s",
				 !strcmp(a, "write_imm") ? "write-imm" : a);
			break;
		case 's':
			if (perf_parse_sizes(a, cfg->sizes, PERF_MAX_SIZES, &cfg->nsizes))
				return perf_fail(err, len, "bad --size '%s' (4k, 64,4k,1m or 64:4m:x4; at most %d sizes)",
					    a, PERF_MAX_SIZES);
			cfg->sizes_given = 1;
			break;
		case OPT_BLOCK:
			if (perf_parse_size(a, &cfg->block))
				return perf_fail(err, len, "bad --block '%s'", a);
			break;
		case 'q':
		case 'b':
		case 'r':
		case 't':
		case 'C':
		case 'P':
		case 'B':
			if (uint_arg(a, 1u << 24, &v) || v == 0)
				return perf_fail(err, len, "-%c wants a positive number, not '%s'", c, a);
			if (c == 'q')
				cfg->qd = (unsigned int)v;
			else if (c == 'b')
				cfg->batch = (unsigned int)v;
			else if (c == 'r')
				cfg->ring = (unsigned int)v;
			else if (c == 't')
				cfg->threads = (unsigned int)v;
			else if (c == 'C')
				cfg->contexts = (unsigned int)v;
			else if (c == 'P')
				cfg->procs = (unsigned int)v;
			else
				cfg->bufs = (unsigned int)v;
			break;
		case 'k':
			if (perf_parse_cpus(a, cfg->cpus, PERF_MAX_CPUS, &cfg->ncpus))
				return perf_fail(err, len, "bad --cpus '%s' (e.g. 0-3,6)", a);
			break;
		case 'w':
			if (!strcmp(a, "poll") || !strcmp(a, "read-index"))
				cfg->wait = WAIT_POLL;
			else if (!strcmp(a, "csb"))
				cfg->wait = WAIT_CSB;
			else if (!strcmp(a, "block"))
				cfg->wait = WAIT_BLOCK;
			else
				return perf_fail(err, len, "unknown --wait '%s' (poll, csb, block)", a);
			break;
		case 'R':
			if (!strcmp(a, "prereg"))
				cfg->reg = REG_PRE;
			else if (!strcmp(a, "cache"))
				cfg->reg = REG_CACHE;
			else
				return perf_fail(err, len, "unknown --reg '%s' (prereg, cache)", a);
			break;
		case 'n':
			if (uint_arg(a, UINT64_MAX / 2, &cfg->iterations) || !cfg->iterations)
				return perf_fail(err, len, "bad --iterations '%s'", a);
			break;
		case 'T': {
			char *end;

			cfg->duration = strtod(a, &end);
			if (end == a || *end || !(cfg->duration > 0) || cfg->duration > 86400)
				return perf_fail(err, len, "bad --duration '%s' (seconds)", a);
			break;
		}
		case 'W':
			if (uint_arg(a, UINT64_MAX / 2, &cfg->warmup))
				return perf_fail(err, len, "bad --warmup '%s'", a);
			break;
		case 'v':
			if (!a || !strcmp(a, "on") || !strcmp(a, "1"))
				cfg->verify = 1;
			else if (!strcmp(a, "off") || !strcmp(a, "0"))
				cfg->verify = 0;
			else
				return perf_fail(err, len, "--verify is on or off, not '%s'", a);
			break;
		case 'V':
			cfg->verify = 0;
			break;
		case 'm':
			if (!strcmp(a, "memcpy") || !strcmp(a, "memset"))
				cfg->baseline = BASE_MEMCPY;
			else if (!strcmp(a, "movsb"))
				cfg->baseline = BASE_MOVSB;
			else if (!strcmp(a, "none"))
				cfg->baseline = BASE_NONE;
			else
				return perf_fail(err, len, "unknown --baseline '%s' (memcpy, movsb, none)", a);
			cfg->baseline_given = 1;
			break;
		case 'c':
			cfg->compare = 1;
			break;
		case OPT_REF:
			if (cfg->nrefs >= PERF_MAX_REFS ||
			    perf_parse_ref(a, &cfg->refs[cfg->nrefs]))
				return perf_fail(err, len, "bad --ref '%s' (LABEL:SIZE=OPS[,SIZE=OPS]...)", a);
			cfg->nrefs++;
			break;
		case 'j':
			cfg->json = a ? a : "-";
			break;
		case OPT_CSV:
			cfg->csv = a ? a : "-";
			break;
		case 'p':
			cfg->plot = a;
			break;
		case OPT_PLOT_ADD: {
			const char *eq = strchr(a, '=');

			if (!eq || eq == a || !eq[1] || cfg->nplot_add >= PERF_MAX_PLOT_ADD)
				return perf_fail(err, len, "bad --plot-add '%s' (LABEL=FILE.csv)", a);
			cfg->plot_label[cfg->nplot_add] = strndup(a, (size_t)(eq - a));
			cfg->plot_file[cfg->nplot_add++] = eq + 1;
			break;
		}
		case OPT_MODE:
			if (!strcmp(a, "auto"))
				cfg->mode = SDXI_CTX_MODE_AUTO;
			else if (!strcmp(a, "sva"))
				cfg->mode = SDXI_CTX_MODE_SVA;
			else if (!strcmp(a, "pinned"))
				cfg->mode = SDXI_CTX_MODE_PINNED;
			else
				return perf_fail(err, len, "unknown --mode '%s' (auto, sva, pinned)", a);
			break;
		case OPT_TAG:
			cfg->tag = a;
			break;
		case OPT_QUIET:
			cfg->quiet = 1;
			break;
		case 'h':
			perf_usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("sdxi-perf %s (libsdxi %d.%d, built against %d.%d)\n", PERF_VERSION,
			       sdxi_lib_major(), sdxi_lib_minor(), SDXI_LIB_MAJOR, SDXI_LIB_MINOR);
			return 1;
		case ':':
			return perf_fail(err, len, "option needs a value (see --help)");
		default:
			if (optopt && optopt < 256)
				return perf_fail(err, len, "unknown option '-%c' (see --help)", optopt);
			return perf_fail(err, len, "unknown option '%s' (see --help)",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return perf_fail(err, len, "unexpected argument '%s' (see --help)", argv[optind]);
	return cfg_finish(cfg, err, len);
}

/* What only the device can tell: op groups, ring range, buffer size, interrupts. */
int perf_check_device(const struct perf_cfg *cfg, const struct sdxi_dev_info *info,
		      char *err, size_t len)
{
	uint32_t need = cfg->op == OP_ATOMIC ? SDXI_OPB_ATOMIC : SDXI_OPB_DMAB;

	if (!(info->op_groups & need))
		return perf_fail(err, len, "%s does not advertise the %s operation group (op groups 0x%x)",
			    info->path, cfg->op == OP_ATOMIC ? "atomic" : "DMA base",
			    info->op_groups);
	if (cfg->ring && (cfg->ring < info->min_ring_entries ||
			  cfg->ring > info->max_ring_entries))
		return perf_fail(err, len, "--ring %u outside the device's %u..%u", cfg->ring,
			    info->min_ring_entries, info->max_ring_entries);
	for (unsigned int i = 0; i < cfg->nsizes; i++)
		if (perf_op_sized(cfg->op) && cfg->sizes[i] > info->max_buffer)
			return perf_fail(err, len, "size %llu above the device's max buffer (%llu)",
				    (unsigned long long)cfg->sizes[i],
				    (unsigned long long)info->max_buffer);
	{
		/* The library rounds the ring up to a power of two. */
		uint64_t ring = cfg->ring ? cfg->ring : info->min_ring_entries, r2 = 1;
		unsigned int per_op = cfg->op == OP_FILL ? 2 : 1;

		while (r2 < ring)
			r2 <<= 1;
		if ((uint64_t)cfg->batch * per_op + 1 > r2)
			return perf_fail(err, len, "batch of %u does not fit a ring of %llu entries",
				    cfg->batch, (unsigned long long)r2);
	}
	if (cfg->wait == WAIT_BLOCK && !(info->flags & SDXI_DEV_INTERRUPTS))
		return perf_fail(err, len, "%s has no completion interrupts: --wait block is not possible",
			    info->path);
	return 0;
}
