// SPDX-License-Identifier: GPL-2.0-only
/*
 * sdxictl's output: records of key/value fields printed as a table (one
 * row per record, a header of the keys in capitals), as "key value"
 * pairs, or as JSON (numbers bare, everything else a string).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sdxictl.h"

/* A decimal integer, as sysfs prints counters. */
static bool sx_is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s || (*s == '0' && s[1]))
		return false;
	return !s[strspn(s, "0123456789")];
}

void sx_add_value(struct sx_row *row, const char *key, const char *val)
{
	struct sx_field *f;

	if (row->n == SX_FIELDS)
		return;
	f = &row->f[row->n++];
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->val, sizeof(f->val), "%s", val);
	f->num = sx_is_number(f->val);
}

void sx_add(struct sx_row *row, const char *key, const char *fmt, ...)
{
	char val[SX_VAL];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	sx_add_value(row, key, val);
}

const char *sx_get(const struct sx_row *row, const char *key)
{
	for (unsigned int i = 0; i < row->n; i++)
		if (!strcmp(row->f[i].key, key))
			return row->f[i].val;
	return NULL;
}

/* Columns are the first row's keys; numbers are right-aligned. */
void sx_table(FILE *f, const struct sx_row *rows, unsigned int n)
{
	size_t w[SX_FIELDS];
	unsigned int c, r;

	if (!n)
		return;
	for (c = 0; c < rows[0].n; c++) {
		w[c] = strlen(rows[0].f[c].key);
		for (r = 0; r < n; r++)
			if (c < rows[r].n && strlen(rows[r].f[c].val) > w[c])
				w[c] = strlen(rows[r].f[c].val);
	}
	for (c = 0; c < rows[0].n; c++) {
		const char *k = rows[0].f[c].key;

		for (size_t i = 0; k[i]; i++)
			fputc(k[i] >= 'a' && k[i] <= 'z' ? k[i] - 'a' + 'A' : k[i], f);
		if (c + 1 < rows[0].n)
			fprintf(f, "%*s", (int)(w[c] - strlen(k) + 2), "");
	}
	fputc('\n', f);
	for (r = 0; r < n; r++) {
		for (c = 0; c < rows[0].n && c < rows[r].n; c++) {
			const struct sx_field *fl = &rows[r].f[c];
			bool last = c + 1 == rows[0].n;

			if (fl->num && !last)
				fprintf(f, "%*s  ", (int)w[c], fl->val);
			else if (last)
				fprintf(f, "%s", fl->val);
			else
				fprintf(f, "%-*s  ", (int)w[c], fl->val);
		}
		fputc('\n', f);
	}
}

/* "title" then one indented "key  value" line per field. */
void sx_pairs(FILE *f, const char *title, const struct sx_row *row)
{
	size_t w = 0;

	for (unsigned int i = 0; i < row->n; i++)
		if (strlen(row->f[i].key) > w)
			w = strlen(row->f[i].key);
	fprintf(f, "%s\n", title);
	for (unsigned int i = 0; i < row->n; i++)
		fprintf(f, "  %-*s  %s\n", (int)w, row->f[i].key, row->f[i].val);
}

void sx_json_object(FILE *f, const struct sx_row *row)
{
	fputc('{', f);
	for (unsigned int i = 0; i < row->n; i++) {
		if (i)
			fputs(", ", f);
		json_write_string(f, row->f[i].key);
		fputs(": ", f);
		if (row->f[i].num)
			fputs(row->f[i].val, f);
		else
			json_write_string(f, row->f[i].val);
	}
	fputc('}', f);
}

void sx_json_rows(FILE *f, const struct sx_row *rows, unsigned int n)
{
	fputc('[', f);
	for (unsigned int r = 0; r < n; r++) {
		fputs(r ? ",\n " : "", f);
		sx_json_object(f, &rows[r]);
	}
	fputs("]\n", f);
}

/* "sdxictl: MESSAGE" on stderr; returns @status for the caller's return. */
int sx_error(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("sdxictl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}
