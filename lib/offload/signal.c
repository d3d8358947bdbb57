// SPDX-License-Identifier: MIT
/*
 * Signal handlers run under the guard, so that a memcpy() in a handler
 * takes the CPU path (the device path takes locks and allocates: not
 * async-signal-safe).  sigaction() and signal() are interposed: a
 * handler the program installs is recorded and a trampoline installed in
 * its place, which marks the thread as in a handler around the call; the
 * old action the program reads back is its own.  Handlers installed by
 * raw system calls are not seen.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stddef.h>

#include "offload.h"

#define EXPORT __attribute__((visibility("default")))

/* The program's handler of each signal and whether it takes siginfo. */
static struct {
	void *fn;
	int siginfo;
} handlers[_NSIG];

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

static void trampoline(int sig, siginfo_t *si, void *uc)
{
	void *fn = __atomic_load_n(&handlers[sig].fn, __ATOMIC_ACQUIRE);

	__atomic_add_fetch(&oflo_self.in_signal, 1, __ATOMIC_RELAXED);
	oflo_guard_enter();
	/*
	 * With the three arguments the kernel passes to every handler
	 * (SA_SIGINFO or not), so that the handler and its kind need not be
	 * read together.
	 */
	((void (*)(int, siginfo_t *, void *))fn)(sig, si, uc);
	oflo_guard_exit();
	__atomic_sub_fetch(&oflo_self.in_signal, 1, __ATOMIC_RELAXED);
}

static int resolve(void)
{
	if (!__atomic_load_n(&real_sigaction, __ATOMIC_ACQUIRE)) {
		void *f;

		oflo_guard_enter();
		f = dlsym(RTLD_NEXT, "sigaction");
		oflo_guard_exit();
		if (!f)
			return -1;
		__atomic_store_n((void **)&real_sigaction, f, __ATOMIC_RELEASE);
	}
	return 0;
}

static int wrapped(const struct sigaction *act)
{
	return act && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction mine;
	void *prev_fn;
	int prev_siginfo, ret;

	if (resolve())
		return -1;
	if (sig <= 0 || sig >= _NSIG)
		return real_sigaction(sig, act, old);
	prev_fn = __atomic_load_n(&handlers[sig].fn, __ATOMIC_ACQUIRE);
	prev_siginfo = handlers[sig].siginfo;
	if (wrapped(act)) {
		mine = *act;
		mine.sa_flags |= SA_SIGINFO;
		mine.sa_sigaction = trampoline;
		__atomic_store_n(&handlers[sig].siginfo, !!(act->sa_flags & SA_SIGINFO),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&handlers[sig].fn,
				 act->sa_flags & SA_SIGINFO ? (void *)act->sa_sigaction :
							      (void *)act->sa_handler,
				 __ATOMIC_RELEASE);
		act = &mine;
	}
	ret = real_sigaction(sig, act, old);
	if (!ret && old && old->sa_sigaction == trampoline && prev_fn) {
		if (prev_siginfo) {
			old->sa_sigaction = (void (*)(int, siginfo_t *, void *))prev_fn;
		} else {
			old->sa_flags &= ~SA_SIGINFO;
			old->sa_handler = (void (*)(int))prev_fn;
		}
	}
	return ret;
}

/* glibc's signal(): BSD semantics (SA_RESTART, the handler stays). */
EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;

	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig);
	if (sigaction(sig, &act, &old))
		return SIG_ERR;
	return old.sa_handler;
}
