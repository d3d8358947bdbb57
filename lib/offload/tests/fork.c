// SPDX-License-Identifier: MIT
/*
 * Children: fork() after the parent offloaded (the child copies on the
 * CPU, right), fork() while another thread copies, vfork() with a copy
 * in the child before _exit(), posix_spawn() of this program (a fresh
 * process under the library) and system().  The parent keeps
 * offloading afterwards.
 */
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

#define N (2 << 20)

static void copy_check(unsigned int seed)
{
	unsigned char *b = xmalloc(N);

	check_copy(N, seed);
	memset(b, 7, N);
	if (b[N - 1] != 7 || b[0] != 7)
		FAIL("memset in pid %d", (int)getpid());
	free(b);
}

static volatile int stop;

static void *copier(void *arg)
{
	(void)arg;
	while (!stop)
		copy_check(9);
	return NULL;
}

static void wait_ok(pid_t pid, const char *what)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("%s failed", what);
}

int main(int argc, char **argv)
{
	static unsigned char va[N], vb[N];
	pthread_t t;
	pid_t pid;

	if (argc > 1) {	/* the posix_spawn()ed copy */
		copy_check(4);
		return 0;
	}
	copy_check(1);
	pid = fork();
	if (!pid) {
		copy_check(2);
		exit(0);
	}
	wait_ok(pid, "fork child");

	pthread_create(&t, NULL, copier, NULL);
	for (int i = 0; i < 5; i++) {
		pid = fork();
		if (!pid) {
			copy_check(3);
			_exit(0);
		}
		wait_ok(pid, "fork child with a copying thread");
	}
	stop = 1;
	pthread_join(t, NULL);

	fill_pat(va, N, 6);
	pid = vfork();
	if (!pid) {
		memcpy(vb, va, N);
		_exit(is_pat(vb, N, 6, 0) ? 0 : 1);
	}
	wait_ok(pid, "vfork child");

	char *args[] = { argv[0], "child", NULL };
	if (posix_spawn(&pid, argv[0], NULL, NULL, args, environ))
		FAIL("posix_spawn");
	wait_ok(pid, "posix_spawn child");
	if (system("exit 0"))
		FAIL("system");
	copy_check(5);
	return 0;
}
