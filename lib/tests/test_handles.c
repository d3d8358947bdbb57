// SPDX-License-Identifier: MIT
/*
 * Misuse of handles with SDXI_DEBUG=1: a device used after
 * sdxi_dev_close(), a context used after sdxi_ctx_destroy() (through
 * library calls and through the inline fast path), and pointers that are
 * not handles end in a clear message and abort().  Each case runs in a
 * child process whose stderr and exit the test checks.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

enum misuse {
	DEV_CLOSE_TWICE,
	DEV_INFO_AFTER_CLOSE,
	CTX_CREATE_AFTER_CLOSE,
	CTX_DESTROY_TWICE,
	CTX_STATUS_AFTER_DESTROY,
	MEMCPY_AFTER_DESTROY,
	POLL_AFTER_DESTROY,
	BATCH_AFTER_DESTROY,
	WAIT_AFTER_DESTROY,
	REGISTER_AFTER_DESTROY,
	NOT_A_CONTEXT,
};

/* The misuse itself, in the child; returns only if it went unnoticed. */
static void misuse(enum misuse m)
{
	static uint8_t buf[8192];
	uint64_t junk[64] = { 0 };
	struct sdxi_dev_info info;
	struct sdxi_ctx_status st;
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = NULL;
	struct sdxi_batch b;

	if (!dev || sdxi_ctx_create(dev, NULL, &ctx))
		return;
	if (m <= CTX_CREATE_AFTER_CLOSE) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
	} else if (m != NOT_A_CONTEXT) {
		sdxi_ctx_destroy(ctx);
	}
	switch (m) {
	case DEV_CLOSE_TWICE:
		sdxi_dev_close(dev);
		break;
	case DEV_INFO_AFTER_CLOSE:
		sdxi_dev_info(dev, &info);
		break;
	case CTX_CREATE_AFTER_CLOSE:
		sdxi_ctx_create(dev, NULL, &ctx);
		break;
	case CTX_DESTROY_TWICE:
		sdxi_ctx_destroy(ctx);
		break;
	case CTX_STATUS_AFTER_DESTROY:
		sdxi_ctx_status(ctx, &st);
		break;
	case MEMCPY_AFTER_DESTROY:
		sdxi_memcpy(ctx, buf + 4096, buf, 64);
		break;
	case POLL_AFTER_DESTROY:
		sdxi_poll(ctx, 0);
		break;
	case BATCH_AFTER_DESTROY:
		sdxi_batch_start(ctx, &b, 1, 0);
		break;
	case WAIT_AFTER_DESTROY:
		sdxi_wait(ctx, 0, NULL, NULL);
		break;
	case REGISTER_AFTER_DESTROY:
		sdxi_mem_register(ctx, buf, 4096, SDXI_MEM_READ);
		break;
	case NOT_A_CONTEXT:
		sdxi_ctx_status((struct sdxi_ctx *)(void *)junk, &st);
		break;
	}
}

/* Run misuse @m with SDXI_DEBUG=1; 1 if the child aborted saying @want. */
static int aborts_saying(enum misuse m, const char *want)
{
	char out[512] = { 0 };
	int fds[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	if (pipe(fds))
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		setenv("SDXI_DEBUG", "1", 1);
		misuse(m);
		_exit(0);
	}
	close(fds[1]);
	while (pid > 0 && (r = read(fds[0], out + n, sizeof(out) - 1 - (size_t)n)) > 0)
		n += r;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(out, want)) {
		printf("# misuse %d: status %#x, stderr: %s\n", (int)m, status, out);
		return 0;
	}
	return 1;
}

TEST(debug_catches_a_device_used_after_close)
{
	CHECK(aborts_saying(DEV_CLOSE_TWICE, "sdxi_dev_close(): device"));
	CHECK(aborts_saying(DEV_INFO_AFTER_CLOSE, "sdxi_dev_info(): device"));
	CHECK(aborts_saying(CTX_CREATE_AFTER_CLOSE, "sdxi_ctx_create(): device"));
}

TEST(debug_catches_a_context_used_after_destroy)
{
	CHECK(aborts_saying(CTX_DESTROY_TWICE, "sdxi_ctx_destroy(): context"));
	CHECK(aborts_saying(CTX_STATUS_AFTER_DESTROY, "sdxi_ctx_status(): context"));
	CHECK(aborts_saying(REGISTER_AFTER_DESTROY, "sdxi_mem_register(): context"));
	CHECK(aborts_saying(WAIT_AFTER_DESTROY, "sdxi_wait(): context"));
	/* The inline fast path goes out of line on a destroyed context. */
	CHECK(aborts_saying(MEMCPY_AFTER_DESTROY, "sdxi_memcpy(): context"));
	CHECK(aborts_saying(POLL_AFTER_DESTROY, "sdxi_poll(): context"));
	CHECK(aborts_saying(BATCH_AFTER_DESTROY, "sdxi_batch_start(): context"));
}

TEST(debug_catches_a_pointer_that_is_not_a_handle)
{
	CHECK(aborts_saying(NOT_A_CONTEXT, "is not a libsdxi context"));
}
