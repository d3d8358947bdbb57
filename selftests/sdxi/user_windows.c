// SPDX-License-Identifier: GPL-2.0
/*
 * Windows between processes (Documentation/uapi.rst "Windows"): one
 * context exports a range of its registered memory as a window file
 * descriptor, another imports it and names the range with an AKey index
 * in its own descriptors.  Raw UAPI only.
 *
 * Functional: both directions between two processes (the fd passed with
 * SCM_RIGHTS), copies between two remote windows in one descriptor (each
 * address through its own AKey), several importers of one window, one
 * importer of several exporters, a ring that wraps.  Attacks: guessed
 * AKey indexes, use after REVOKE_WINDOW and after UNMAP_MEM of the
 * registration, after the exporter died, a forked importer, one byte
 * past either end, a write through a read-only window, exporting memory
 * the context has not registered or with more rights than registered,
 * non-window descriptors, an import into another function's context
 * (needs a second function: SKIP otherwise), descriptors queued when the
 * exporter revokes.  Teardown in every order; the window counters end at
 * zero.  Attack tests that need only the kernel's checks run exporter and
 * importer on two files of one process: the kernel knows windows by file,
 * not by process.
 */
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"
#include "windows_common.h"

#define PG		SDXI_PG
#define WAIT_MS		5000

/* The context's last error record after a failure, then RESET_CONTEXT. */
static int last_error(struct side *s, struct sdxi_error_record *rec)
{
	struct sdxi_context_status st;
	struct sdxi_error_record recs[4];
	int ret;

	ret = ctx_status_wait_error(s->fd, cid(s), &st, recs, 4, WAIT_MS);
	if (ret)
		return ret;
	if (!st.nr_records)
		return -ENODATA;
	*rec = recs[st.nr_records - 1];
	ret = ctx_cmd(s->fd, SDXI_IOC_RESET_CONTEXT, cid(s));
	s->x.w = 0;
	return ret;
}

#define EXPECT_WINDOW_COUNTERS_ZERO()					\
	do {								\
		EXPECT_EQ(0, sdxi_counter("windows"));			\
		EXPECT_EQ(0, sdxi_counter("window_imports"));		\
		EXPECT_EQ(0, sdxi_counter("pasids"));			\
		EXPECT_EQ(0, sdxi_counter("user_contexts"));		\
		EXPECT_EQ(0, sdxi_counter("pinned_pages"));		\
	} while (0)

/* Exporter E with 4 registered pages (0x11), importer I with 4 (0x00). */
FIXTURE(win) {
	struct side e, i;
	unsigned char *ebuf, *ibuf;
};

FIXTURE_SETUP(win)
{
	int fd;

	self->e.fd = self->i.fd = -1;
	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	close(fd);
	ASSERT_EQ(0, side_open(&self->e, 0));
	ASSERT_EQ(0, side_open(&self->i, 0));
	self->ebuf = alloc_pages_filled(4, 0x11);
	self->ibuf = alloc_pages_filled(4, 0);
	ASSERT_NE(NULL, self->ebuf);
	ASSERT_NE(NULL, self->ibuf);
	ASSERT_EQ(0, map_mem(self->e.fd, cid(&self->e), self->ebuf, 4 * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	ASSERT_EQ(0, map_mem(self->i.fd, cid(&self->i), self->ibuf, 4 * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
}

FIXTURE_TEARDOWN(win)
{
	side_close(&self->i);
	side_close(&self->e);
	if (self->ebuf)
		munmap(self->ebuf, 4 * PG);
	if (self->ibuf)
		munmap(self->ibuf, 4 * PG);
	EXPECT_WINDOW_COUNTERS_ZERO();
}

TEST_F(win, abi_checks)
{
	struct sdxi_export_window e = {
		.size = sizeof(e), .flags = SDXI_MAP_READ, .context_id = cid(&self->e),
		.vaddr = (uintptr_t)self->ebuf, .length = PG,
	};
	struct sdxi_import_window imp;
	int wfd, efd;

	e.flags = 4;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));
	e.flags = 0;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));
	e.flags = SDXI_MAP_READ;
	e.__reserved = 1;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));
	e.__reserved = 0;
	e.vaddr += 1;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));
	e.vaddr -= 1;
	e.size = offsetof(struct sdxi_export_window, out_window_id);
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));
	e.size = sizeof(e);
	e.context_id = 0xfffff;
	EXPECT_EQ(-ENOENT, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));
	/* Unknown command numbers around the window ones. */
	EXPECT_EQ(-ENOTTY, sdxi_ioc(self->e.fd, _IO(SDXI_TYPE, 0x14), &e));
	EXPECT_EQ(-ENOTTY, sdxi_ioc(self->e.fd, _IO(SDXI_TYPE, 0x0f), &e));

	/* Memory the context did not register, and one page beyond it. */
	EXPECT_EQ(-ENOENT, export_window(&self->e, self->ibuf, PG, SDXI_MAP_READ,
					 &wfd, NULL));
	EXPECT_EQ(-ENOENT, export_window(&self->e, self->ebuf, 5 * PG,
					 SDXI_MAP_READ, &wfd, NULL));
	EXPECT_EQ(-ENOENT, export_window(&self->e, self->ebuf + 3 * PG, 2 * PG,
					 SDXI_MAP_READ, &wfd, NULL));
	/* The other file's context is not this file's. */
	e.context_id = cid(&self->i);
	e.vaddr = (uintptr_t)self->ibuf;
	if (cid(&self->i) != cid(&self->e))
		EXPECT_EQ(-ENOENT, sdxi_ioc(self->e.fd, SDXI_IOC_EXPORT_WINDOW, &e));

	/* Non-window descriptors. */
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-EINVAL, import_window(&self->i, efd, &imp));
	EXPECT_EQ(-EINVAL, import_window(&self->i, self->e.fd, &imp));
	EXPECT_EQ(-EBADF, import_window(&self->i, 1000, &imp));
	EXPECT_EQ(-EBADF, import_window(&self->i, -1, &imp));
	close(efd);

	EXPECT_EQ(-ENOENT, revoke_window(&self->e, 77));
	EXPECT_EQ(-ENOENT, unimport_window(&self->i, 2));
	EXPECT_EQ(-ENOENT, unimport_window(&self->i, 0));

	ASSERT_EQ(0, export_window(&self->e, self->ebuf, PG, SDXI_MAP_READ, &wfd, NULL));
	EXPECT_EQ(1, sdxi_counter("windows"));
	memset(&imp, 0, sizeof(imp));
	imp.size = sizeof(imp);
	imp.context_id = cid(&self->i);
	imp.fd = wfd;
	imp.flags = 1;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->i.fd, SDXI_IOC_IMPORT_WINDOW, &imp));
	imp.flags = 0;
	imp.__reserved = 1;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->i.fd, SDXI_IOC_IMPORT_WINDOW, &imp));
	imp.__reserved = 0;
	imp.context_id = 0xfffff;
	EXPECT_EQ(-ENOENT, sdxi_ioc(self->i.fd, SDXI_IOC_IMPORT_WINDOW, &imp));
	EXPECT_EQ(0, sdxi_counter("window_imports"));
	/* The window fd is close-on-exec. */
	EXPECT_EQ(FD_CLOEXEC, fcntl(wfd, F_GETFD) & FD_CLOEXEC);
	close(wfd);
}

TEST_F(win, rights_beyond_the_registration_are_eacces)
{
	unsigned char *ro = alloc_pages_filled(1, 0x5a);
	int wfd;

	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, map_mem(self->e.fd, cid(&self->e), ro, PG, SDXI_MAP_READ));
	EXPECT_EQ(-EACCES, export_window(&self->e, ro, PG, SDXI_MAP_WRITE, &wfd, NULL));
	EXPECT_EQ(-EACCES, export_window(&self->e, ro, PG,
					 SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, NULL));
	ASSERT_EQ(0, export_window(&self->e, ro, PG, SDXI_MAP_READ, &wfd, NULL));
	close(wfd);
	EXPECT_EQ(1, sdxi_counter("windows"));
	EXPECT_EQ(0, unmap_mem(self->e.fd, cid(&self->e), ro, PG));
	EXPECT_EQ(0, sdxi_counter("windows"));
	munmap(ro, PG);
}

TEST_F(win, copy_in_and_out_and_read_only_refuses_writes)
{
	struct sdxi_import_window rw, ro;
	struct sdxi_error_record rec;
	uint64_t ib = (uintptr_t)self->ibuf;
	int wrw, wro;

	memset(self->ebuf + 2 * PG, 0x33, 2 * PG);
	ASSERT_EQ(0, export_window(&self->e, self->ebuf, 2 * PG,
				   SDXI_MAP_READ | SDXI_MAP_WRITE, &wrw, NULL));
	ASSERT_EQ(0, export_window(&self->e, self->ebuf + 2 * PG, 2 * PG,
				   SDXI_MAP_READ, &wro, NULL));
	ASSERT_EQ(0, import_window(&self->i, wrw, &rw));
	ASSERT_EQ(0, import_window(&self->i, wro, &ro));
	EXPECT_EQ(2, sdxi_counter("window_imports"));
	EXPECT_NE(rw.out_akey, ro.out_akey);
	EXPECT_NE(0, rw.out_akey);
	EXPECT_EQ((uintptr_t)self->ebuf, rw.out_base);
	EXPECT_EQ(2 * PG, rw.out_length);
	EXPECT_EQ(SDXI_MAP_READ | SDXI_MAP_WRITE, rw.out_flags);
	EXPECT_EQ(SDXI_MAP_READ, ro.out_flags);

	/* Remote -> local, local -> remote. */
	ASSERT_EQ(0, copy2(&self->i, rw.out_base, rw.out_akey, ib, 0, 2 * PG));
	EXPECT_TRUE(all_bytes(self->ibuf, 2 * PG, 0x11));
	memset(self->ibuf + 2 * PG, 0x22, 2 * PG);
	ASSERT_EQ(0, copy2(&self->i, ib + 2 * PG, 0, rw.out_base, rw.out_akey, 2 * PG));
	EXPECT_TRUE(all_bytes(self->ebuf, 2 * PG, 0x22));
	/* Read-only window: reads work, a write fails in the importer. */
	ASSERT_EQ(0, copy2(&self->i, ro.out_base, ro.out_akey, ib, 0, PG));
	EXPECT_TRUE(all_bytes(self->ibuf, PG, 0x33));
	EXPECT_EQ(-EIO, copy2(&self->i, ib + 2 * PG, 0, ro.out_base, ro.out_akey, PG));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
	EXPECT_EQ(ro.out_base, rec.addr);
	EXPECT_TRUE(all_bytes(self->ebuf + 2 * PG, 2 * PG, 0x33));
	/* The exporter's own context knows nothing of it. */
	{
		struct sdxi_context_status st;

		ASSERT_EQ(0, ctx_status(self->e.fd, cid(&self->e), &st, NULL, 0));
		EXPECT_EQ(0, st.out_errors);
	}
	close(wrw);
	close(wro);
	/* Closing the window fds revokes nothing. */
	ASSERT_EQ(0, copy2(&self->i, rw.out_base, rw.out_akey, ib, 0, PG));
}

TEST_F(win, one_byte_past_either_end_faults)
{
	struct sdxi_import_window w;
	struct sdxi_error_record rec;
	uint64_t ib = (uintptr_t)self->ibuf;
	int wfd;

	/* Pages 1 and 2 of the registered 0..3. */
	ASSERT_EQ(0, export_window(&self->e, self->ebuf + PG, 2 * PG,
				   SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, NULL));
	ASSERT_EQ(0, import_window(&self->i, wfd, &w));
	close(wfd);
	ASSERT_EQ(0, copy2(&self->i, w.out_base, w.out_akey, ib, 0, 2 * PG));
	EXPECT_EQ(-EIO, copy2(&self->i, w.out_base - 1, w.out_akey, ib, 0, 1));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(w.out_base - 1, rec.addr);
	EXPECT_EQ(-EIO, copy2(&self->i, w.out_base + w.out_length, w.out_akey, ib, 0, 1));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(w.out_base + w.out_length, rec.addr);
	EXPECT_EQ(-EIO, copy2(&self->i, ib, 0, w.out_base - 1, w.out_akey, 2));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(-EIO, copy2(&self->i, ib, 0, w.out_base + w.out_length - 1,
			      w.out_akey, 2));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(w.out_base + w.out_length, rec.addr);
	/* Pages 0 and 3, registered by the exporter, were not written. */
	EXPECT_TRUE(all_bytes(self->ebuf, PG - 1, 0x11));
	EXPECT_TRUE(all_bytes(self->ebuf + 3 * PG, PG, 0x11));
	/* The window's own range under the importer's own key is not it. */
	EXPECT_EQ(-EIO, copy2(&self->i, w.out_base, 0, ib, 0, 1));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
}

TEST_F(win, guessed_akey_indexes_fail)
{
	struct sdxi_error_record rec;
	uint64_t ib = (uintptr_t)self->ibuf;
	uint16_t k;

	for (k = 1; k < 8; k++) {
		EXPECT_EQ(-EIO, copy2(&self->i, (uintptr_t)self->ebuf, k, ib, 0, 8));
		ASSERT_EQ(0, last_error(&self->i, &rec));
		EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	}
	EXPECT_EQ(-EIO, copy2(&self->i, (uintptr_t)self->ebuf, 255, ib, 0, 8));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	EXPECT_EQ(-EIO, copy2(&self->i, (uintptr_t)self->ebuf, 256, ib, 0, 8));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	EXPECT_TRUE(all_bytes(self->ibuf, PG, 0));
}

TEST_F(win, use_after_revoke_fails_and_indexes_are_not_reused)
{
	struct sdxi_import_window w, w2;
	struct sdxi_error_record rec;
	uint64_t ib = (uintptr_t)self->ibuf;
	uint32_t wid;
	int wfd, wfd2;

	ASSERT_EQ(0, export_window(&self->e, self->ebuf, PG, SDXI_MAP_READ, &wfd, &wid));
	ASSERT_EQ(0, import_window(&self->i, wfd, &w));
	ASSERT_EQ(0, copy2(&self->i, w.out_base, w.out_akey, ib, 0, PG));
	ASSERT_EQ(0, revoke_window(&self->e, wid));
	EXPECT_EQ(-ENOENT, revoke_window(&self->e, wid));
	EXPECT_EQ(0, sdxi_counter("windows"));
	EXPECT_EQ(-EIO, copy2(&self->i, w.out_base, w.out_akey, ib, 0, PG));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	EXPECT_EQ(SDXI_STEP_AKEY, rec.step);
	EXPECT_EQ(-EKEYREVOKED, import_window(&self->i, wfd, &w2));
	/* A new window gets another index while the old one is held. */
	ASSERT_EQ(0, export_window(&self->e, self->ebuf, PG, SDXI_MAP_READ, &wfd2, NULL));
	ASSERT_EQ(0, import_window(&self->i, wfd2, &w2));
	EXPECT_NE(w.out_akey, w2.out_akey);
	EXPECT_EQ(0, unimport_window(&self->i, w.out_akey));
	EXPECT_EQ(-ENOENT, unimport_window(&self->i, w.out_akey));
	EXPECT_EQ(0, unimport_window(&self->i, w2.out_akey));
	EXPECT_EQ(-EIO, copy2(&self->i, w2.out_base, w2.out_akey, ib, 0, PG));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	close(wfd);
	close(wfd2);
}

TEST_F(win, unmap_of_the_registration_revokes)
{
	struct sdxi_import_window w;
	struct sdxi_error_record rec;
	uint64_t ib = (uintptr_t)self->ibuf;
	int wfd;

	ASSERT_EQ(0, export_window(&self->e, self->ebuf + PG, PG, SDXI_MAP_READ,
				   &wfd, NULL));
	ASSERT_EQ(0, import_window(&self->i, wfd, &w));
	ASSERT_EQ(0, unmap_mem(self->e.fd, cid(&self->e), self->ebuf, 4 * PG));
	EXPECT_EQ(0, sdxi_counter("windows"));
	EXPECT_EQ(-EIO, copy2(&self->i, w.out_base, w.out_akey, ib, 0, PG));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	EXPECT_EQ(-EKEYREVOKED, import_window(&self->i, wfd, &w));
	close(wfd);
}

TEST_F(win, remote_to_remote_and_several_importers)
{
	struct sdxi_import_window a, b, a2;
	struct side e2, i2;
	unsigned char *buf2 = alloc_pages_filled(2, 0x44);
	unsigned char *buf3 = alloc_pages_filled(1, 0);
	int wa, wb;

	ASSERT_NE(NULL, buf2);
	ASSERT_NE(NULL, buf3);
	ASSERT_EQ(0, side_open(&e2, 0));
	ASSERT_EQ(0, side_open(&i2, 0));
	ASSERT_EQ(0, map_mem(e2.fd, cid(&e2), buf2, 2 * PG, SDXI_MAP_READ | SDXI_MAP_WRITE));
	ASSERT_EQ(0, export_window(&self->e, self->ebuf, 2 * PG, SDXI_MAP_READ, &wa, NULL));
	ASSERT_EQ(0, export_window(&e2, buf2, 2 * PG, SDXI_MAP_WRITE, &wb, NULL));
	/* One importer, two exporters: one descriptor, two address spaces. */
	ASSERT_EQ(0, import_window(&self->i, wa, &a));
	ASSERT_EQ(0, import_window(&self->i, wb, &b));
	ASSERT_EQ(0, copy2(&self->i, a.out_base, a.out_akey, b.out_base, b.out_akey, 2 * PG));
	EXPECT_TRUE(all_bytes(buf2, 2 * PG, 0x11));
	/* A second importer of the first window. */
	ASSERT_EQ(0, map_mem(i2.fd, cid(&i2), buf3, PG, SDXI_MAP_WRITE));
	ASSERT_EQ(0, import_window(&i2, wa, &a2));
	memset(self->ebuf, 0x55, PG);
	ASSERT_EQ(0, copy2(&i2, a2.out_base, a2.out_akey, (uintptr_t)buf3, 0, PG));
	EXPECT_TRUE(all_bytes(buf3, PG, 0x55));
	EXPECT_EQ(3, sdxi_counter("window_imports"));
	EXPECT_EQ(2, sdxi_counter("windows"));
	/* Its teardown leaves the first importer's import alone. */
	side_close(&i2);
	EXPECT_EQ(2, sdxi_counter("window_imports"));
	ASSERT_EQ(0, copy2(&self->i, a.out_base, a.out_akey, b.out_base, b.out_akey, PG));
	EXPECT_TRUE(all_bytes(buf2, PG, 0x55));
	/* The second exporter goes first: only its window is revoked. */
	side_close(&e2);
	EXPECT_EQ(1, sdxi_counter("windows"));
	EXPECT_EQ(0, copy2(&self->i, a.out_base, a.out_akey, (uintptr_t)self->ibuf, 0, PG));
	close(wa);
	close(wb);
	munmap(buf2, 2 * PG);
	munmap(buf3, PG);
}

TEST_F(win, ring_wraps_through_a_window)
{
	struct sdxi_import_window w;
	union sdxi_desc d[64];
	uint64_t ib = (uintptr_t)self->ibuf;
	unsigned int n, k;
	int wfd;

	ASSERT_EQ(0, export_window(&self->e, self->ebuf, 4 * PG,
				   SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, NULL));
	ASSERT_EQ(0, import_window(&self->i, wfd, &w));
	close(wfd);
	for (k = 0; k < 4; k++)
		self->ebuf[k * PG] = (unsigned char)k;
	/* 1600 descriptors through a 1024-entry ring, 64 at a time. */
	for (n = 0; n < 1600; n += 64) {
		for (k = 0; k < 64; k++) {
			unsigned int p = (n + k) % 4;

			dsc_copy(&d[k], w.out_base + p * PG, ib + p * PG, PG, w.out_akey);
			d[k].copy.akey1 = 0;
		}
		uctx_submit(&self->i.x, d, 64);
		ASSERT_EQ(0, uctx_wait(&self->i.x, self->i.x.w, WAIT_MS * 4));
	}
	EXPECT_EQ(1600, self->i.x.w);
	for (k = 0; k < 4; k++)
		EXPECT_EQ(0, memcmp(self->ibuf + k * PG, self->ebuf + k * PG, PG));
}

TEST_F(win, queued_descriptors_never_touch_memory_after_revoke)
{
	struct sdxi_import_window w;
	union sdxi_desc d[256];
	unsigned char *snap = malloc(4 * PG);
	struct sdxi_context_status st;
	uint32_t wid;
	unsigned int k;
	int wfd;

	ASSERT_NE(NULL, snap);
	ASSERT_EQ(0, export_window(&self->e, self->ebuf, 4 * PG,
				   SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, &wid));
	ASSERT_EQ(0, import_window(&self->i, wfd, &w));
	close(wfd);
	for (k = 0; k < 256; k++) {
		/* Each descriptor writes its own number into the window. */
		dsc_wrt_imm(&d[k], w.out_base + (k % 4) * PG + (k / 4) * 8, &k, 4,
			    w.out_akey);
	}
	uctx_submit(&self->i.x, d, 256);
	ASSERT_EQ(0, revoke_window(&self->e, wid));
	memcpy(snap, self->ebuf, 4 * PG);
	/* Whatever was still queued fails; nothing changes after revoke. */
	uctx_wait(&self->i.x, 256, WAIT_MS);
	usleep(200000);
	EXPECT_EQ(0, memcmp(snap, self->ebuf, 4 * PG));
	ASSERT_EQ(0, ctx_status(self->i.fd, cid(&self->i), &st, NULL, 0));
	TH_LOG("read index %llu of 256 when revoked and after",
	       (unsigned long long)st.out_read_index);
	if (st.out_read_index < 256)
		EXPECT_LE(1, st.out_errors);
	free(snap);
}

TEST_F(win, teardown_orders)
{
	struct sdxi_import_window w;
	int order, wfd;

	for (order = 0; order < 4; order++) {
		struct side e, i;
		unsigned char *buf = alloc_pages_filled(1, 0x66);

		ASSERT_NE(NULL, buf);
		ASSERT_EQ(0, side_open(&e, 0));
		ASSERT_EQ(0, side_open(&i, 0));
		ASSERT_EQ(0, map_mem(e.fd, cid(&e), buf, PG, SDXI_MAP_READ));
		ASSERT_EQ(0, export_window(&e, buf, PG, SDXI_MAP_READ, &wfd, NULL));
		ASSERT_EQ(0, import_window(&i, wfd, &w));
		switch (order) {
		case 0:	/* window fd, exporter, importer */
			close(wfd);
			side_close(&e);
			side_close(&i);
			break;
		case 1:	/* importer, exporter, window fd */
			side_close(&i);
			side_close(&e);
			close(wfd);
			break;
		case 2:	/* exporter's context destroyed, importer, fd */
			EXPECT_EQ(0, uctx_destroy(&e.x));
			EXPECT_EQ(0, sdxi_counter("windows"));
			side_close(&i);
			close(wfd);
			side_close(&e);
			break;
		default: /* importer's context destroyed, fd, exporter */
			EXPECT_EQ(0, uctx_destroy(&i.x));
			EXPECT_EQ(0, sdxi_counter("window_imports"));
			close(wfd);
			side_close(&e);
			side_close(&i);
			break;
		}
		munmap(buf, PG);
		TH_LOG("order %d", order);
		EXPECT_EQ(0, sdxi_counter("windows"));
		EXPECT_EQ(0, sdxi_counter("window_imports"));
		/* The fixture's two contexts. */
		EXPECT_EQ(2, sdxi_counter("pasids"));
	}
}

/*
 * Exporter and importer in two processes, the fd over a Unix socket; on a
 * kernel without AF_UNIX (the debug kernel has no networking) over a pipe
 * and pidfd_getfd().
 */
TEST_F(win, two_processes_both_directions_then_exporter_dies)
{
	struct sdxi_import_window w;
	struct sdxi_error_record rec;
	uint64_t ib = (uintptr_t)self->ibuf;
	bool unix_sock = true;
	int sv[2], wfd, pidfd;
	char b = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		/* No networking at all (ENOSYS) or no AF_UNIX. */
		ASSERT_TRUE(errno == EAFNOSUPPORT || errno == ENOSYS);
		TH_LOG("no AF_UNIX: the fd goes through pidfd_getfd()");
		unix_sock = false;
		ASSERT_EQ(0, pipe2(sv, O_CLOEXEC));
		/* sv[0]: the child writes its fd number; then the parent's byte. */
	}
	int back[2];

	ASSERT_EQ(0, pipe2(back, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct side e;
		unsigned char *buf = alloc_pages_filled(2, 0x77);
		int fd, ok;

		if (!buf || side_open(&e, 0) ||
		    map_mem(e.fd, cid(&e), buf, 2 * PG, SDXI_MAP_READ | SDXI_MAP_WRITE) ||
		    export_window(&e, buf, 2 * PG, SDXI_MAP_READ | SDXI_MAP_WRITE, &fd, NULL))
			_exit(1);
		if (unix_sock ? send_fd(sv[1], fd) :
		    write(sv[1], &fd, sizeof(fd)) != sizeof(fd))
			_exit(1);
		/* The importer wrote page 1, then lets us check and die. */
		if (read(back[0], &b, 1) != 1)
			_exit(2);
		close(fd);
		ok = all_bytes(buf, PG, 0x77) && all_bytes(buf + PG, PG, 0x88);
		_exit(ok ? 0 : 3);
	}
	close(sv[1]);
	close(back[0]);
	if (unix_sock) {
		wfd = recv_fd(sv[0]);
	} else {
		int cfd;

		ASSERT_EQ(sizeof(cfd), read(sv[0], &cfd, sizeof(cfd)));
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		ASSERT_LE(0, pidfd);
		wfd = syscall(SYS_pidfd_getfd, pidfd, cfd, 0);
		close(pidfd);
	}
	ASSERT_LE(0, wfd);
	ASSERT_EQ(0, import_window(&self->i, wfd, &w));
	ASSERT_EQ(0, copy2(&self->i, w.out_base, w.out_akey, ib, 0, PG));
	EXPECT_TRUE(all_bytes(self->ibuf, PG, 0x77));
	memset(self->ibuf + PG, 0x88, PG);
	ASSERT_EQ(0, copy2(&self->i, ib + PG, 0, w.out_base + PG, w.out_akey, PG));
	/* A forked importer cannot use the parent's file. */
	{
		pid_t c = fork();

		ASSERT_LE(0, c);
		if (!c) {
			struct sdxi_import_window w2;

			_exit(import_window(&self->i, wfd, &w2) == -EPERM ? 0 : 1);
		}
		EXPECT_EQ(0, child_status(c));
	}
	ASSERT_EQ(1, write(back[1], &b, 1));
	EXPECT_EQ(0, child_status(pid));
	close(sv[0]);
	close(back[1]);
	/* The exporter died: its window is revoked, the import fails. */
	EXPECT_EQ(0, sdxi_counter("windows"));
	EXPECT_EQ(-EIO, copy2(&self->i, w.out_base, w.out_akey, ib, 0, PG));
	ASSERT_EQ(0, last_error(&self->i, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	EXPECT_EQ(-EKEYREVOKED, import_window(&self->i, wfd, &w));
	close(wfd);
}

/*
 * Revocation racing copies: one thread exports a window, waits until the
 * other imported it, and revokes it while the other copies through it;
 * for 2 s.  Every copy either succeeds with the exporter's bytes or fails
 * in the importer's context (AKEY_INVALID); nothing else happens.  Which
 * of the two a copy gets depends on timing, so only the imports are
 * counted.
 */
struct race {
	struct side *e, *i;
	unsigned char *ebuf, *ibuf;
	volatile int wfd;
	volatile unsigned int gen, seen;
	volatile bool stop;
	unsigned long ok, failed, revoked, imported;
	int err;
};

static void *race_exporter(void *arg)
{
	struct race *r = arg;
	uint32_t wid;
	int fd, old;

	while (!r->stop) {
		if (export_window(r->e, r->ebuf, 2 * PG, SDXI_MAP_READ, &fd, &wid)) {
			r->err = 1;
			break;
		}
		old = __atomic_exchange_n(&r->wfd, fd, __ATOMIC_ACQ_REL);
		if (old >= 0)
			close(old);
		__atomic_add_fetch(&r->gen, 1, __ATOMIC_RELEASE);
		while (!r->stop && __atomic_load_n(&r->seen, __ATOMIC_ACQUIRE) != r->gen)
			usleep(50);
		usleep(200);
		if (revoke_window(r->e, wid)) {
			r->err = 2;
			break;
		}
	}
	return NULL;
}

TEST_F(win, revocation_races_imports_and_copies)
{
	struct race r = {
		.e = &self->e, .i = &self->i, .ebuf = self->ebuf,
		.ibuf = self->ibuf, .wfd = -1,
	};
	struct sdxi_error_record rec;
	struct sdxi_import_window w;
	uint64_t t0 = now_ms();
	pthread_t t;
	int fd, ret;

	ASSERT_EQ(0, pthread_create(&t, NULL, race_exporter, &r));
	while (now_ms() - t0 < 2000) {
		unsigned int gen = __atomic_load_n(&r.gen, __ATOMIC_ACQUIRE);

		if (gen == r.seen)
			continue;
		fd = dup(__atomic_load_n(&r.wfd, __ATOMIC_ACQUIRE));
		ret = fd < 0 ? -EBADF : import_window(&self->i, fd, &w);
		if (fd >= 0)
			close(fd);
		__atomic_store_n(&r.seen, gen, __ATOMIC_RELEASE);
		if (ret == -EKEYREVOKED || ret == -EINVAL || ret == -EBADF) {
			r.revoked++;
			continue;
		}
		ASSERT_EQ(0, ret);
		r.imported++;
		memset(self->ibuf, 0, PG);
		ret = copy2(&self->i, w.out_base, w.out_akey, (uintptr_t)self->ibuf, 0, PG);
		if (!ret) {
			EXPECT_TRUE(all_bytes(self->ibuf, PG, 0x11));
			r.ok++;
		} else {
			ASSERT_EQ(-EIO, ret);
			ASSERT_EQ(0, last_error(&self->i, &rec));
			EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
			r.failed++;
		}
		EXPECT_EQ(0, unimport_window(&self->i, w.out_akey));
	}
	r.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.err);
	if (r.wfd >= 0)
		close(r.wfd);
	TH_LOG("imports %lu: copies ok %lu, failed after revoke %lu; imports of revoked %lu",
	       r.imported, r.ok, r.failed, r.revoked);
	EXPECT_LT(0, r.imported);
	EXPECT_EQ(0, sdxi_counter("windows"));
	EXPECT_EQ(0, sdxi_counter("window_imports"));
}

/* Another function (an SR-IOV VF, or a second device) refuses the window. */
TEST_F(win, import_into_another_function_is_exdev)
{
	struct sdxi_import_window w;
	struct side o = { .fd = -1 };
	int wfd;

	o.fd = open("/dev/sdxi1", O_RDWR | O_CLOEXEC);
	if (o.fd < 0)
		SKIP(return, "no second SDXI function (/dev/sdxi1)");
	ASSERT_EQ(0, uctx_create(o.fd, 0, 0, &o.x));
	ASSERT_EQ(0, export_window(&self->e, self->ebuf, PG, SDXI_MAP_READ, &wfd, NULL));
	EXPECT_EQ(-EXDEV, import_window(&o, wfd, &w));
	close(wfd);
	side_close(&o);
}

TEST_HARNESS_MAIN
