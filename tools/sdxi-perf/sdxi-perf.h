/* SPDX-License-Identifier: MIT */
/*
 * sdxi-perf: SDXI data-mover micro-benchmark built on libsdxi's public
 * API.  This header holds what the parts share: the configuration that
 * option parsing produces (opts.c), one measurement point and its result
 * (worker.c runs points in threads and processes), the environment block
 * (env.c), the clock (clock.c), and the writers (report.c, plot.c).
 */
#ifndef SDXI_PERF_H
#define SDXI_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sdxi.h>

#include "hist.h"

#define PERF_VERSION		"1.0"

#define PERF_MAX_SIZES		64
#define PERF_MAX_CPUS		1024
#define PERF_MAX_REFS		8
#define PERF_MAX_PLOT_ADD	8
#define PERF_MAX_WORKERS	256	/* processes x threads */

/* What one descriptor does (-o). */
enum perf_op {
	OP_NOP,
	OP_COPY,
	OP_WRITE_IMM,
	OP_REPCOPY,
	OP_FILL,
	OP_ATOMIC,
};

/* How completions are observed (-w). */
enum perf_wait {
	WAIT_POLL,	/* spin on the read index: sdxi_poll() */
	WAIT_CSB,	/* spin on the ticket's completion block: sdxi_wait(SPIN) */
	WAIT_BLOCK,	/* sleep until the completion interrupt: sdxi_wait(BLOCK) */
};

/* How buffers reach the device (-R). */
enum perf_reg {
	REG_PRE,	/* registered once with sdxi_mem_register() before the run */
	REG_CACHE,	/* sdxi_mem_iova() per descriptor: the registration cache */
};

/* The CPU baseline (-m). */
enum perf_base {
	BASE_NONE,
	BASE_MEMCPY,	/* glibc memcpy(), or memset() for fill */
	BASE_MOVSB,	/* rep movsb / rep stosb (x86) */
};

/* An external reference measured outside sdxi-perf (--ref), ops/s by size. */
struct perf_ref {
	char label[48];
	unsigned int n;
	uint64_t size[8];
	double ops[8];
};

struct perf_cfg {
	const char *device;		/* NULL: the library's default device */
	enum perf_op op;
	unsigned int atomic_op;		/* SDXI_DSC_ATOMIC_* for OP_ATOMIC */
	char op_name[24];
	uint64_t sizes[PERF_MAX_SIZES];
	unsigned int nsizes;
	int sizes_given;
	unsigned int qd;		/* descriptors outstanding per context */
	unsigned int batch;		/* descriptors per doorbell */
	unsigned int ring;		/* ring entries per context */
	unsigned int threads;		/* per process */
	unsigned int contexts;		/* per thread */
	unsigned int procs;
	uint64_t iterations;		/* descriptors per context; 0: timed */
	double duration;		/* seconds per point when timed */
	uint64_t warmup;		/* descriptors per context, not measured */
	int verify;
	enum perf_wait wait;
	enum perf_reg reg;
	uint32_t mode;			/* --mode: SDXI_CTX_MODE_* asked for */
	enum perf_base baseline;
	int baseline_given;
	int cpus[PERF_MAX_CPUS];	/* -k: workers pinned round robin */
	unsigned int ncpus;
	unsigned int bufs;		/* buffer pairs per context; 0: auto */
	uint64_t block;			/* repcopy source block */
	int compare;
	struct perf_ref refs[PERF_MAX_REFS];
	unsigned int nrefs;
	const char *json;		/* "-": stdout instead of the table */
	const char *csv;
	const char *plot;
	const char *plot_label[PERF_MAX_PLOT_ADD];
	const char *plot_file[PERF_MAX_PLOT_ADD];
	unsigned int nplot_add;
	const char *tag;
	int quiet;
};

/* One measurement: a configuration of the run at one size. */
struct perf_point {
	char label[16];			/* "sweep", "sync", "csb", "block", "batch1", ... */
	int cpu;			/* 1: the CPU baseline instead of the device */
	enum perf_op op;
	unsigned int atomic_op;
	uint64_t size;			/* bytes per descriptor; 0 when it has none */
	unsigned int qd;
	unsigned int batch;
	enum perf_wait wait;
};

/* First descriptor failure a worker saw (decoded by libsdxi). */
struct perf_fail {
	int have;
	int err;			/* what the ticket returned */
	struct sdxi_error rec;
};

/*
 * What one worker thread measured, and the merge of all of them.  Plain
 * data: processes send it to the parent over a pipe as raw bytes.
 */
struct perf_result {
	uint64_t descs;			/* data descriptors completed (measured) */
	uint64_t batches;		/* doorbells (measured) */
	uint64_t bytes;			/* payload bytes, counted once per copy */
	uint64_t ring_full;		/* reservations refused: ring full */
	uint64_t errors;		/* completions that reported a failure */
	uint64_t verify_checked;	/* buffers compared */
	uint64_t verify_failed;
	uint64_t ticks_total;		/* measured phase of each worker, summed */
	uint64_t ticks_wait;		/* of which waiting for completions */
	uint64_t ticks_submit;		/* of which encode + publish + doorbell */
	uint64_t start_ns, end_ns;	/* CLOCK_MONOTONIC span: first start, last end */
	unsigned int workers;
	int setup_err;			/* negative errno of a failed setup, else 0 */
	char setup_msg[128];
	struct perf_fail fail;
	struct hist submit;		/* ns per batch: call until doorbell rung */
	struct hist device;		/* ns per batch: doorbell until completion seen */
	struct hist e2e;		/* ns per batch: call until completion seen */
};

/* A point and its merged result, as reported. */
struct perf_row {
	struct perf_point pt;
	struct perf_result *res;
	double seconds;
	double gbps;			/* 1e9 bytes per second */
	double descs_per_s;
	double doorbells_per_s;
	double cycles_per_desc;		/* busy (not waiting) ticks per descriptor */
	double submit_cycles_per_desc;
	double busy_pct;
};

/* The environment block (env.c). */
struct perf_env {
	char when[40];			/* UTC, ISO 8601 */
	char cmdline[512];
	char kernel[320];		/* uname: sysname release version machine */
	char cpu_model[96];
	unsigned int cpus_online;
	char governor[32];
	char numa_balancing[16];
	char hypervisor[16];		/* CPUID 0x40000000 vendor, "" when none */
	int hypervisor_bit;		/* CPUID.1:ECX[31] */
	int tsc_invariant;		/* CPUID.80000007H:EDX[8] */
	double tick_hz;			/* calibrated against CLOCK_MONOTONIC */
	const char *tick_source;	/* "rdtsc" or "clock_gettime" */
	double timer_overhead_ns;	/* two back-to-back tick reads */
	char lib[32];			/* runtime and compile-time libsdxi versions */
	char driver[256];
	char device[64];
	struct sdxi_dev_info info;
	int have_info;
	char pci_id[16];		/* vendor:device of the PCI function, or "" */
	char emulation[320];		/* one line: what is emulated */
	int guest_tcg;			/* the CPU is emulated by QEMU TCG */
	int device_soft;
	int device_qemu;
	char build[64];			/* sdxi-perf build (git describe) */
	char isolation[32];
	char mode[16];			/* "sva", "pinned": what contexts got */
	char mode_asked[16];		/* --mode */
	char policy[160];		/* the offload policy of a default context */
	struct sdxi_policy pol;
	int have_policy;
};

/* clock.c: ticks are TSC cycles on x86, nanoseconds elsewhere. */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t perf_ticks(void)
{
	return __rdtsc();
}
#else
uint64_t perf_ticks(void);
#endif
void perf_clock_init(void);
extern double perf_tick_hz;
uint64_t perf_now_ns(void);
static inline uint64_t perf_ticks_to_ns(uint64_t t)
{
	return (uint64_t)((double)t * 1e9 / perf_tick_hz);
}
double perf_timer_overhead_ns(void);

/* opts.c */
int perf_parse_args(int argc, char **argv, struct perf_cfg *cfg, char *err, size_t errlen);
int perf_fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int perf_parse_size(const char *s, uint64_t *out);
int perf_parse_sizes(const char *s, uint64_t *sizes, unsigned int max, unsigned int *n);
int perf_parse_cpus(const char *s, int *cpus, unsigned int max, unsigned int *n);
int perf_parse_ref(const char *s, struct perf_ref *ref);
int perf_op_lookup(const char *name, enum perf_op *op, unsigned int *atomic_op);
const char *perf_wait_name(enum perf_wait w);
const char *perf_reg_name(enum perf_reg r);
const char *perf_base_name(enum perf_base b);
void perf_usage(FILE *f);
/* Long option names (NULL terminated), for the tests. */
extern const char *const perf_long_names[];
/* Payload bytes of one descriptor of @op at @size. */
uint64_t perf_op_bytes(enum perf_op op, uint64_t size);
/* Does @op take a size (copy, fill, ...) or not (nop, atomics)? */
int perf_op_sized(enum perf_op op);
/* Validate @cfg against a device; 0 or -1 with a message. */
int perf_check_device(const struct perf_cfg *cfg, const struct sdxi_dev_info *info,
		      char *err, size_t errlen);

/* worker.c */
int perf_run_point(const struct perf_cfg *cfg, const struct perf_point *pt,
		   struct sdxi_dev *dev, struct perf_result *res);
void perf_result_init(struct perf_result *r);
void perf_result_merge(struct perf_result *dst, const struct perf_result *src);
void perf_row_compute(struct perf_row *row);
/* Compare @len bytes of what the device wrote; exposed for the tests. */
int perf_verify_copy(const uint8_t *dst, const uint8_t *src, uint64_t len);
int perf_verify_fill(const uint8_t *dst, uint64_t pattern, uint64_t len);
int perf_verify_repcopy(const uint8_t *dst, const uint8_t *block, uint64_t blen,
			uint64_t len);
void perf_pattern(uint8_t *p, uint64_t len, uint64_t seed);

/* env.c */
void perf_env_collect(struct perf_env *env, int argc, char **argv,
		      const struct perf_cfg *cfg, struct sdxi_dev *dev);

/* report.c */
void perf_print_table(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env,
		      const struct perf_row *rows, unsigned int n);
void perf_print_json(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env,
		     const struct perf_row *rows, unsigned int n);
void perf_print_csv(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env,
		    const struct perf_row *rows, unsigned int n);
extern const char *const perf_csv_columns[];
int perf_csv_column(const char *name);
void perf_fmt_size(char *buf, size_t len, uint64_t size);

/* plot.c */
int perf_plot(const struct perf_cfg *cfg, const struct perf_env *env, const char *csv,
	      char *err, size_t errlen);

#endif /* SDXI_PERF_H */
