// SPDX-License-Identifier: MIT
/*
 * Copies in signal handlers: a timer interrupts a thread that offloads
 * 1 MiB copies in a loop; its handler (installed with signal(), then
 * with sigaction() and SA_SIGINFO) copies 256 KiB and checks it.  The
 * handler must take the CPU path (the stats show "signal" fallbacks) and
 * the program reads back its own handler from sigaction().
 */
#include <signal.h>
#include <sys/time.h>

#include "check.h"

static unsigned char hs[256 << 10], hd[256 << 10];
static volatile sig_atomic_t handled, bad;

static void on_alarm(int sig)
{
	(void)sig;
	memset(hd, 0, sizeof(hd));
	memcpy(hd, hs, sizeof(hs));
	if (!is_pat(hd, sizeof(hd), 1, 0))
		bad = 1;
	handled++;
}

static void on_alarm_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_signo != sig)
		bad = 1;
	on_alarm(sig);
}

static void run(int want)
{
	struct itimerval it = { { 0, 500 }, { 0, 500 } };
	size_t n = 1 << 20;
	unsigned char *a = xmalloc(n), *b = xmalloc(n);

	fill_pat(a, n, 2);
	handled = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; handled < want && i < 200000; i++) {
		memcpy(b, a, n);
		if (!is_pat(b, n, 2, 0))
			FAIL("main copy %d", i);
		memset(b, 0, n);
	}
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	if (handled < want || bad)
		FAIL("handled %d bad %d", (int)handled, (int)bad);
	free(a);
	free(b);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_alarm_info, .sa_flags = SA_SIGINFO }, old;

	fill_pat(hs, sizeof(hs), 1);
	if (signal(SIGALRM, on_alarm) == SIG_ERR)
		FAIL("signal");
	run(20);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) || old.sa_handler != on_alarm ||
	    (old.sa_flags & SA_SIGINFO))
		FAIL("sigaction did not give back the program's own handler");
	run(20);
	if (sigaction(SIGALRM, NULL, &old) || old.sa_sigaction != on_alarm_info ||
	    !(old.sa_flags & SA_SIGINFO))
		FAIL("sigaction query did not give back the program's own handler");
	if ((void *)signal(SIGALRM, SIG_DFL) != (void *)on_alarm_info)
		FAIL("signal did not give back the handler");
	return 0;
}
