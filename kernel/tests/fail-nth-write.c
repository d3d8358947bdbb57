// SPDX-License-Identifier: GPL-2.0
/*
 * fail-nth-write N FILE STRING: write STRING to FILE with the N-th
 * fault-injection point reached by this thread during that write failing
 * (/proc/thread-self/fail-nth, Documentation/fault-injection).  Both files
 * are opened first, so counting starts with the write itself and nothing
 * the shell does around it consumes a point.  Prints one line:
 *   injected|not-reached ok|<errno name>
 * and exits 0 when the write succeeded, 1 when it failed, 2 when the
 * files could not be set up.  Built static on the host for the guest
 * (kernel/tests/vm/failslab.sh, make check-debug).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[32];
	int nth, fd, err = 0;
	ssize_t r;

	if (argc != 4 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: fail-nth-write N FILE STRING\n");
		return 2;
	}
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	fd = open(argv[2], O_WRONLY);
	if (nth < 0 || fd < 0) {
		perror(nth < 0 ? "/proc/thread-self/fail-nth" : argv[2]);
		return 2;
	}
	if (write(nth, argv[1], strlen(argv[1])) < 0) {
		perror("fail-nth");
		return 2;
	}
	if (write(fd, argv[3], strlen(argv[3])) < 0)
		err = errno;
	/* Reading back: 0 once the fault was injected, else what was left. */
	r = pread(nth, buf, sizeof(buf) - 1, 0);
	if (r <= 0) {
		perror("fail-nth read");
		return 2;
	}
	buf[r] = '\0';
	if (write(nth, "0", 1) < 0) {
		perror("fail-nth reset");
		return 2;
	}
	printf("%s %s\n", atoi(buf) == 0 ? "injected" : "not-reached",
	       err ? strerrorname_np(err) : "ok");
	return err ? 1 : 0;
}
