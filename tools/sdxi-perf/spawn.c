// SPDX-License-Identifier: MIT
/*
 * Running one measurement point: processes (fork, results back over a
 * pipe), threads in each (pthreads, optionally pinned to CPUs), a barrier
 * shared by all of them (process-shared, in a MAP_SHARED page created
 * before fork), and the merge of their results.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker.h"

/* All threads of one process; their merged result in @res. */
static void run_threads(const struct perf_cfg *cfg, const struct perf_point *pt,
			struct sdxi_dev *dev, struct shared *sh, unsigned int proc,
			struct perf_result *res)
{
	unsigned int n = cfg->threads;
	struct worker *w = calloc(n, sizeof(*w));

	perf_result_init(res);
	if (!w) {
		res->setup_err = -ENOMEM;
		snprintf(res->setup_msg, sizeof(res->setup_msg), "out of memory");
		__atomic_store_n(&sh->abort, 1, __ATOMIC_RELAXED);
		/* Stand in for our threads at the barriers, or the others hang. */
		for (unsigned int b = 0; b < 3; b++)
			for (unsigned int i = 0; i < n; i++)
				pthread_barrier_wait(&sh->bar);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		w[i].cfg = cfg;
		w[i].pt = pt;
		w[i].dev = dev;
		w[i].sh = sh;
		w[i].index = proc * n + i;
		perf_result_init(&w[i].res);
	}
	/* Thread 0 is this thread: one fewer context switch, same code. */
	for (unsigned int i = 1; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, perf_worker_main, &w[i])) {
			fprintf(stderr, "sdxi-perf: cannot create thread %u\n", i);
			exit(2);
		}
	perf_worker_main(&w[0]);
	for (unsigned int i = 1; i < n; i++)
		pthread_join(w[i].tid, NULL);
	for (unsigned int i = 0; i < n; i++)
		perf_result_merge(res, &w[i].res);
	free(w);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Collect the children's results.  A child that dies without sending its
 * result leaves the others stuck at a barrier: kill them (by pid) then.
 */
static int collect(pid_t *pids, int *fds, unsigned int n, struct perf_result *res)
{
	struct perf_result *tmp = malloc(n * sizeof(*tmp));
	size_t *got = calloc(n, sizeof(*got));
	unsigned int open = n;
	int ret = 0;

	if (!tmp || !got) {
		free(tmp);
		free(got);
		return -ENOMEM;
	}
	while (open) {
		struct pollfd pfd[PERF_MAX_WORKERS];
		unsigned int map[PERF_MAX_WORKERS], m = 0;

		for (unsigned int i = 0; i < n; i++)
			if (fds[i] >= 0) {
				pfd[m] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
				map[m++] = i;
			}
		if (poll(pfd, m, -1) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		for (unsigned int j = 0; j < m; j++) {
			unsigned int i = map[j];
			ssize_t r;

			if (!pfd[j].revents)
				continue;
			r = read(fds[i], (char *)&tmp[i] + got[i], sizeof(tmp[i]) - got[i]);
			if (r > 0) {
				got[i] += (size_t)r;
				if (got[i] < sizeof(tmp[i]))
					continue;
			} else if (r < 0 && errno == EINTR) {
				continue;
			}
			close(fds[i]);
			fds[i] = -1;
			open--;
			if (got[i] != sizeof(tmp[i]) && !ret) {
				ret = -ECHILD;
				for (unsigned int k = 0; k < n; k++)
					if (k != i && fds[k] >= 0)
						kill(pids[k], SIGKILL);
			}
		}
	}
	for (unsigned int i = 0; i < n; i++)
		if (got[i] == sizeof(tmp[i]))
			perf_result_merge(res, &tmp[i]);
	free(tmp);
	free(got);
	return ret;
}

int perf_run_point(const struct perf_cfg *cfg, const struct perf_point *pt,
		   struct sdxi_dev *dev, struct perf_result *res)
{
	unsigned int procs = cfg->procs, workers = cfg->procs * cfg->threads;
	pthread_barrierattr_t ba;
	struct shared *sh;
	pid_t pids[PERF_MAX_WORKERS];
	int fds[PERF_MAX_WORKERS];
	int ret = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -ENOMEM;
	sh->abort = 0;
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->bar, &ba, workers);
	pthread_barrierattr_destroy(&ba);

	if (procs == 1) {
		run_threads(cfg, pt, dev, sh, 0, res);
		goto out;
	}
	perf_result_init(res);
	fflush(NULL);
	for (unsigned int p = 0; p < procs; p++) {
		int pfd[2];

		if (pipe(pfd)) {
			ret = -errno;
			procs = p;
			break;
		}
		pids[p] = fork();
		if (pids[p] == 0) {
			struct perf_result *r = malloc(sizeof(*r));
			struct sdxi_dev *d = NULL;
			int err = 0;

			close(pfd[0]);
			/* Contexts do not survive fork: each process opens the device. */
			if (!pt->cpu)
				err = sdxi_dev_open(cfg->device, &d);
			if (!r)
				_exit(3);
			if (err) {
				perf_result_init(r);
				r->setup_err = err;
				snprintf(r->setup_msg, sizeof(r->setup_msg), "sdxi_dev_open: %s",
					 strerror(-err));
				__atomic_store_n(&sh->abort, 1, __ATOMIC_RELAXED);
				for (unsigned int b = 0; b < 3; b++)
					for (unsigned int i = 0; i < cfg->threads; i++)
						pthread_barrier_wait(&sh->bar);
			} else {
				run_threads(cfg, pt, d, sh, p, r);
			}
			if (d)
				sdxi_dev_close(d);
			_exit(write_all(pfd[1], r, sizeof(*r)) ? 3 : 0);
		}
		close(pfd[1]);
		if (pids[p] < 0) {
			ret = -errno;
			close(pfd[0]);
			procs = p;
			break;
		}
		fds[p] = pfd[0];
	}
	if (procs < cfg->procs) {
		/* Not all children exist: the barrier can never open. */
		for (unsigned int p = 0; p < procs; p++) {
			kill(pids[p], SIGKILL);
			close(fds[p]);
		}
	} else {
		ret = collect(pids, fds, procs, res);
	}
	for (unsigned int p = 0; p < procs; p++)
		waitpid(pids[p], NULL, 0);
out:
	pthread_barrier_destroy(&sh->bar);
	munmap(sh, sizeof(*sh));
	if (!ret && res->setup_err)
		ret = res->setup_err;
	return ret;
}
