// SPDX-License-Identifier: GPL-2.0-only
/*
 * The files sdxictl reads and writes: the class devices
 * (/sys/class/sdxi/sdxiN/, uapi.rst "Observability"), the function's
 * attribute group (its PCI device's sdxi/, driver.rst "sysfs"), the
 * module parameters, debugfs and the kernel log.  Every path is below a
 * root, "/" unless SDXICTL_ROOT names another (the tests' copy of the
 * files).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdxictl.h"

static const char *sx_root = "";

/* @s into @d of @n bytes, cut if longer. */
static void sx_copy(char *d, size_t n, const char *s)
{
	size_t len = strnlen(s, n - 1);

	memcpy(d, s, len);
	d[len] = '\0';
}

void sx_set_root(const char *root)
{
	sx_root = root ? root : "";
}

/* @fmt is an absolute path; the result is below the root. */
int sx_path(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len = snprintf(buf, n, "%s", sx_root), more;

	va_start(ap, fmt);
	more = vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
	return more < 0 || (size_t)(len + more) >= n ? -ENAMETOOLONG : 0;
}

/* A whole small file, trailing newlines removed.  Return 0 or -errno. */
int sx_read(const char *path, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < n - 1 && (r = read(fd, buf + len, n - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		len += r;
	}
	close(fd);
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return 0;
}

/* One write of @val, as echo does.  Return 0 or -errno. */
int sx_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

bool sx_driver_loaded(void)
{
	char p[PATH_MAX];

	return !sx_path(p, sizeof(p), "/sys/module/sdxi") && !access(p, F_OK);
}

/* "sdxiN" -> N, or -1. */
static long sx_index(const char *name)
{
	char *end;
	long v;

	if (strncmp(name, "sdxi", 4) || !isdigit((unsigned char)name[4]))
		return -1;
	v = strtol(name + 4, &end, 10);
	return *end ? -1 : v;
}

static int sx_fn_cmp(const void *a, const void *b)
{
	long x = sx_index(((const struct sx_fn *)a)->name);
	long y = sx_index(((const struct sx_fn *)b)->name);

	return (x > y) - (x < y);
}

/* The PCI address of a class device: the name its device link points to. */
static int sx_fn_pci(struct sx_fn *fn)
{
	char p[PATH_MAX], target[PATH_MAX];
	ssize_t len;
	const char *base;

	if (sx_path(p, sizeof(p), "/sys/class/sdxi/%s/device", fn->name))
		return -ENAMETOOLONG;
	len = readlink(p, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	sx_copy(fn->pci, sizeof(fn->pci), base ? base + 1 : target);
	return 0;
}

/* The functions, in device-number order.  Return 0 or -errno. */
int sx_functions(struct sx_fn *fns, unsigned int max, unsigned int *n)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (sx_path(p, sizeof(p), "/sys/class/sdxi"))
		return -ENAMETOOLONG;
	d = opendir(p);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && *n < max) {
		if (sx_index(de->d_name) < 0)
			continue;
		sx_copy(fns[*n].name, sizeof(fns[*n].name), de->d_name);
		if (sx_fn_pci(&fns[*n]))
			sx_copy(fns[*n].pci, sizeof(fns[*n].pci), "-");
		(*n)++;
	}
	closedir(d);
	qsort(fns, *n, sizeof(*fns), sx_fn_cmp);
	return 0;
}

/*
 * A function named as sdxiN, N, /dev/sdxiN or its PCI address (with or
 * without the domain).  Return SX_OK or SX_NOTFOUND.
 */
int sx_resolve(const char *arg, struct sx_fn *fn)
{
	struct sx_fn fns[256];
	char name[sizeof(fn->name)];
	unsigned int n, i;

	if (!strncmp(arg, "/dev/", 5))
		arg += 5;
	if (strlen(arg) >= sizeof(name) - 4)
		return SX_NOTFOUND;
	if (isdigit((unsigned char)arg[0]) && !arg[strspn(arg, "0123456789")])
		snprintf(name, sizeof(name), "sdxi%s", arg);
	else
		sx_copy(name, sizeof(name), arg);
	if (sx_functions(fns, 256, &n))
		return SX_NOTFOUND;
	for (i = 0; i < n; i++) {
		const char *pci = fns[i].pci;

		if (!strcmp(fns[i].name, name) || !strcasecmp(pci, arg) ||
		    (strlen(pci) > 5 && !strcasecmp(pci + 5, arg))) {
			*fn = fns[i];
			return SX_OK;
		}
	}
	return SX_NOTFOUND;
}

/* The "key=value" words of @text (which is cut up), in order, into @row. */
void sx_kv_words(char *text, struct sx_row *row)
{
	char *save, *w;

	for (w = strtok_r(text, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
		char *eq = strchr(w, '=');

		if (!eq)
			continue;
		*eq = '\0';
		sx_add_value(row, w, eq + 1);
	}
}

/* The "key=value" words of a file into @row.  Return 0 or -errno. */
int sx_kv_lines(const char *path, struct sx_row *row)
{
	char text[8192];
	int err = sx_read(path, text, sizeof(text));

	if (!err)
		sx_kv_words(text, row);
	return err;
}

/* The message of one kernel log record ("PREFIX;MESSAGE"), or NULL. */
static const char *sx_kmsg_text(const char *line)
{
	const char *semi;

	if (line[0] == ' ')	/* a continuation line: SUBSYSTEM=, DEVICE= */
		return NULL;
	semi = strchr(line, ';');
	return semi ? semi + 1 : line;
}

/*
 * The last @max decoded error-log records of the function at @pci in the
 * kernel log (driver.rst "Error log": "sdxi PCI: error: ..."), oldest
 * first.  /dev/kmsg gives one record per read; a copy of it in a file is
 * read in blocks; both are split at newlines.  Return 0 or -errno.
 */
int sx_kmsg_errors(const char *pci, char lines[][SX_VAL], unsigned int max,
		   unsigned int *n)
{
	char p[PATH_MAX], prefix[96], buf[8192], line[SX_VAL * 2];
	size_t plen, llen = 0;
	unsigned int seen = 0, i;
	ssize_t r;
	int fd;

	*n = 0;
	if (sx_path(p, sizeof(p), "/dev/kmsg"))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	plen = snprintf(prefix, sizeof(prefix), "sdxi %s: error: ", pci);
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EPIPE))
			continue;	/* EPIPE: records overwritten meanwhile */
		if (r <= 0)
			break;		/* EAGAIN: the end of the log */
		for (ssize_t k = 0; k < r; k++) {
			const char *text;

			if (buf[k] != '\n') {
				if (llen < sizeof(line) - 1)
					line[llen++] = buf[k];
				continue;
			}
			line[llen] = '\0';
			llen = 0;
			text = sx_kmsg_text(line);
			if (!text || strncmp(text, prefix, plen))
				continue;
			snprintf(lines[seen % max], SX_VAL, "%s", text + plen);
			seen++;
		}
	}
	close(fd);
	/* Oldest first: rotate the ring when it wrapped. */
	if (seen > max) {
		char tmp[SX_VAL];

		for (unsigned int s = 0; s < seen % max; s++) {
			memcpy(tmp, lines[0], SX_VAL);
			for (i = 0; i + 1 < max; i++)
				memcpy(lines[i], lines[i + 1], SX_VAL);
			memcpy(lines[max - 1], tmp, SX_VAL);
		}
	}
	*n = seen < max ? seen : max;
	return 0;
}
