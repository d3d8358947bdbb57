// SPDX-License-Identifier: MIT
/*
 * The software device's engine thread: it plays the hardware, running the
 * engine whenever a doorbell was rung.  Doorbells are function calls that
 * set the context's bit in a lock-free mailbox and wake the thread with a
 * futex only when it sleeps; it polls for a while (yielding, since it
 * shares the CPUs with the threads that feed it) before sleeping.
 * Interrupts (AKey entries) signal the context's eventfd.
 */
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "soft.h"

#define SOFT_SPIN_NS		20000		/* engine polls this long before sleeping */

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* Wake the engine thread if it sleeps (pairs with engine_idle()). */
static void engine_wake(struct soft_dev *sd)
{
	if (atomic_load(&sd->sleeping)) {
		atomic_fetch_add(&sd->wake, 1);
		futex_wake(&sd->wake);
	}
}

/* Take the device lock from a caller; the engine thread yields to it. */
void ctl_lock(struct soft_dev *sd)
{
	atomic_fetch_add(&sd->ctl_wait, 1);
	pthread_mutex_lock(&sd->lock);
	atomic_fetch_sub(&sd->ctl_wait, 1);
}

void ctl_unlock(struct soft_dev *sd)
{
	pthread_mutex_unlock(&sd->lock);
}

/* Vector 0: error log (processed after the run); vector id: context id. */
bool soft_irq(void *o, unsigned int vector)
{
	struct soft_dev *sd = o;
	uint64_t one = 1;

	if (vector >= sd->cfg.nr_vectors)
		return false;
	if (vector && vector <= SOFT_MAX_CXT && sd->cxt[vector].used &&
	    sd->cxt[vector].efd >= 0) {
		ssize_t n = write(sd->cxt[vector].efd, &one, sizeof(one));

		(void)n;	/* a saturated eventfd is still readable */
	}
	return true;
}

void soft_kick(void *o)
{
	struct soft_dev *sd = o;

	atomic_store(&sd->kicked, 1);
	engine_wake(sd);
}

static bool work_pending(struct soft_dev *sd)
{
	for (unsigned int w = 0; w < ARRAY_SIZE(sd->db_bits); w++)
		if (atomic_load_explicit(&sd->db_bits[w], memory_order_relaxed))
			return true;
	return atomic_load_explicit(&sd->kicked, memory_order_relaxed) != 0;
}

/* One engine step under the lock; true when more work is queued. */
static bool pump(struct soft_dev *sd)
{
	bool more;

	atomic_store(&sd->kicked, 0);
	for (unsigned int w = 0; w < ARRAY_SIZE(sd->db_bits); w++) {
		/* Acquire: pairs with the producer's RMW after its W store. */
		uint64_t bits = atomic_exchange_explicit(&sd->db_bits[w], 0,
							 memory_order_acquire);

		while (bits) {
			uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			sdxie_doorbell(sd->fn, id, 0);
		}
	}
	/* Revoked windows fail at their AKey, as on the kernel's device. */
	if (sd->nimports)
		soft_win_sweep(sd);
	more = sdxie_run(sd->fn, 64);
	errlog_process(sd);
	return more;
}

/* Wait for a doorbell or a kick: spin a little, then sleep on the futex. */
static void engine_idle(struct soft_dev *sd)
{
	struct timespec t0, t;
	uint32_t seq;

	/*
	 * Poll for a while, yielding often: this "hardware" shares the CPUs
	 * with the threads that feed it, and on a busy machine a producer
	 * may be waiting for this very CPU.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0;; i++) {
		if (work_pending(sd) || atomic_load(&sd->stop))
			return;
		cpu_relax();
		if (i % 64 == 63) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >
			    SOFT_SPIN_NS)
				break;
			sched_yield();
		}
	}
	/*
	 * Sleep protocol: announce sleeping (seq_cst), then look for work.
	 * A producer sets its doorbell bit (seq_cst RMW) and then reads
	 * sleeping; one of the two sees the other's store.  @seq was read
	 * before announcing, so a wake-up after that makes futex_wait return.
	 */
	seq = atomic_load(&sd->wake);
	atomic_store(&sd->sleeping, 1);
	if (!work_pending(sd) && !atomic_load(&sd->stop))
		futex_wait(&sd->wake, seq);
	atomic_store(&sd->sleeping, 0);
}

static void *engine_thread(void *arg)
{
	struct soft_dev *sd = arg;

	pthread_mutex_lock(&sd->lock);
	while (!atomic_load(&sd->stop)) {
		if (pump(sd) || work_pending(sd)) {
			if (atomic_load(&sd->ctl_wait)) {
				pthread_mutex_unlock(&sd->lock);
				sched_yield();
				pthread_mutex_lock(&sd->lock);
			}
			continue;
		}
		pthread_mutex_unlock(&sd->lock);
		engine_idle(sd);
		pthread_mutex_lock(&sd->lock);
	}
	pthread_mutex_unlock(&sd->lock);
	return NULL;
}

void soft_doorbell(struct sdxi_hwctx *hw)
{
	struct soft_cxt *sc = hw->priv;
	struct soft_dev *sd = sc->sd;

	/* Test counter: plain increment, approximate when shared. */
	atomic_store_explicit(&sc->doorbells,
			      atomic_load_explicit(&sc->doorbells, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	/* seq_cst RMW: orders the caller's W store before the bit (mailbox). */
	atomic_fetch_or(&sd->db_bits[sc->id / 64], 1ULL << (sc->id % 64));
	engine_wake(sd);
}

/* Forget a pending doorbell of context @id (it is being destroyed). */
void soft_clear_doorbell(struct soft_dev *sd, uint32_t id)
{
	atomic_fetch_and(&sd->db_bits[id / 64], ~(1ULL << (id % 64)));
}

/*
 * The engine thread starts with every signal blocked (it inherits the
 * mask in force here), so that the program's process-directed signals
 * (timers, SIGCHLD, ...) are never delivered to it: a handler must not
 * run on a thread the program does not know.
 */
int soft_thread_start(struct soft_dev *sd)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&sd->thread, NULL, engine_thread, sd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sd->thread_started = !ret;
	if (!ret)
		pthread_setname_np(sd->thread, "sdxi-soft");	/* for ps, gdb, and tests */
	return ret;
}

void soft_thread_stop(struct soft_dev *sd)
{
	if (!sd->thread_started)
		return;
	atomic_store(&sd->stop, 1);
	atomic_fetch_add(&sd->wake, 1);
	futex_wake(&sd->wake);
	pthread_join(sd->thread, NULL);
	sd->thread_started = false;
}
