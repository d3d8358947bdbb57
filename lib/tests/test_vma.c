// SPDX-License-Identifier: MIT
/*
 * The library's view of the process's mappings (lib/src/vma.c), which
 * the registration cache clips its chunks to and the software device
 * checks registrations against: PROCMAP_QUERY and the text of
 * /proc/self/maps report the same mapping, its bounds and its access.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

struct expect {
	uint64_t addr, start, end;
	unsigned int flags;
};

static void check_both(const struct expect *e)
{
	for (int text = 0; text < 2; text++) {
		uint64_t start = 0, end = 0;
		unsigned int flags = 0;

		CHECK_ERR(sdxi_test_vma_find(text, e->addr, &start, &end, &flags), 0);
		CHECK_EQ(start, e->start);
		CHECK_EQ(end, e->end);
		CHECK_EQ(flags, e->flags);
	}
}

TEST(vma_query_and_text_report_each_mapping)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, 6 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = memfd_create("sdxi-vma-test", MFD_CLOEXEC);
	uint8_t *sh = NULL;
	uint64_t a = (uint64_t)(uintptr_t)m, s, e;
	unsigned int fl;

	REQUIRE(m != MAP_FAILED && fd >= 0 && !ftruncate(fd, pg));
	sh = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(sh != MAP_FAILED);
	/* guard | rw | r | rw rw | hole */
	mprotect(m, pg, PROT_NONE);
	mprotect(m + 2 * pg, pg, PROT_READ);
	munmap(m + 5 * pg, pg);
	check_both(&(struct expect){ a, a, a + pg, 0 });
	check_both(&(struct expect){ a + pg + 7, a + pg, a + 2 * pg, 3 });
	check_both(&(struct expect){ a + 2 * pg, a + 2 * pg, a + 3 * pg, 1 });
	check_both(&(struct expect){ a + 5 * pg - 1, a + 3 * pg, a + 5 * pg, 3 });
	check_both(&(struct expect){ (uint64_t)(uintptr_t)sh + 9, (uint64_t)(uintptr_t)sh,
				     (uint64_t)(uintptr_t)sh + pg, 7 });
	/* The hole: nothing, unless another thread has just mapped it. */
	for (int text = 0; text < 2; text++) {
		int ret = sdxi_test_vma_find(text, a + 5 * pg, &s, &e, &fl);

		CHECK(ret == -ENOENT || (ret == 0 && s == a + 5 * pg));
	}
	munmap(sh, pg);
	close(fd);
	munmap(m, 5 * pg);
}
