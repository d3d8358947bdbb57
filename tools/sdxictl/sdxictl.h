/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sdxictl: the administrator's view of SDXI functions, read from the
 * driver's documented sysfs and debugfs files (Documentation/driver.rst
 * "sysfs", Documentation/uapi.rst "Observability").
 */
#ifndef SDXICTL_H
#define SDXICTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses (sdxictl(1) "EXIT STATUS"). */
enum {
	SX_OK = 0,
	SX_FAIL = 1,		/* the kernel refused, or a file is unreadable */
	SX_USAGE = 2,		/* bad command line */
	SX_NOTFOUND = 3,	/* no driver, no such function or context */
	SX_PERM = 4,		/* needs root */
};

#define SX_KEY 40
#define SX_VAL 512
#define SX_FIELDS 48

/* One value of a record: numbers are bare in JSON, the rest strings. */
struct sx_field {
	char key[SX_KEY];
	char val[SX_VAL];
	bool num;
};

/* One record (a table row, a JSON object). */
struct sx_row {
	unsigned int n;
	struct sx_field f[SX_FIELDS];
};

/* An SDXI function: its device node name and PCI address. */
struct sx_fn {
	char name[32];
	char pci[64];
};

/* sysfs.c */
void sx_set_root(const char *root);
int sx_path(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sx_read(const char *path, char *buf, size_t n);
int sx_write(const char *path, const char *val);
bool sx_driver_loaded(void);
int sx_functions(struct sx_fn *fns, unsigned int max, unsigned int *n);
int sx_resolve(const char *arg, struct sx_fn *fn);
void sx_kv_words(char *text, struct sx_row *row);
int sx_kv_lines(const char *path, struct sx_row *row);
int sx_kmsg_errors(const char *pci, char lines[][SX_VAL], unsigned int max,
		   unsigned int *n);

/* output.c */
void sx_add(struct sx_row *row, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sx_add_value(struct sx_row *row, const char *key, const char *val);
const char *sx_get(const struct sx_row *row, const char *key);
void sx_table(FILE *f, const struct sx_row *rows, unsigned int n);
void sx_pairs(FILE *f, const char *title, const struct sx_row *row);
void sx_json_object(FILE *f, const struct sx_row *row);
void sx_json_rows(FILE *f, const struct sx_row *rows, unsigned int n);

int sx_error(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
