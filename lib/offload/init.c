// SPDX-License-Identifier: MIT
/*
 * Start and end: the constructor resolves the CPU path, reads the
 * environment and allows the device path; the destructor (the library
 * is preloaded, so it is finalized after the program and the libraries
 * it loaded) prints the statistics and turns the device path off for
 * whatever runs after it.  Contexts of threads still running are left
 * to the process's exit: a copy in flight on another thread completes.
 */
#include <pthread.h>
#include <unistd.h>

#include "offload.h"

unsigned int oflo_generation;
int oflo_pid;

static void fork_child(void)
{
	oflo_guard_enter();
	oflo_dev_fork_child();
	oflo_stats_fork_child();
	oflo_guard_exit();
}

__attribute__((constructor)) static void oflo_init(void)
{
	oflo_guard_enter();
	oflo_cpu_resolve();
	oflo_config_read();
	oflo_pid = getpid();
	pthread_atfork(NULL, NULL, fork_child);
	oflo_dev_init();
	__atomic_store_n(&oflo_cfg.ready, 1, __ATOMIC_RELEASE);
	oflo_guard_exit();
}

__attribute__((destructor)) static void oflo_fini(void)
{
	oflo_guard_enter();
	__atomic_store_n(&oflo_cfg.ready, 0, __ATOMIC_RELEASE);
	oflo_stats_report();
	oflo_guard_exit();
}
