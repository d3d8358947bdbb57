// SPDX-License-Identifier: GPL-2.0
/*
 * sdxi_traffic: verified traffic on /dev/sdxi0 from several processes, for
 * robustness.sh (a helper, not a test: TEST_GEN_PROGS_EXTENDED).
 *
 *   sdxi_traffic [-n PROCS] [-r ROUNDS] [-R READY_FILE]
 *
 * Each of PROCS processes (default 2) opens /dev/sdxi0, creates two
 * contexts (one with interrupts), registers memory and imports a udmabuf,
 * then runs rounds of checked copies (traffic.h) until the device goes
 * away, or ROUNDS of them (default: no limit).  READY_FILE is created once
 * every process has done two rounds.
 *
 * Exit status: 0 when every process ended well (its rounds done, or the
 * device went away and every call said so: ENODEV, POLLHUP); 1 otherwise
 * (wrong data, a hang, a wrong errno); 2 for usage.
 * SIGTERM kills the processes and exits 0 unless one had already failed:
 * that is how robustness.sh stops the traffic before unloading the module.
 */
#include <getopt.h>

#include "sdxi_common.h"
#include "traffic.h"

#define MAX_PROCS	64

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART */
	unsigned int procs = 2, rounds = 0, i, ready = 0, left;
	bool killed = false;
	const char *ready_file = NULL;
	pid_t pid[MAX_PROCS];
	int p[2], opt, failed = 0;
	char c;

	while ((opt = getopt(argc, argv, "n:r:R:")) != -1) {
		switch (opt) {
		case 'n':
			procs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			ready_file = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-n PROCS] [-r ROUNDS] [-R READY_FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (!procs || procs > MAX_PROCS)
		return 2;
	if (pipe(p))
		return 1;
	for (i = 0; i < procs; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			return 1;
		if (pid[i] == 0) {
			close(p[0]);
			traffic_run(p[1], rounds);
		}
	}
	close(p[1]);
	/* Only now: the children must not inherit the handler. */
	sigaction(SIGTERM, &sa, NULL);
	/* Two rounds done by all, or EOF when one ended before. */
	while (ready < procs && read(p[0], &c, 1) == 1)
		ready++;
	close(p[0]);
	if (ready == procs && ready_file) {
		int fd = open(ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}
	for (left = procs; left;) {
		int st;
		pid_t w;

		if (stop && !killed) {
			for (i = 0; i < procs; i++)
				kill(pid[i], SIGKILL);
			killed = true;
		}
		/* Polled: a SIGTERM between the check and a blocking wait is not lost. */
		w = waitpid(-1, &st, WNOHANG);
		if (w == 0 || (w < 0 && errno == EINTR)) {
			usleep(10000);
			continue;
		}
		if (w < 0)
			break;
		left--;
		if (stop && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			continue;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "sdxi_traffic: process %d ended with %s %d\n", (int)w,
				WIFEXITED(st) ? "status" : "signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			failed = 1;
		}
	}
	if (ready < procs && !stop) {
		fprintf(stderr, "sdxi_traffic: only %u of %u processes got going\n", ready, procs);
		failed = 1;
	}
	return failed;
}
