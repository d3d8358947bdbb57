/* SPDX-License-Identifier: MIT */
/*
 * libsdxi-offload internals: memcpy(), memmove() and memset() of an
 * unmodified program (LD_PRELOAD) sent to an SDXI device above a size
 * threshold, on the CPU otherwise.  See sdxi-offload(7).
 *
 * The rule every file here follows: code that may run inside an
 * interposed call (configuration, the device path, statistics, the
 * signal trampoline) enters the thread's guard first (oflo_guard_enter),
 * so that every memcpy() it causes, directly or through libc and libsdxi,
 * takes the CPU path and never recurses into the device path.
 */
#ifndef SDXI_OFFLOAD_H
#define SDXI_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#define OFLO_TLS __attribute__((tls_model("initial-exec")))
#define OFLO_HIDDEN __attribute__((visibility("hidden")))

/* The interposed operations: one switch and one stats row each. */
enum oflo_fn { OFLO_MEMCPY, OFLO_MEMMOVE, OFLO_MEMSET, OFLO_NFN };

/* Why a call at or above the threshold ran on the CPU. */
enum oflo_fallback {
	OFLO_FB_SIGNAL,		/* in a signal handler */
	OFLO_FB_CHILD,		/* a fork()/vfork()/posix_spawn() child */
	OFLO_FB_OVERLAP,	/* overlapping memmove() */
	OFLO_FB_UNREACHABLE,	/* memory the device cannot register */
	OFLO_FB_ERROR,		/* the device failed the call (counted in errors too) */
	OFLO_FB_NODEV,		/* no device, or it failed for good */
	OFLO_FB_EXIT,		/* after the library's destructor, or a thread's */
	OFLO_FB_BUSY,		/* every context of the pool in use */
	OFLO_FB_REMOVED,	/* the device was removed while the program ran */
	OFLO_NFB
};

/* glibc's implementations (dlsym(RTLD_NEXT)), or the bootstrap loops. */
struct oflo_cpu {
	void *(*memcpy)(void *, const void *, size_t);
	void *(*memmove)(void *, const void *, size_t);
	void *(*memset)(void *, int, size_t);
};
extern struct oflo_cpu oflo_cpu OFLO_HIDDEN;
void oflo_cpu_resolve(void) OFLO_HIDDEN;
/* The bootstrap loops: libsdxi's lib/src/memops.c, built into this library. */
void *sdxi__memcpy(void *dst, const void *src, size_t n) OFLO_HIDDEN;
void *sdxi__memmove(void *dst, const void *src, size_t n) OFLO_HIDDEN;
void *sdxi__memset(void *dst, int c, size_t n) OFLO_HIDDEN;

/* The per-thread guard: depth > 0 means "CPU path only". */
struct oflo_thread {
	unsigned int depth;	/* nested entries into the library */
	unsigned int in_signal;	/* signal handlers running on this thread */
	unsigned int exited;	/* the thread's context was destroyed */
	unsigned int gen;	/* process generation of @ctx */
	struct sdxi_ctx *ctx;	/* this thread's context (per-thread mode) */
	struct oflo_stats *stats;	/* this thread's counters, or NULL */
};
extern __thread struct oflo_thread oflo_self OFLO_TLS OFLO_HIDDEN;

static inline void oflo_guard_enter(void)
{
	__atomic_add_fetch(&oflo_self.depth, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void oflo_guard_exit(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&oflo_self.depth, 1, __ATOMIC_RELAXED);
}

/* Configuration (config.c), read once by the library's constructor. */
#define OFLO_THRESHOLD_AUTO	0	/* measured (threshold_src) */
struct oflo_config {
	int ready;		/* the constructor has run: device path allowed */
	int enabled;		/* SDXI_OFFLOAD (default 1) */
	int stats;		/* SDXI_OFFLOAD_STATS */
	int shared;		/* a pool of contexts (SDXI_OFFLOAD_CONTEXT, default) */
	int split;		/* SDXI_OFFLOAD_SPLIT: 0, the device's share in %, or: */
#define OFLO_SPLIT_MEASURED	100	/* sized from the measured figures */
	unsigned int fns;	/* bit per enum oflo_fn: SDXI_OFFLOAD_FUNCS */
	int auto_min;		/* SDXI_OFFLOAD_MIN=auto (the default) */
	uint64_t min;		/* threshold: calls of fewer bytes use the CPU */
	const char *device;	/* SDXI_OFFLOAD_DEVICE, else NULL ($SDXI_DEVICE) */
};
extern struct oflo_config oflo_cfg OFLO_HIDDEN;
void oflo_config_read(void) OFLO_HIDDEN;
int oflo_parse_size(const char *s, uint64_t *out) OFLO_HIDDEN;

/*
 * The threshold in force: calls of fewer bytes never leave the CPU path.
 * UINT64_MAX until the constructor has run and whenever offload is off.
 */
extern uint64_t oflo_min OFLO_HIDDEN;

/* The device path (device.c): 0 when the device did it, else a fallback. */
int oflo_dev_copy(void *dst, const void *src, size_t n) OFLO_HIDDEN;
int oflo_dev_fill(void *dst, int c, size_t n) OFLO_HIDDEN;
void oflo_dev_fork_child(void) OFLO_HIDDEN;
void oflo_dev_init(void) OFLO_HIDDEN;
/* What the stats report says about the device. */
struct oflo_dev_summary {
	char path[64];
	const char *threshold_src;	/* "auto", "env" */
	uint64_t cpu_bps, dev_bps, dev_fixed_ns;
	unsigned int contexts;
	unsigned long split_calls;	/* calls the device and the CPU shared */
	int state;			/* enum oflo_dev_state */
};
void oflo_dev_summary(struct oflo_dev_summary *s) OFLO_HIDDEN;
struct sdxi_dev *oflo_dev_handle(void) OFLO_HIDDEN;
extern unsigned int oflo_generation OFLO_HIDDEN;
extern int oflo_pid OFLO_HIDDEN;

/* Statistics (stats.c). */
void oflo_stats_count(enum oflo_fn fn, size_t n, int dev, uint64_t ns) OFLO_HIDDEN;
void oflo_stats_fallback(enum oflo_fallback why) OFLO_HIDDEN;
void oflo_stats_error(int err) OFLO_HIDDEN;
void oflo_stats_report(void) OFLO_HIDDEN;
uint64_t oflo_now_ns(void) OFLO_HIDDEN;

void oflo_stats_fork_child(void) OFLO_HIDDEN;

#endif /* SDXI_OFFLOAD_H */
