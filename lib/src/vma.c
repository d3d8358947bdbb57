// SPDX-License-Identifier: MIT
/*
 * What the calling process has mapped at an address: the registration
 * cache clips its chunks to the run of mappings the memory lies in, and
 * the software device checks what pinning would.
 *
 * PROCMAP_QUERY (Linux 6.11) reports one mapping under the kernel's lock,
 * so a mapping that does not change is reported as it is, whatever other
 * threads map, unmap or protect meanwhile (a library's threads do: the
 * software device's, liburcu's, the application's).  The text of
 * /proc/self/maps gives no such promise: the kernel produces it a page at
 * a time, and on recent kernels under per-mapping locks, so a read racing
 * with changes elsewhere can repeat or tear lines.  It is used where the
 * query is missing (kernels before 6.11, headers without it), one scan of
 * the file per lookup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>

#include "internal.h"

/* The longest run vma_run() follows, in mappings each way. */
#define RUN_MAX_STEPS	64

int vma_open(void)
{
	return open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
}

/* The mapping covering @addr from the text of /proc/self/maps. */
static int find_in_text(uint64_t addr, struct vma *v)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char perm[5], tail[256];
		int n = sscanf(line, "%llx-%llx %4s", &a, &b, perm);

		/* A long name: skip the rest of its line. */
		if (!strchr(line, '\n'))
			while (fgets(tail, sizeof(tail), f) && !strchr(tail, '\n'))
				;
		if (n != 3 || b <= addr)
			continue;
		if (a <= addr) {
			v->start = a;
			v->end = b;
			v->read = perm[0] == 'r';
			v->write = perm[1] == 'w';
			v->shared = perm[3] == 's';
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

int vma_find(int fd, uint64_t addr, struct vma *v)
{
#ifdef PROCMAP_QUERY
	struct procmap_query q = {
		.size = sizeof(q), .query_addr = addr,
	};

	if (fd >= 0) {
		if (!ioctl(fd, PROCMAP_QUERY, &q)) {
			v->start = q.vma_start;
			v->end = q.vma_end;
			v->read = q.vma_flags & PROCMAP_QUERY_VMA_READABLE;
			v->write = q.vma_flags & PROCMAP_QUERY_VMA_WRITABLE;
			v->shared = q.vma_flags & PROCMAP_QUERY_VMA_SHARED;
			return 0;
		}
		if (errno != ENOTTY && errno != EINVAL)
			return -errno;
	}
#else
	(void)fd;
#endif
	return find_in_text(addr, v);
}

/*
 * Private mappings with the same access extend a run; shared ones (a
 * device's registers or rings, shared files) end it, since pinning across
 * them would fail.
 */
static bool same_run(const struct vma *a, const struct vma *b)
{
	return !a->shared && !b->shared && a->read == b->read && a->write == b->write;
}

int vma_run(uint64_t addr, uint64_t floor, uint64_t ceil, uint64_t *lo, uint64_t *hi,
	    bool *writable)
{
	int fd = vma_open();
	struct vma v, n;
	int ret = vma_find(fd, addr, &v);

	if (ret || !v.read) {
		ret = -EFAULT;
		goto out;
	}
	*lo = v.start;
	*hi = v.end;
	*writable = v.write;
	for (int i = 0; i < RUN_MAX_STEPS && *hi < ceil; i++) {
		if (vma_find(fd, *hi, &n) || n.start != *hi || !same_run(&v, &n))
			break;
		*hi = n.end;
	}
	for (int i = 0; i < RUN_MAX_STEPS && *lo > floor; i++) {
		if (vma_find(fd, *lo - 1, &n) || n.end != *lo || !same_run(&v, &n))
			break;
		*lo = n.start;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
