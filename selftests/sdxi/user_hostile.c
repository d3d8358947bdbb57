// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN under a hostile user (Documentation/uapi.rst "Security
 * model"): one user can only ever hurt its own context.  Raw UAPI only,
 * one test per class of defect the security model rules out:
 *
 *   1  locks held across user memory: an ioctl parked in a userfaultfd
 *      page (its argument, or the memory MAP_MEM pins) blocks nothing
 *      another file, an unbind or a module unload needs
 *   2  kernel-trusted state the device writes for a user: forged CXT_STS
 *      writes raced against RESET_CONTEXT never recover the function or
 *      touch another user's context
 *   3  allocation before the limit check: a refused MAP_MEM allocates
 *      nothing (memory cgroup peak), and a context's regions are charged
 *      to the caller's memory cgroup
 *   4  dma-buf access mode: a read-only dma-buf is never device-writable;
 *      imported bytes have limits
 *   5  quotas: per-file and per-user limits, a reserve for the kernel's
 *      channels, counters
 *   6  re-inheritable mappings: madvise(MADV_DOFORK) cannot give a child
 *      the context's mappings
 *   7  read-only opens cannot change state
 *   8  teardown of a context that cannot be quiesced: everything it holds
 *      stays, together, until the function stops, then goes (the driver's
 *      fault injection makes the function "not stop")
 *   9  error records: a function error reaches users without kernel
 *      addresses or indexes
 *  10  admin path under load: user contexts flooding the function do not
 *      delay admin operations into a timeout
 *
 * Each test prints its measurement ("# figure: ...").  Tests that need
 * root (unbind, cgroups, module parameters, uid changes), the emulated
 * function's fault injection, userfaultfd, a memory cgroup or the
 * kernel's fault injection SKIP without them, with the reason.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"

#define PG		SDXI_PG
#define WAIT_MS		5000

static uint32_t id_of(struct uctx *x)
{
	return x->c.out_context_id;
}

#define FIGURE(fmt, ...)						\
	do {								\
		TH_LOG("figure: " fmt, ##__VA_ARGS__);			\
		ksft_print_msg("figure: " fmt "\n", ##__VA_ARGS__);	\
	} while (0)

/* Module parameters a test changes, restored when it ends. */
struct params {
	const char *name[8];
	long long saved[8];
	unsigned int n;
};

static int params_set(struct params *p, const char *name, long long v)
{
	if (p->n == 8)
		return -ENOSPC;
	p->name[p->n] = name;
	p->saved[p->n] = sdxi_param(name);
	if (p->saved[p->n] < 0)
		return -ENOENT;
	p->n++;
	return sdxi_param_set(name, v);
}

static void params_restore(struct params *p)
{
	while (p->n) {
		p->n--;
		sdxi_param_set(p->name[p->n], p->saved[p->n]);
	}
}

/* Tests that run for many seconds (floods), on a debug kernel too. */
FIXTURE(long_run) {
};

FIXTURE_SETUP(long_run)
{
}

FIXTURE_TEARDOWN(long_run)
{
}

#define REQUIRE_DEVICE(fd)						\
	do {								\
		OPEN_OR_SKIP(&(fd));					\
		REQUIRE_ISOLATION(fd);					\
	} while (0)

/* ---- 1: nothing is held across user memory ------------------------------- */
/*
 * A userfaultfd range whose pages never come until resolve() is called:
 * the kernel's own accesses (copy_from_user, pin_user_pages) wait in it.
 */
struct uffd_park {
	int uffd;
	char *area;
	size_t len;
};

static int uffd_park_init(struct uffd_park *p, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	p->len = len;
	p->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (p->uffd < 0)
		return -errno;
	if (ioctl(p->uffd, UFFDIO_API, &api))
		return -errno;
	p->area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->area == MAP_FAILED)
		return -errno;
	reg.range.start = (uintptr_t)p->area;
	reg.range.len = len;
	if (ioctl(p->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return 0;
}

/* Wait (bounded) until something faults in the range: it is parked. */
static bool uffd_wait_fault(struct uffd_park *p, unsigned int ms)
{
	struct pollfd pf = { .fd = p->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pf, 1, ms) != 1)
		return false;
	return read(p->uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	       msg.event == UFFD_EVENT_PAGEFAULT;
}

/* Let every page of the range come, with @src's content (or zeros). */
static int uffd_resolve(struct uffd_park *p, const void *src, size_t n)
{
	size_t off;

	for (off = 0; off < p->len; off += PG) {
		char page[PG] = { 0 };
		struct uffdio_copy c = {
			.dst = (uintptr_t)p->area + off,
			.src = (uintptr_t)page,
			.len = PG,
		};

		if (src && off < n)
			memcpy(page, (const char *)src + off, n - off < PG ? n - off : PG);
		if (ioctl(p->uffd, UFFDIO_COPY, &c) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/* An ioctl issued from a thread, so that the test can watch it park. */
struct parked_ioctl {
	pthread_t thread;
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;
	uint64_t ms;
};

static void *parked_ioctl_run(void *data)
{
	struct parked_ioctl *pi = data;
	uint64_t t0 = now_ms();

	pi->ret = sdxi_ioc(pi->fd, pi->cmd, pi->arg);
	pi->ms = now_ms() - t0;
	return NULL;
}

/* A sysfs write timed in a thread (unbind may block). */
struct timed_write {
	pthread_t thread;
	const char *path, *val;
	int ret;
	uint64_t ms;
	volatile bool done;
};

static void *timed_write_run(void *data)
{
	struct timed_write *w = data;
	uint64_t t0 = now_ms();

	w->ret = write_file(w->path, w->val);
	w->ms = now_ms() - t0;
	w->done = true;
	return NULL;
}

/* Another file's open() and a whole context's life, timed in a thread. */
struct other_file {
	pthread_t thread;
	uint64_t open_ms, create_ms;
	int ret;
	volatile bool done;
};

static void *other_file_run(void *data)
{
	struct other_file *o = data;
	struct uctx x;
	uint64_t t0 = now_ms();
	int fd = open(SDXI_DEV, O_RDWR);

	o->open_ms = now_ms() - t0;
	o->ret = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		t0 = now_ms();
		o->ret = uctx_create(fd, 0, 0, &x);
		if (!o->ret)
			o->ret = uctx_destroy(&x);
		o->create_ms = now_ms() - t0;
		close(fd);
	}
	o->done = true;
	return NULL;
}

FIXTURE(park) {
	int fd;
	struct uffd_park p;
	struct uctx x;
	bool have_x;
};

FIXTURE_VARIANT(park) {
	bool map_mem;		/* park in MAP_MEM's pin, else CREATE's copy in */
};

FIXTURE_VARIANT_ADD(park, create_argument) { .map_mem = false };
FIXTURE_VARIANT_ADD(park, map_mem_pages) { .map_mem = true };

FIXTURE_SETUP(park)
{
	int err;

	self->p.uffd = -1;
	REQUIRE_DEVICE(self->fd);
	REQUIRE_ROOT();
	err = uffd_park_init(&self->p, 4 * PG);
	if (err == -ENOSYS || err == -EPERM || err == -EINVAL)
		SKIP(return, "no userfaultfd for kernel faults (%d)", err);
	ASSERT_EQ(0, err);
	if (variant->map_mem) {
		ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &self->x));
		self->have_x = true;
	}
}

FIXTURE_TEARDOWN(park)
{
	if (self->p.uffd >= 0)
		close(self->p.uffd);
	if (self->have_x)
		uctx_unmap(&self->x);
	if (self->fd >= 0)
		close(self->fd);
}

/* Start the parked ioctl of the variant; it waits in the uffd range. */
static void park_start(struct __test_metadata *_metadata,
		       FIXTURE_DATA(park) *self, bool map_mem,
		       struct parked_ioctl *pi, struct sdxi_map_mem *m)
{
	pi->fd = self->fd;
	if (map_mem) {
		*m = (struct sdxi_map_mem){
			.size = sizeof(*m), .flags = SDXI_MAP_READ,
			.context_id = id_of(&self->x),
			.vaddr = (uintptr_t)self->p.area, .length = self->p.len,
		};
		pi->cmd = SDXI_IOC_MAP_MEM;
		pi->arg = m;
	} else {
		pi->cmd = SDXI_IOC_CREATE_CONTEXT;
		pi->arg = self->p.area;
	}
	ASSERT_EQ(0, pthread_create(&pi->thread, NULL, parked_ioctl_run, pi));
	ASSERT_TRUE(uffd_wait_fault(&self->p, WAIT_MS)) TH_LOG("the ioctl did not park");
}

/* The content the parked argument gets when its page finally comes. */
static const struct sdxi_create_context park_create = { .size = sizeof(park_create) };

/*
 * While one file's ioctl waits for a page that does not come, another
 * file opens, creates and destroys a context at its usual speed.  The
 * page is let in after 3 s whatever happens, so a regression measures
 * (about 3000 ms) instead of hanging.
 */
TEST_F(park, other_files_are_not_blocked)
{
	struct other_file o = {};
	struct parked_ioctl pi = {};
	struct sdxi_map_mem m;
	uint64_t t0;

	park_start(_metadata, self, variant->map_mem, &pi, &m);
	ASSERT_EQ(0, pthread_create(&o.thread, NULL, other_file_run, &o));
	for (t0 = now_ms(); !o.done && now_ms() - t0 < 3000;)
		usleep(10000);
	EXPECT_TRUE(o.done) TH_LOG("another file's open/create blocked behind the parked ioctl");
	ASSERT_EQ(0, uffd_resolve(&self->p, &park_create, sizeof(park_create)));
	pthread_join(o.thread, NULL);
	pthread_join(pi.thread, NULL);
	EXPECT_EQ(0, o.ret);
	EXPECT_EQ(0, pi.ret);
	FIGURE("%s parked: other file open() %llu ms, create+destroy %llu ms",
	       variant->map_mem ? "MAP_MEM" : "CREATE_CONTEXT",
	       (unsigned long long)o.open_ms, (unsigned long long)o.create_ms);
	EXPECT_LT(o.open_ms, 100);
}

/*
 * Unbind while an ioctl is parked finishes (bounded), a module unload
 * attempt returns at once (refused: the file is open), the parked ioctl
 * ends with ENODEV once its page comes, and after rebind all is clean.
 */
TEST_F(park, unbind_and_unload_finish_while_parked)
{
	struct timed_write w = { .path = "/sys/bus/pci/drivers/sdxi/unbind" };
	struct parked_ioctl pi = {};
	struct sdxi_map_mem m;
	uint64_t t0, unload_ms;
	char bdf[64];
	int ret;

	ASSERT_EQ(0, function_bdf(bdf, sizeof(bdf)));
	w.val = bdf;
	park_start(_metadata, self, variant->map_mem, &pi, &m);
	if (self->have_x)
		uctx_unmap(&self->x);
	self->have_x = false;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, timed_write_run, &w));
	for (t0 = now_ms(); !w.done && now_ms() - t0 < 2 * WAIT_MS;)
		usleep(10000);
	EXPECT_TRUE(w.done) TH_LOG("unbind blocked behind the parked ioctl");
	t0 = now_ms();
	ret = delete_module("sdxi");
	unload_ms = now_ms() - t0;
	EXPECT_EQ(-EAGAIN, ret);
	ASSERT_EQ(0, uffd_resolve(&self->p, &park_create, sizeof(park_create)));
	pthread_join(w.thread, NULL);
	pthread_join(pi.thread, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_TRUE(wait_node(false, WAIT_MS));
	EXPECT_EQ(-ENODEV, pi.ret);
	FIGURE("%s parked: unbind %llu ms, unload attempt %llu ms (%d), parked ioctl %d after %llu ms",
	       variant->map_mem ? "MAP_MEM" : "CREATE_CONTEXT",
	       (unsigned long long)w.ms, (unsigned long long)unload_ms, ret,
	       pi.ret, (unsigned long long)pi.ms);
	EXPECT_LT(unload_ms, 1000);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, write_file("/sys/bus/pci/drivers/sdxi/bind", bdf));
	ASSERT_TRUE(wait_node(true, WAIT_MS));
	EXPECT_USER_COUNTERS_ZERO(0);
	EXPECT_EQ(0, device_copies());
}

/* ---- 2: forged context status and resets never reach the function --------- */
/* The victim: another process copying and checking until told to stop. */
static void victim_run(int ready, int stop)
{
	unsigned char *src = alloc_pages_filled(4, 0), *dst = alloc_pages_filled(4, 0);
	struct { int ok, bad, state; } out = {};
	union sdxi_desc d;
	struct uctx x;
	int fd = open(SDXI_DEV, O_RDWR);
	char c;

	if (fd < 0 || !src || !dst || uctx_create(fd, 0, 0, &x) ||
	    map_mem(fd, id_of(&x), src, 4 * PG, SDXI_MAP_READ) ||
	    map_mem(fd, id_of(&x), dst, 4 * PG, SDXI_MAP_WRITE))
		_exit(2);
	if (write(ready, "r", 1) != 1)
		_exit(2);
	fcntl(stop, F_SETFL, O_NONBLOCK);
	while (read(stop, &c, 1) != 1) {
		memset(src, out.ok & 0xff, 4 * PG);
		dsc_copy(&d, (uintptr_t)src, (uintptr_t)dst, 4 * PG, 0);
		uctx_submit(&x, &d, 1);
		if (!uctx_wait(&x, x.w, WAIT_MS) && all_bytes(dst, 4 * PG, out.ok & 0xff))
			out.ok++;
		else
			out.bad++;
	}
	out.state = x.sts->state & SDXI_CXT_STS_STATE;
	if (write(ready, &out, sizeof(out)) != sizeof(out))
		_exit(2);
	_exit(0);
}

struct forger {
	struct uctx *x;
	volatile bool stop;
	unsigned long rounds, resets, reset_errors;
};

/*
 * Descriptors that write the context's own CXT_STS: WRT_IMM of a zeroed
 * status (state STOP_SW, read index 0), and a NOP whose CST_BLK is the
 * status (its completion decrements "state").
 */
static void *forger_writes(void *data)
{
	struct forger *f = data;
	struct uctx *x = f->x;
	const uint64_t zero[2] = { 0, 0 };
	union sdxi_desc d[2];

	dsc_wrt_imm(&d[0], x->c.out_sts_iova, zero, sizeof(zero), 0);
	dsc_nop(&d[1]);
	d[1].generic.csb_ptr = x->c.out_sts_iova;
	while (!f->stop) {
		/* Whatever the kernel reset, slots 0-1 and W = 2 again. */
		x->w = 0;
		uctx_submit(x, d, 2);
		f->rounds++;
	}
	return NULL;
}

static void *forger_resets(void *data)
{
	struct forger *f = data;

	while (!f->stop) {
		if (ctx_cmd(f->x->fd, SDXI_IOC_RESET_CONTEXT, id_of(f->x)))
			f->reset_errors++;
		f->resets++;
	}
	return NULL;
}

TEST_F_TIMEOUT(long_run, forged_status_and_resets_for_10s_never_recover_the_function, 300)
{
	const char *env = getenv("SDXI_FORGE_SECONDS");
	unsigned int secs = env ? strtoul(env, NULL, 0) : 10;
	long long rec0 = sdxi_fn_counter("recoveries");
	long long fail0 = sdxi_fn_counter("recovery_failures");
	long long tmo0 = sdxi_fn_counter("admin_timeouts");
	long long fn0 = sdxi_fn_counter("fn_errors");
	struct { int ok, bad, state; } v;
	int ready[2], stop[2], fd;
	pthread_t tw, tr;
	struct forger f = {};
	struct uctx x;
	pid_t pid;
	char c;

	REQUIRE_DEVICE(fd);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(stop));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		victim_run(ready[1], stop[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	f.x = &x;
	ASSERT_EQ(0, pthread_create(&tw, NULL, forger_writes, &f));
	ASSERT_EQ(0, pthread_create(&tr, NULL, forger_resets, &f));
	sleep(secs);
	f.stop = true;
	pthread_join(tw, NULL);
	pthread_join(tr, NULL);
	ASSERT_EQ(1, write(stop[1], "s", 1));
	ASSERT_EQ(sizeof(v), read(ready[0], &v, sizeof(v)));
	EXPECT_EQ(0, child_status(pid));
	FIGURE("%u s of forged CXT_STS writes (%lu rounds) and %lu resets (%lu failed): recoveries +%lld, recovery failures +%lld, admin timeouts +%lld, fn errors +%lld; victim %d copies ok, %d bad, state %d",
	       secs, f.rounds, f.resets, f.reset_errors,
	       sdxi_fn_counter("recoveries") - rec0,
	       sdxi_fn_counter("recovery_failures") - fail0,
	       sdxi_fn_counter("admin_timeouts") - tmo0,
	       sdxi_fn_counter("fn_errors") - fn0, v.ok, v.bad, v.state);
	/* Only the forger's context was touched. */
	EXPECT_EQ(rec0, sdxi_fn_counter("recoveries"));
	EXPECT_EQ(fail0, sdxi_fn_counter("recovery_failures"));
	EXPECT_EQ(tmo0, sdxi_fn_counter("admin_timeouts"));
	EXPECT_EQ(fn0, sdxi_fn_counter("fn_errors"));
	EXPECT_EQ(0, v.bad);
	EXPECT_GT(v.ok, 0);
	EXPECT_EQ(SDXI_CXTV_RUN, v.state);
	EXPECT_GT(f.resets, 0);
	/* The forger's own context still resets and runs. */
	ASSERT_EQ(0, ctx_cmd(fd, SDXI_IOC_RESET_CONTEXT, id_of(&x)));
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
	EXPECT_EQ(0, device_copies());
}

/* ---- 3: limits before allocations; allocations charged -------------------- */
#define CG_ROOT	"/sys/fs/cgroup"

/* A fresh memory cgroup for this process; its path in @dir. */
static int cgroup_enter(char *dir, size_t n)
{
	char path[256], pid[32];
	struct stat st;
	int err;

	if (stat(CG_ROOT "/cgroup.controllers", &st)) {
		mkdir(CG_ROOT, 0755);
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL))
			return -errno;
	}
	err = write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	if (err)
		return err;
	snprintf(dir, n, CG_ROOT "/sdxi-hostile-%d", getpid());
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

static long long cgroup_read(const char *dir, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return read_ll(path);
}

/* Results of the measuring child, back to the test through a pipe. */
struct memcg_out {
	int err;			/* setup error, or 0 */
	int ret_user, ret_root;		/* MAP_MEM as a user, as root */
	long long peak_user, peak_root;	/* memory.peak growth around them */
	long long ring_charge;		/* memory.current growth by a context */
	long long ring_bytes;		/* its ring + CST_BLK array */
};

static void memcg_child(int out_fd, uint32_t max_ring)
{
	struct memcg_out o = {};
	const uint64_t huge = 64ULL << 30;	/* 16 Mi pages: a 128 MiB page array */
	struct rlimit rl = { 64 << 10, 64 << 10 };
	long long cur0, peak0;
	char dir[128];
	struct uctx x, big;
	int fd;

	o.err = cgroup_enter(dir, sizeof(dir));
	fd = open(SDXI_DEV, O_RDWR);
	if (!o.err && (fd < 0 || uctx_create(fd, 0, 0, &x)))
		o.err = -EIO;
	if (!o.err) {
		/* A context with the largest ring is charged to the cgroup. */
		cur0 = cgroup_read(dir, "memory.current");
		if (uctx_create(fd, 0, max_ring, &big))
			o.err = -EIO;
		o.ring_charge = cgroup_read(dir, "memory.current") - cur0;
		o.ring_bytes = big.c.out_ring_size + big.c.out_csb_size;
	}
	if (!o.err) {
		/* Root, CAP_IPC_LOCK: the device's own limit refuses it. */
		peak0 = cgroup_read(dir, "memory.peak");
		o.ret_root = map_mem(fd, id_of(&x), (void *)(uintptr_t)(1ULL << 40),
				     huge, SDXI_MAP_READ);
		o.peak_root = cgroup_read(dir, "memory.peak") - peak0;
		/* A plain user: RLIMIT_MEMLOCK refuses it. */
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			o.err = -EPERM;
	}
	if (!o.err) {
		peak0 = cgroup_read(dir, "memory.peak");
		o.ret_user = map_mem(fd, id_of(&x), (void *)(uintptr_t)(1ULL << 40),
				     huge, SDXI_MAP_READ);
		o.peak_user = cgroup_read(dir, "memory.peak") - peak0;
	}
	if (write(out_fd, &o, sizeof(o)) != sizeof(o))
		_exit(1);
	_exit(0);
}

TEST(refused_map_mem_allocates_nothing_and_regions_are_charged)
{
	struct memcg_out o;
	struct sdxi_info info;
	char dir[128];
	int out[2], fd;
	pid_t pid;

	REQUIRE_DEVICE(fd);
	REQUIRE_ROOT();
	ASSERT_EQ(0, sdxi_get_info(fd, &info));
	close(fd);
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		memcg_child(out[1], info.out_max_ring_entries);
	ASSERT_EQ(sizeof(o), read(out[0], &o, sizeof(o)));
	EXPECT_EQ(0, child_status(pid));
	snprintf(dir, sizeof(dir), CG_ROOT "/sdxi-hostile-%d", pid);
	rmdir(dir);
	if (o.err == -ENOENT || o.err == -ENODEV || o.err == -EROFS)
		SKIP(return, "no memory cgroup controller (%d)", o.err);
	ASSERT_EQ(0, o.err);
	FIGURE("refused 64 GiB MAP_MEM: as a user %d with memory.peak +%lld bytes, as root %d with +%lld bytes; a %lld-byte ring + CST_BLK array charged %lld bytes",
	       o.ret_user, o.peak_user, o.ret_root, o.peak_root, o.ring_bytes,
	       o.ring_charge);
	EXPECT_EQ(-ENOMEM, o.ret_user);
	EXPECT_EQ(-EDQUOT, o.ret_root);
	/* The 128 MiB page array was never allocated. */
	EXPECT_LT(o.peak_user, 4 << 20);
	EXPECT_LT(o.peak_root, 4 << 20);
	EXPECT_GE(o.ring_charge, o.ring_bytes);
}

/* ---- 4: dma-buf access follows the buffer's file ------------------------- */
/* A system-heap buffer whose fd is read-only; its read-only CPU mapping. */
static int heap_new_ro(size_t size, const void **cpu)
{
	int fd = heap_alloc(size, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return fd;
	/* Read-only indeed: the CPU cannot map it writable. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		munmap(p, size);
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	*cpu = p;
	return p == MAP_FAILED ? -errno : fd;
}

static size_t changed_bytes(const unsigned char *p, size_t n, int c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += p[i] != (unsigned char)c;
	return k;
}

TEST(read_only_dmabuf_is_never_device_writable)
{
	const size_t len = 4 * PG;
	unsigned char *src = alloc_pages_filled(4, 0x5a);
	void *resv = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t iova = (uintptr_t)resv;
	struct sdxi_error_record rec;
	struct sdxi_context_status s;
	const unsigned char *cpu = NULL;
	union sdxi_desc d;
	int fd, buf, ret, wret;
	size_t before, after;
	struct uctx x;

	REQUIRE_DEVICE(fd);
	buf = heap_new_ro(len, (const void **)&cpu);
	if (buf == -ENOENT)
		SKIP(return, "no /dev/dma_heap/system");
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	ASSERT_EQ(0, map_mem(fd, id_of(&x), src, len, SDXI_MAP_READ));
	before = changed_bytes(cpu, len, 0);
	/* Device-writable import of a read-only buffer: refused. */
	wret = map_dmabuf_flags(fd, id_of(&x), buf, iova, len,
				SDXI_MAP_READ | SDXI_MAP_WRITE);
	EXPECT_EQ(-EACCES, wret);
	if (wret)
		ASSERT_EQ(0, map_dmabuf_flags(fd, id_of(&x), buf, iova, len,
					      SDXI_MAP_READ));
	/* A device write attempt: faults, nothing changes. */
	dsc_copy(&d, (uintptr_t)src, iova, len, 0);
	uctx_submit(&x, &d, 1);
	ret = uctx_wait(&x, 1, WAIT_MS);
	after = changed_bytes(cpu, len, 0);
	FIGURE("read-only dma-buf: READ|WRITE import %d; after a device copy into it (%d) %zu of %zu bytes changed (before %zu)",
	       wret, ret, after, len, before);
	EXPECT_EQ(-EIO, ret);
	EXPECT_EQ(0, after);
	ASSERT_EQ(0, ctx_status_wait_error(fd, id_of(&x), &s, &rec, 1, WAIT_MS));
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
	EXPECT_EQ(iova, rec.addr);
	/* Reading from it works. */
	ASSERT_EQ(0, uctx_destroy(&x));
	close(buf);
	close(fd);
	EXPECT_EQ(0, sdxi_counter("dmabufs"));
	EXPECT_EQ(0, sdxi_counter("imported_bytes"));
}

TEST(imported_bytes_have_limits)
{
	const size_t len = 2 << 20;
	struct params p = {};
	void *resv = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t iova = (uintptr_t)resv;
	long long used;
	char *cpu;
	struct uctx x;
	int fd, buf, ret;

	REQUIRE_DEVICE(fd);
	REQUIRE_ROOT();
	buf = udmabuf_new(len, (void **)&cpu);
	if (buf == -ENOENT)
		SKIP(return, "no /dev/udmabuf");
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, params_set(&p, "max_imported_mb_per_file", 3));
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	EXPECT_EQ(0, map_dmabuf(fd, id_of(&x), buf, iova, len));
	used = sdxi_counter("imported_bytes");
	/* The same buffer again, elsewhere: 4 MiB in all, above 3. */
	ret = map_dmabuf(fd, id_of(&x), buf, iova + len, len);
	FIGURE("imports of 2 MiB with a 3 MiB file limit: first 0, second %d; imported_bytes %lld",
	       ret, used);
	EXPECT_EQ(-EDQUOT, ret);
	EXPECT_EQ((long long)len, used);
	params_restore(&p);
	EXPECT_EQ(0, map_dmabuf(fd, id_of(&x), buf, iova + len, len));
	EXPECT_EQ(2 * (long long)len, sdxi_counter("imported_bytes"));
	ASSERT_EQ(0, uctx_destroy(&x));
	EXPECT_EQ(0, sdxi_counter("imported_bytes"));
	close(buf);
	close(fd);
}

/* ---- 5: quotas --------------------------------------------------------- */
/*
 * Another user (uid 1000) opens and creates until refused, then holds its
 * contexts until other_user_release().
 */
struct other_user {
	pid_t pid;
	int res[2], quit[2];
	int n, err;
};

static int other_user_start(struct other_user *o)
{
	int out[2] = { 0, -EIO };

	if (pipe(o->res) || pipe(o->quit))
		return -errno;
	o->pid = fork();
	if (o->pid < 0)
		return -errno;
	if (o->pid == 0) {
		char c;
		int fd;

		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(1);
		fd = open(SDXI_DEV, O_RDWR);
		if (fd >= 0)
			out[0] = create_until_failure(fd, 0, &out[1]);
		else
			out[1] = -errno;
		if (write(o->res[1], out, sizeof(out)) != sizeof(out))
			_exit(1);
		close(o->quit[1]);
		if (read(o->quit[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(o->quit[0]);
	if (read(o->res[0], out, sizeof(out)) != sizeof(out))
		out[1] = -EIO;
	o->n = out[0];
	o->err = out[1];
	return 0;
}

static int other_user_release(struct other_user *o)
{
	close(o->quit[1]);
	close(o->res[0]);
	close(o->res[1]);
	return child_status(o->pid);
}

/* The debugfs per-user lines, or "" without debugfs. */
static void read_users(char *text, size_t n)
{
	int fd = open(SDXI_DEBUGFS "users", O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, text, n - 1) : 0;

	text[len > 0 ? len : 0] = 0;
	if (fd >= 0)
		close(fd);
}

TEST(per_file_and_per_user_limits_and_the_kernel_reserve)
{
	struct params p = {};
	struct sdxi_info info;
	struct other_user o = {};
	int fd1, fd2, n1, n2, nv, err1, err2, errv, fd;
	long long max_cxt = sdxi_fn_counter("max_contexts");
	char *buf = alloc_pages_filled(512, 1);
	struct uctx x;
	char text[512];

	REQUIRE_DEVICE(fd);
	REQUIRE_ROOT();
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, sdxi_get_info(fd, &info));
	/* The kernel's channels keep their contexts. */
	EXPECT_LT(info.out_max_contexts, max_cxt);
	EXPECT_EQ(info.out_max_contexts, sdxi_counter("max_user_contexts"));
	ASSERT_EQ(0, params_set(&p, "max_contexts_per_file", 3));
	ASSERT_EQ(0, params_set(&p, "max_contexts_per_user", 5));
	ASSERT_EQ(0, params_set(&p, "max_vectors_per_file", 1));
	ASSERT_EQ(0, params_set(&p, "max_pinned_mb_per_file", 1));
	fd1 = open(SDXI_DEV, O_RDWR);
	fd2 = open(SDXI_DEV, O_RDWR);
	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);
	n1 = create_until_failure(fd1, 0, &err1);
	n2 = create_until_failure(fd2, 0, &err2);
	/* Another user is not affected by this one. */
	ASSERT_EQ(0, chmod(SDXI_DEV, 0666));
	ASSERT_EQ(0, other_user_start(&o));
	chmod(SDXI_DEV, 0660);
	read_users(text, sizeof(text));
	EXPECT_EQ(0, other_user_release(&o));
	close(fd1);
	close(fd2);
	/* Vectors: one per file; a plain context still fits. */
	fd1 = open(SDXI_DEV, O_RDWR);
	nv = create_until_failure(fd1, SDXI_CTX_F_INTERRUPT, &errv);
	EXPECT_EQ(0, uctx_create(fd1, 0, 0, &x));
	/* Pinning: 1 MiB per file, for root too (CAP_IPC_LOCK). */
	EXPECT_EQ(-EDQUOT, map_mem(fd1, id_of(&x), buf, 2 << 20, SDXI_MAP_READ));
	EXPECT_EQ(0, map_mem(fd1, id_of(&x), buf, 1 << 20, SDXI_MAP_READ));
	EXPECT_EQ(1 << 20, sdxi_counter("pinned_bytes"));
	uctx_unmap(&x);
	close(fd1);
	params_restore(&p);
	FIGURE("limits 3/file 5/user: file 1 got %d (%d), file 2 got %d (%d), uid 1000 got %d (%d); 1 vector/file: %d interrupt contexts (%d); of %lld contexts %u for users",
	       n1, err1, n2, err2, o.n, o.err, nv, errv, max_cxt, info.out_max_contexts);
	EXPECT_EQ(3, n1);
	EXPECT_EQ(-EDQUOT, err1);
	EXPECT_EQ(2, n2);
	EXPECT_EQ(-EDQUOT, err2);
	EXPECT_EQ(3, o.n);
	EXPECT_EQ(-EDQUOT, o.err);
	EXPECT_EQ(1, nv);
	EXPECT_EQ(-EDQUOT, errv);
	EXPECT_NE(NULL, strstr(text, "uid=0 contexts=5 ")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "uid=1000 contexts=3 ")) TH_LOG("%s", text);
	close(fd);
	EXPECT_USER_COUNTERS_ZERO(0);
}

/* Root can bound one user descriptor's work below the function's. */
TEST(max_user_buffer_bounds_one_descriptor)
{
	unsigned char *src = alloc_pages_filled(1024, 0x31), *dst = alloc_pages_filled(1024, 0);
	struct sdxi_error_record rec;
	struct sdxi_context_status s;
	struct sdxi_info fn, capped;
	struct params p = {};
	union sdxi_desc d;
	struct uctx x;
	int fd, ret;

	REQUIRE_DEVICE(fd);
	REQUIRE_ROOT();
	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	ASSERT_EQ(0, sdxi_get_info(fd, &fn));
	ASSERT_EQ(0, params_set(&p, "max_user_buffer_mb", 2));
	ASSERT_EQ(0, sdxi_get_info(fd, &capped));
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	params_restore(&p);
	ASSERT_EQ(0, map_mem(fd, id_of(&x), src, 4 << 20, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(fd, id_of(&x), dst, 4 << 20, SDXI_MAP_WRITE));
	dsc_copy(&d, (uintptr_t)src, (uintptr_t)dst, 4 << 20, 0);
	uctx_submit(&x, &d, 1);
	ret = uctx_wait(&x, 1, WAIT_MS);
	FIGURE("max_user_buffer_mb=2: out_max_buffer %llu (function %llu); a 4 MiB copy in a context created then: %d",
	       (unsigned long long)capped.out_max_buffer,
	       (unsigned long long)fn.out_max_buffer, ret);
	EXPECT_EQ(2 << 20, capped.out_max_buffer);
	EXPECT_GT(fn.out_max_buffer, capped.out_max_buffer);
	EXPECT_EQ(-EIO, ret);
	ASSERT_EQ(0, ctx_status_wait_error(fd, id_of(&x), &s, &rec, 1, WAIT_MS));
	EXPECT_EQ(SDXI_ERR_SIZE, rec.reason);
	EXPECT_TRUE(all_bytes(dst, 4 << 20, 0));
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/* ---- 6: mappings cannot be inherited ------------------------------------ */
static sigjmp_buf child_jmp;

static void child_fault(int sig)
{
	siglongjmp(child_jmp, sig);
}

TEST(madvise_dofork_cannot_give_a_child_the_mappings)
{
	struct uctx x;
	void *maps[5];
	size_t sizes[5];
	int fd, i, refused = 0, st;
	pid_t pid;

	REQUIRE_DEVICE(fd);
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	maps[0] = x.ring; sizes[0] = x.c.out_ring_size;
	maps[1] = (void *)x.wi; sizes[1] = x.c.out_wi_size;
	maps[2] = (void *)x.sts; sizes[2] = x.c.out_sts_size;
	maps[3] = (void *)x.db; sizes[3] = x.c.out_db_size;
	maps[4] = (void *)x.csb; sizes[4] = x.c.out_csb_size;
	x.ring[3].qw[1] = 0x5d015d015d015d01ULL;
	for (i = 0; i < 5; i++)
		refused += madvise(maps[i], sizes[i], MADV_DOFORK) && errno == EINVAL;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int sig;

		signal(SIGSEGV, child_fault);
		signal(SIGBUS, child_fault);
		sig = sigsetjmp(child_jmp, 1);
		if (sig)
			_exit(sig == SIGSEGV ? 10 : 11);
		/* Inherited: the parent's ring, readable and writable. */
		_exit(x.ring[3].qw[1] == 0x5d015d015d015d01ULL ? 0 : 1);
	}
	st = child_status(pid);
	FIGURE("madvise(MADV_DOFORK) refused on %d of 5 mappings; child reading the ring: %s",
	       refused, st == 0 ? "read the parent's ring" : st == 10 ? "SIGSEGV (not mapped)" :
	       st == 11 ? "SIGBUS" : "other");
	EXPECT_EQ(5, refused);
	EXPECT_EQ(10, st);
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/* ---- 7: read-only opens ------------------------------------------------- */
TEST(read_only_open_cannot_change_state)
{
	static const unsigned long cmds[] = {
		SDXI_IOC_CREATE_CONTEXT, SDXI_IOC_DESTROY_CONTEXT,
		SDXI_IOC_RESET_CONTEXT, SDXI_IOC_MAP_MEM, SDXI_IOC_UNMAP_MEM,
		SDXI_IOC_MAP_DMABUF, SDXI_IOC_UNMAP_DMABUF, SDXI_IOC_SET_EVENTFD,
	};
	long long cxt0 = sdxi_counter("user_contexts");
	struct sdxi_context_status s;
	struct sdxi_info info;
	unsigned int i, refused = 0;
	int fd, rw;

	REQUIRE_DEVICE(rw);
	close(rw);
	fd = open(SDXI_DEV, O_RDONLY);
	ASSERT_GE(fd, 0);
	/* What a read-only open may do. */
	EXPECT_EQ(0, sdxi_get_info(fd, &info));
	EXPECT_EQ(-ENOENT, ctx_status(fd, 1, &s, NULL, 0));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		uint64_t a[16] = { 0 };
		int ret;

		/* A valid CREATE; the others name nothing. */
		((uint32_t *)a)[0] = sizeof(a);
		ret = sdxi_ioc(fd, cmds[i], a);
		refused += ret == -EBADF;
		EXPECT_EQ(-EBADF, ret) TH_LOG("ioctl %#lx", cmds[i]);
	}
	FIGURE("O_RDONLY: %u of %zu state-changing ioctls refused; user contexts %lld -> %lld",
	       refused, sizeof(cmds) / sizeof(cmds[0]), cxt0, sdxi_counter("user_contexts"));
	EXPECT_EQ(cxt0, sdxi_counter("user_contexts"));
	close(fd);
}

/* ---- 8: a context that cannot be quiesced is held whole ------------------ */
/*
 * The emulated function always stops: the driver's fault injection
 * (debugfs fail_fn_stop, in a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS)
 * makes it "not stop".
 */
#define FAIL_STOP	SDXI_DEBUGFS_ROOT "fail_fn_stop/"

static int fail_fn_stop(bool on)
{
	int err = write_file(FAIL_STOP "verbose", "0");

	if (!err)
		err = write_file(FAIL_STOP "interval", "1");
	if (!err)
		err = write_file(FAIL_STOP "times", on ? "-1" : "0");
	if (!err)
		err = write_file(FAIL_STOP "probability", on ? "100" : "0");
	return err;
}

FIXTURE(held) {
	int fd, buf;
	bool armed;
};

FIXTURE_SETUP(held)
{
	self->buf = -1;
	REQUIRE_DEVICE(self->fd);
	REQUIRE_ROOT();
	REQUIRE_QOM();
	if (access(FAIL_STOP "probability", W_OK))
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS)");
}

/* Whatever happened, the function can stop and runs again afterwards. */
FIXTURE_TEARDOWN(held)
{
	if (self->armed) {
		fail_fn_stop(false);
		qom_set("stall", "false");
	}
	if (self->buf >= 0)
		close(self->buf);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(held, unquiesced_context_is_held_whole_until_the_function_stops)
{
	long long r0 = sdxi_fn_counter("recoveries"), active0;
	unsigned char *mem = alloc_pages_filled(2, 0x21);
	void *resv = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static const char *const names[5] = {
		"user_contexts", "pasids", "pinned_pages", "dmabufs",
		"imported_bytes",
	};
	long long held[6], after[6];
	struct uctx x;
	char *cpu;
	int i;

	self->buf = udmabuf_new(PG, (void **)&cpu);
	if (self->buf == -ENOENT)
		SKIP(return, "no /dev/udmabuf");
	ASSERT_GE(self->buf, 0);
	active0 = sdxi_fn_counter("active_contexts");
	ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &x));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&x), mem, 2 * PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_dmabuf(self->fd, id_of(&x), self->buf, (uintptr_t)resv, PG));
	uctx_unmap(&x);
	/* The admin ring stalls, and the function refuses to stop. */
	self->armed = true;
	ASSERT_EQ(0, fail_fn_stop(true));
	ASSERT_EQ(0, qom_set("stall", "true"));
	EXPECT_EQ(0, ctx_cmd(self->fd, SDXI_IOC_DESTROY_CONTEXT, id_of(&x)));
	for (i = 0; i < 5; i++)
		held[i] = sdxi_counter(names[i]);
	held[5] = sdxi_fn_counter("leaked_contexts");
	/* An exporter's move reaches the held import safely. */
	EXPECT_EQ(0, write_file(SDXI_DEBUGFS "dmabuf_move", "0"));
	EXPECT_EQ(0, write_file(SDXI_DEBUGFS "dmabuf_move", "1"));
	/* The ID stays taken. */
	EXPECT_EQ(active0 + 1, sdxi_fn_counter("active_contexts"));
	/* The function can stop again: the next recovery frees it all. */
	ASSERT_EQ(0, fail_fn_stop(false));
	ASSERT_EQ(0, qom_set("stall", "false"));
	self->armed = false;
	EXPECT_TRUE(wait_recovered(r0));
	for (i = 0; i < 5; i++)
		after[i] = sdxi_counter(names[i]);
	after[5] = sdxi_fn_counter("leaked_contexts");
	FIGURE("unquiesced DESTROY: held user_contexts %lld pasids %lld pinned_pages %lld dmabufs %lld imported_bytes %lld leaked_contexts %lld; after the function stopped %lld %lld %lld %lld %lld %lld",
	       held[0], held[1], held[2], held[3], held[4], held[5],
	       after[0], after[1], after[2], after[3], after[4], after[5]);
	EXPECT_EQ(1, held[0]);
	EXPECT_EQ(1, held[1]);
	EXPECT_EQ(2, held[2]);
	EXPECT_EQ(1, held[3]);
	EXPECT_EQ(PG, held[4]);
	EXPECT_EQ(1, held[5]);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(0, after[i]) TH_LOG("counter %d", i);
	EXPECT_EQ(active0, sdxi_fn_counter("active_contexts"));
	EXPECT_EQ(0, device_copies());
}

/* ---- 9: error records are the user's own --------------------------------- */
TEST(function_error_reaches_users_without_kernel_addresses)
{
	long long r0 = sdxi_fn_counter("recoveries");
	struct sdxi_error_record recs[4];
	struct sdxi_context_status s;
	struct uctx x;
	unsigned int i;
	int fd;

	REQUIRE_DEVICE(fd);
	REQUIRE_QOM();
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	ASSERT_EQ(0, qom_set("force-fn-error", "true"));
	ASSERT_EQ(0, ctx_status_wait_error(fd, id_of(&x), &s, recs, 4, WAIT_MS));
	EXPECT_TRUE(wait_recovered(r0));
	EXPECT_GE(s.nr_records, 1);
	for (i = 0; i < s.nr_records; i++) {
		EXPECT_EQ(SDXI_RE_FN_STOPPED, recs[i].reaction);
		EXPECT_EQ(0, recs[i].addr);
		EXPECT_EQ(0, recs[i].dsc_index);
		EXPECT_EQ(0, recs[i].flags);
	}
	FIGURE("function error: %u record(s) reported to a user context, address %#llx, index %llu, flags %#x",
	       s.nr_records, (unsigned long long)recs[0].addr,
	       (unsigned long long)recs[0].dsc_index, recs[0].flags);
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/* ---- 10: the admin path under a flood of user work ------------------------ */
struct flood {
	int fd;
	struct uctx x;
	bool live;
};

/*
 * Wait until every context retired @descs descriptors; the number that
 * stopped (any state but RUN) or did not finish within @ms.
 */
static unsigned int flood_wait(struct flood *fl, unsigned int n,
			       unsigned int descs, unsigned int ms)
{
	uint64_t t0 = now_ms();
	unsigned int i, left, bad;

	do {
		left = bad = 0;
		for (i = 0; i < n; i++) {
			volatile struct sdxi_cxt_sts *sts = fl[i].x.sts;

			if ((sts->state & SDXI_CXT_STS_STATE) != SDXI_CXTV_RUN)
				bad++;
			else if (__atomic_load_n(&sts->read_index, __ATOMIC_ACQUIRE) < descs)
				left++;
		}
		if (!left)
			return bad;
		usleep(10000);
	} while (now_ms() - t0 < ms);
	return bad + left;
}

TEST_F_TIMEOUT(long_run, flood_from_every_context_does_not_time_out_the_admin_path, 600)
{
	const char *e_len = getenv("SDXI_FLOOD_LEN"), *e_n = getenv("SDXI_FLOOD_DESCS");
	uint64_t len = e_len ? strtoull(e_len, NULL, 0) : 4 << 20;
	unsigned int descs = e_n ? strtoul(e_n, NULL, 0) : 128;
	long long rec0 = sdxi_fn_counter("recoveries");
	long long tmo0 = sdxi_fn_counter("admin_timeouts");
	uint64_t worst = 0, total = 0, t0, drain;
	unsigned int i, k, n = 0, bad = 0, ops = 0;
	struct params p = {};
	struct sdxi_info info;
	struct flood *fl;
	unsigned char *src, *dst;
	union sdxi_desc d;
	int fd, fdm;

	REQUIRE_DEVICE(fd);
	REQUIRE_ROOT();
	ASSERT_EQ(0, sdxi_get_info(fd, &info));
	close(fd);
	src = alloc_pages_filled(len / PG, 0x6d);
	dst = alloc_pages_filled(len / PG, 0);
	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	fl = calloc(info.out_max_contexts, sizeof(*fl));
	ASSERT_NE(NULL, fl);
	/* As many contexts as the function gives users; one kept for measuring. */
	ASSERT_EQ(0, params_set(&p, "max_contexts_per_file", 1000000));
	ASSERT_EQ(0, params_set(&p, "max_contexts_per_user", 1000000));
	ASSERT_EQ(0, params_set(&p, "max_pinned_mb_per_file", 1000000));
	ASSERT_EQ(0, params_set(&p, "max_pinned_mb_per_user", 1000000));
	fd = open(SDXI_DEV, O_RDWR);
	fdm = open(SDXI_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_GE(fdm, 0);
	for (i = 0; i + 1 < info.out_max_contexts; i++) {
		fl[i].fd = fd;
		if (uctx_create(fd, 0, 0, &fl[i].x))
			break;
		fl[i].live = true;
		if (map_mem(fd, id_of(&fl[i].x), src, len, SDXI_MAP_READ) ||
		    map_mem(fd, id_of(&fl[i].x), dst, len, SDXI_MAP_WRITE))
			break;
		n++;
	}
	ASSERT_GT(n, 0);
	dsc_copy(&d, (uintptr_t)src, (uintptr_t)dst, len, 0);
	for (i = 0; i < n; i++) {
		union sdxi_desc batch[64];

		for (k = 0; k < 64; k++)
			batch[k] = d;
		for (k = 0; k < descs; k += 64)
			uctx_submit(&fl[i].x, batch, descs - k < 64 ? descs - k : 64);
	}
	/* Admin operations while the function works: create and destroy. */
	t0 = now_ms();
	do {
		uint64_t t = now_ms();
		struct uctx m;

		if (uctx_create(fdm, 0, 0, &m) || uctx_destroy(&m))
			bad++;
		t = now_ms() - t;
		worst = t > worst ? t : worst;
		total += t;
		ops++;
	} while (ops < 3 || (now_ms() - t0 < 5000 && ops < 20));
	/* The flood itself completes, every context still running. */
	bad += flood_wait(fl, n, descs, 120000);
	drain = now_ms() - t0;
	FIGURE("%u contexts x %u copies of %llu bytes: %u admin create+destroy, worst %llu ms, mean %llu ms; flood done in %llu ms; admin timeouts +%lld, recoveries +%lld, %u failures",
	       n, descs, (unsigned long long)len, ops, (unsigned long long)worst,
	       (unsigned long long)(total / ops), (unsigned long long)drain,
	       sdxi_fn_counter("admin_timeouts") - tmo0,
	       sdxi_fn_counter("recoveries") - rec0, bad);
	EXPECT_EQ(tmo0, sdxi_fn_counter("admin_timeouts"));
	EXPECT_EQ(rec0, sdxi_fn_counter("recoveries"));
	EXPECT_EQ(0, bad);
	EXPECT_TRUE(all_bytes(dst, len, 0x6d));
	for (i = 0; i < info.out_max_contexts; i++)
		if (fl[i].live)
			uctx_unmap(&fl[i].x);
	close(fd);
	close(fdm);
	params_restore(&p);
	free(fl);
	EXPECT_USER_COUNTERS_ZERO(0);
}

TEST_HARNESS_MAIN
