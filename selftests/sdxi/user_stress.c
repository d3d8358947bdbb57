// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency stress of /dev/sdxiN (Documentation/uapi.rst "Security
 * model"): several processes with several threads each share two open
 * files and do everything the ABI allows, in random interleavings: create,
 * destroy and reset contexts, register and unregister memory and dma-bufs,
 * map regions, submit through them and unmap them, fork (the child must
 * get EPERM and nothing mapped), close a shared file under the other
 * threads and open it again, and read status.  The test kills workers
 * with SIGKILL and starts new ones all along, and at the end kills half
 * of them and lets the others exit.  Then every counter must be back to
 * zero and the device must copy; the runner checks the kernel log (and,
 * on the debug kernel, KASAN, lockdep and kmemleak).
 *
 *   SDXI_STRESS_SECONDS   duration (default 10; make check-full: 60)
 *   SDXI_STRESS_PROCS     worker processes (default 3)
 *   SDXI_STRESS_THREADS   threads per worker (default 4)
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"

#define PG		SDXI_PG
#define NFILES		2
#define NCXT		16
#define NREG		32
#define BUF_PAGES	64
#define DMABUF_PAGES	8

static unsigned int env_or(const char *name, unsigned int dflt)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : dflt;
}

/* What one worker process knows; every field under @lock. */
struct worker {
	pthread_mutex_t lock;
	int fd[NFILES];
	struct {
		int file;
		struct sdxi_create_context c;
	} cxt[NCXT];
	unsigned int ncxt;
	struct {
		int file;
		uint32_t id;
		uint64_t va, len;
		bool dmabuf;
	} reg[NREG];
	unsigned int nreg;
	char *buf;		/* BUF_PAGES of memory to register */
	char *iova;		/* reserved (PROT_NONE) window for dma-bufs */
	int dmabuf;		/* udmabuf, or < 0 */
	volatile bool stop;
	unsigned long ops;
};

static struct worker w;
static __thread uint64_t rng;
static __thread sigjmp_buf fault_jmp;
static __thread volatile bool fault_armed;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mappings of a context destroyed under us fault: back to the caller. */
static void on_fault(int sig)
{
	if (fault_armed)
		siglongjmp(fault_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_stop(int sig)
{
	w.stop = true;
}

static void add_cxt(int file, const struct sdxi_create_context *c)
{
	pthread_mutex_lock(&w.lock);
	if (w.ncxt < NCXT) {
		w.cxt[w.ncxt].file = file;
		w.cxt[w.ncxt].c = *c;
		w.ncxt++;
	}
	pthread_mutex_unlock(&w.lock);
}

/* A known context (copied out), or false. */
static bool pick_cxt(int *file, struct sdxi_create_context *c, bool remove)
{
	unsigned int k;
	bool ok = false;

	pthread_mutex_lock(&w.lock);
	if (w.ncxt) {
		k = rnd() % w.ncxt;
		*file = w.cxt[k].file;
		*c = w.cxt[k].c;
		if (remove)
			w.cxt[k] = w.cxt[--w.ncxt];
		ok = true;
	}
	pthread_mutex_unlock(&w.lock);
	return ok;
}

static void op_create(void)
{
	struct sdxi_create_context c = { .size = sizeof(c) };
	int file = rnd() % NFILES;

	c.flags = rnd() % 4 ? 0 : SDXI_CTX_F_INTERRUPT;
	c.ring_entries = rnd() % 2 ? 0 : 1024 + rnd() % 1024;
	if (!sdxi_ioc(w.fd[file], SDXI_IOC_CREATE_CONTEXT, &c))
		add_cxt(file, &c);
}

static void op_cmd(unsigned long cmd)
{
	struct sdxi_create_context c;
	int file;

	if (pick_cxt(&file, &c, cmd == SDXI_IOC_DESTROY_CONTEXT))
		ctx_cmd(w.fd[file], cmd, c.out_context_id);
}

static void op_map(bool dmabuf)
{
	struct sdxi_create_context c;
	uint64_t first, n;
	int file, ret;

	if (!pick_cxt(&file, &c, false) || (dmabuf && w.dmabuf < 0))
		return;
	if (dmabuf) {
		first = rnd() % DMABUF_PAGES;
		n = 1 + rnd() % (DMABUF_PAGES - first);
		ret = map_dmabuf(w.fd[file], c.out_context_id, w.dmabuf,
				 (uintptr_t)w.iova + first * PG, n * PG);
	} else {
		first = rnd() % BUF_PAGES;
		n = 1 + rnd() % (BUF_PAGES - first);
		ret = map_mem(w.fd[file], c.out_context_id, w.buf + first * PG,
			      n * PG, 1 + rnd() % 3);
	}
	if (ret)
		return;
	pthread_mutex_lock(&w.lock);
	if (w.nreg < NREG) {
		w.reg[w.nreg].file = file;
		w.reg[w.nreg].id = c.out_context_id;
		w.reg[w.nreg].va = (uintptr_t)(dmabuf ? w.iova : w.buf) + first * PG;
		w.reg[w.nreg].len = n * PG;
		w.reg[w.nreg].dmabuf = dmabuf;
		w.nreg++;
	}
	pthread_mutex_unlock(&w.lock);
}

static void op_unmap(void)
{
	int file = -1;
	uint32_t id = 0;
	uint64_t va = 0, len = 0;
	bool dmabuf = false;
	unsigned int k;

	pthread_mutex_lock(&w.lock);
	if (w.nreg) {
		k = rnd() % w.nreg;
		file = w.reg[k].file;
		id = w.reg[k].id;
		va = w.reg[k].va;
		len = w.reg[k].len;
		dmabuf = w.reg[k].dmabuf;
		w.reg[k] = w.reg[--w.nreg];
	}
	pthread_mutex_unlock(&w.lock);
	if (file < 0)
		return;
	if (dmabuf)
		unmap_dmabuf(w.fd[file], id, va);
	else
		unmap_mem(w.fd[file], id, (void *)(uintptr_t)va, len);
}

/* Map ring, write index and doorbell, submit NOPs, unmap. */
static void op_submit(void)
{
	struct sdxi_create_context c;
	union sdxi_desc *ring = NULL;
	volatile uint64_t *wi = NULL, *db = NULL;
	union sdxi_desc d;
	int file, i, n;

	if (!pick_cxt(&file, &c, false))
		return;
	ring = sdxi_map(w.fd[file], c.out_ring_offset, c.out_ring_size,
			PROT_READ | PROT_WRITE);
	wi = sdxi_map(w.fd[file], c.out_wi_offset, c.out_wi_size,
		      PROT_READ | PROT_WRITE);
	db = sdxi_map(w.fd[file], c.out_db_offset, c.out_db_size, PROT_WRITE);
	if (ring && wi && db) {
		fault_armed = true;
		if (!sigsetjmp(fault_jmp, 1)) {
			uint64_t wv = *wi;

			dsc_nop(&d);
			n = 1 + rnd() % 8;
			for (i = 0; i < n; i++, wv++) {
				union sdxi_desc *s = &ring[wv % c.out_ring_entries];

				memcpy(&s->qw[1], &d.qw[1], 56);
				__atomic_store_n(&s->qw[0], d.qw[0] | SDXI_DSC_VL,
						 __ATOMIC_RELEASE);
			}
			__atomic_store_n(wi, wv, __ATOMIC_RELEASE);
			*db = wv;
		}
		fault_armed = false;
	}
	if (ring)
		munmap(ring, c.out_ring_size);
	if (wi)
		munmap((void *)wi, c.out_wi_size);
	if (db)
		munmap((void *)db, c.out_db_size);
}

static void op_status(void)
{
	struct sdxi_error_record recs[4];
	struct sdxi_context_status s;
	struct sdxi_create_context c;
	int file;

	if (pick_cxt(&file, &c, false))
		ctx_status(w.fd[file], c.out_context_id, &s, recs, 4);
}

/* A child of fork() can do nothing with the files and has no mapping. */
static void op_fork(void)
{
	struct sdxi_info info;
	pid_t pid = fork();

	if (pid == 0)
		_exit(sdxi_get_info(w.fd[0], &info) == -EPERM ? 0 : 1);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* Close a shared file under the other threads and open it again. */
static void op_reopen(void)
{
	int file = rnd() % NFILES, nfd, fd;
	unsigned int k;

	nfd = open(SDXI_DEV, O_RDWR | O_CLOEXEC);
	if (nfd < 0)
		return;
	pthread_mutex_lock(&w.lock);
	fd = w.fd[file];
	/* dup2 closes the old file atomically: other threads see the new one. */
	dup2(nfd, fd);
	close(nfd);
	for (k = 0; k < w.ncxt;)
		if (w.cxt[k].file == file)
			w.cxt[k] = w.cxt[--w.ncxt];
		else
			k++;
	for (k = 0; k < w.nreg;)
		if (w.reg[k].file == file)
			w.reg[k] = w.reg[--w.nreg];
		else
			k++;
	pthread_mutex_unlock(&w.lock);
}

static void *worker_thread(void *arg)
{
	rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)getpid() << 20) ^ (uintptr_t)arg;
	while (!w.stop) {
		switch (rnd() % 16) {
		case 0: case 1: op_create(); break;
		case 2: op_cmd(SDXI_IOC_DESTROY_CONTEXT); break;
		case 3: op_cmd(SDXI_IOC_RESET_CONTEXT); break;
		case 4: case 5: op_map(false); break;
		case 6: op_map(true); break;
		case 7: case 8: op_unmap(); break;
		case 9: case 10: case 11: op_submit(); break;
		case 12: op_status(); break;
		case 13: op_fork(); break;
		case 14: if (rnd() % 8 == 0) op_reopen(); break;
		default: {
			struct sdxi_info info;

			sdxi_get_info(w.fd[rnd() % NFILES], &info);
		}
		}
		__atomic_fetch_add(&w.ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* One worker process: until SIGTERM (exit cleanly) or SIGKILL. */
static void worker_main(unsigned int threads, int ready)
{
	pthread_t t[16];
	void *cpu;
	unsigned int i;

	pthread_mutex_init(&w.lock, NULL);
	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	signal(SIGTERM, on_stop);
	for (i = 0; i < NFILES; i++) {
		w.fd[i] = open(SDXI_DEV, O_RDWR | O_CLOEXEC);
		if (w.fd[i] < 0)
			_exit(2);
	}
	w.buf = alloc_pages_filled(BUF_PAGES, 0x11);
	w.iova = mmap(NULL, DMABUF_PAGES * PG, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w.dmabuf = udmabuf_new(DMABUF_PAGES * PG, &cpu);
	if (!w.buf || w.iova == MAP_FAILED)
		_exit(2);
	for (i = 0; i < threads && i < 16; i++)
		pthread_create(&t[i], NULL, worker_thread, (void *)(uintptr_t)i);
	if (write(ready, "r", 1) != 1)
		_exit(2);
	for (i = 0; i < threads && i < 16; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

static pid_t worker_spawn(unsigned int threads, int ready[2])
{
	pid_t pid = fork();

	if (pid == 0) {
		close(ready[0]);
		worker_main(threads, ready[1]);
	}
	return pid;
}

/* The run's length plus five minutes for the setup and the checks. */
FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, processes_and_threads_race_every_operation_then_nothing_is_left,
	       env_or("SDXI_STRESS_SECONDS", 10) + 300)
{
	unsigned int secs = env_or("SDXI_STRESS_SECONDS", 10);
	unsigned int nproc = env_or("SDXI_STRESS_PROCS", 3);
	unsigned int threads = env_or("SDXI_STRESS_THREADS", 4);
	long long active0 = sdxi_fn_counter("active_contexts");
	long long rec0 = sdxi_fn_counter("recoveries");
	unsigned int i, kills = 0, clean = 0;
	pid_t pid[16];
	int ready[2], fd;
	uint64_t t0;
	char c;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	close(fd);
	rng = 0x2545f4914f6cdd1dULL ^ (uint64_t)getpid();
	if (nproc > 16)
		nproc = 16;
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < nproc; i++) {
		pid[i] = worker_spawn(threads, ready);
		ASSERT_GT(pid[i], 0);
		ASSERT_EQ(1, read(ready[0], &c, 1));
	}
	for (t0 = now_ms(); now_ms() - t0 < secs * 1000ULL;) {
		usleep(300000 + rnd() % 400000);
		/* kill -9 one worker in the middle of whatever it does. */
		i = rnd() % nproc;
		kill(pid[i], SIGKILL);
		waitpid(pid[i], NULL, 0);
		kills++;
		pid[i] = worker_spawn(threads, ready);
		ASSERT_GT(pid[i], 0);
		ASSERT_EQ(1, read(ready[0], &c, 1));
	}
	/* Half are killed, half exit on their own. */
	for (i = 0; i < nproc; i++)
		kill(pid[i], i % 2 ? SIGKILL : SIGTERM);
	for (i = 0; i < nproc; i++)
		clean += child_status(pid[i]) == 0;
	ksft_print_msg("figure: %u s, %u processes x %u threads, %u kill -9 during the run, %u clean exits at the end\n",
		       secs, nproc, threads, kills, clean);
	EXPECT_EQ(nproc / 2 + nproc % 2, clean);
	/* Everything is back. */
	EXPECT_USER_COUNTERS_ZERO(0);
	EXPECT_EQ(active0, sdxi_fn_counter("active_contexts"));
	EXPECT_EQ(rec0, sdxi_fn_counter("recoveries"));
	EXPECT_EQ(0, device_copies());
}

TEST_HARNESS_MAIN
