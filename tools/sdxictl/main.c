// SPDX-License-Identifier: GPL-2.0-only
/*
 * sdxictl: list SDXI functions, show one (capabilities, counters, quotas,
 * recent errors), its user contexts and users, reset it, and read or set
 * the limits of /dev/sdxiN users.  sdxictl(1) documents the commands,
 * the output and the exit statuses.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/sdxi_hw.h>

#include "json.h"
#include "sdxictl.h"

#ifndef SDXI_VERSION
#define SDXI_VERSION "unknown"
#endif

#define SX_MAX_FNS 256
#define SX_MAX_CXTS 4096
#define SX_ERRORS 10

static bool json;

/* The per-function counters: the function's group, then the class device's. */
static const char *const fn_counters[] = {
	"active_contexts", "max_contexts", "leaked_contexts", "errlog_entries",
	"cxt_errors", "fn_errors", "errlog_overflows", "errlog_failures",
	"admin_timeouts", "dsc_errors", "dma_aborted", "recoveries",
	"recovery_failures",
};
static const char *const class_counters[] = {
	"user_contexts", "max_user_contexts", "pasids", "pinned_pages",
	"pinned_bytes", "dmabufs", "imported_bytes", "user_vectors", "open_files",
};

/* The limits of /dev/sdxiN users: module parameters (uapi.rst "Limits"). */
static const char *const quotas[] = {
	"max_contexts_per_file", "max_contexts_per_user", "max_vectors_per_file",
	"max_vectors_per_user", "max_pinned_mb_per_file", "max_pinned_mb_per_user",
	"max_imported_mb_per_file", "max_imported_mb_per_user", "max_user_buffer_mb",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
	fputs("Usage: sdxictl [--json] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  list               the SDXI functions: PCI address, SDXI version, function\n"
	      "                     and driver state, operation groups, user contexts in\n"
	      "                     use and the most users may hold, isolation\n"
	      "  show FUNC          capabilities, counters, quotas and the recent decoded\n"
	      "                     error-log records of one function\n"
	      "  contexts FUNC      its user contexts: pid, command, uid, ring size, state,\n"
	      "                     descriptors completed, errors, pinned and imported\n"
	      "                     bytes (root: read from debugfs)\n"
	      "  users FUNC         what each user (uid) holds on it (root: debugfs)\n"
	      "  reset FUNC         recover the function: stop, reset and restart it; its\n"
	      "                     users' contexts are told and must be reset (root)\n"
	      "  reset FUNC CONTEXT reset one user context as its owner's RESET_CONTEXT\n"
	      "                     would: stopped, ring emptied, running again (root)\n"
	      "  quota              the limits of /dev/sdxiN users\n"
	      "  quota NAME VALUE   set one (root); it applies to later charges\n"
	      "\n"
	      "FUNC is sdxiN, N, /dev/sdxiN or the function's PCI address.\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json         JSON instead of tables, for scripts\n"
	      "  -h, --help         this text\n"
	      "  -V, --version      the version\n"
	      "\n"
	      "Exit status: 0 done; 1 the kernel refused or a file could not be read;\n"
	      "2 bad command line; 3 no driver, function or context; 4 needs root.\n"
	      "See sdxictl(1).\n", f);
}

/* An errno of a file access as an exit status. */
static int errno_status(int err)
{
	return err == -EACCES || err == -EPERM ? SX_PERM :
	       err == -ENOENT ? SX_NOTFOUND : SX_FAIL;
}

/* The driver is loaded and FUNC names a function. */
static int find_fn(const char *arg, struct sx_fn *fn)
{
	if (!sx_driver_loaded())
		return sx_error(SX_NOTFOUND, "the sdxi driver is not loaded: run modprobe sdxi "
				"(installed by dkms install sdxi/%s)", SDXI_VERSION);
	if (sx_resolve(arg, fn))
		return sx_error(SX_NOTFOUND, "no SDXI function '%s': sdxictl list shows them",
				arg);
	return SX_OK;
}

/* A function's attribute: "fn" group, "class" device or module parameter. */
static void read_attr(char *buf, size_t n, const struct sx_fn *fn, const char *where,
		      const char *name)
{
	char p[PATH_MAX];
	int err;

	if (!strcmp(where, "fn"))
		err = sx_path(p, sizeof(p), "/sys/class/sdxi/%s/device/sdxi/%s", fn->name, name);
	else if (!strcmp(where, "class"))
		err = sx_path(p, sizeof(p), "/sys/class/sdxi/%s/%s", fn->name, name);
	else
		err = sx_path(p, sizeof(p), "/sys/module/sdxi/parameters/%s", name);
	if (err || sx_read(p, buf, n))
		snprintf(buf, n, "-");
}

static void add_attr(struct sx_row *row, const struct sx_fn *fn, const char *where,
		     const char *name)
{
	char v[SX_VAL];

	read_attr(v, sizeof(v), fn, where, name);
	sx_add_value(row, name, v);
}

/* CAP1's operation groups by name (uapi/linux/sdxi_hw.h SDXI_OPB_*). */
static void op_group_names(char *buf, size_t n, const char *hex)
{
	static const struct { unsigned int bit; const char *name; } groups[] = {
		{ SDXI_OPB_DMAB, "dmab" }, { SDXI_OPB_ADMIN, "admin" },
		{ SDXI_OPB_ATOMIC, "atomic" }, { SDXI_OPB_INTR, "intr" },
	};
	char *end;
	unsigned long v = strtoul(hex, &end, 0);
	size_t len = 0;

	buf[0] = '\0';
	if (end == hex || *end) {
		snprintf(buf, n, "-");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (!(v & groups[i].bit))
			continue;
		len += snprintf(buf + len, n - len, "%s%s", len ? "," : "", groups[i].name);
		v &= ~(unsigned long)groups[i].bit;
	}
	if (v)
		snprintf(buf + len, n - len, "%s%#lx", len ? "," : "", v);
}

static void fn_capabilities(const struct sx_fn *fn, struct sx_row *caps)
{
	char p[PATH_MAX];

	caps->n = 0;
	if (!sx_path(p, sizeof(p), "/sys/class/sdxi/%s/device/sdxi/capabilities", fn->name))
		sx_kv_lines(p, caps);
}

static void list_row(const struct sx_fn *fn, struct sx_row *row)
{
	struct sx_row caps;
	char groups[SX_VAL];
	const char *opb;

	row->n = 0;
	fn_capabilities(fn, &caps);
	opb = sx_get(&caps, "op_groups");
	op_group_names(groups, sizeof(groups), opb ? opb : "");
	sx_add_value(row, "function", fn->name);
	sx_add_value(row, "pci", fn->pci);
	add_attr(row, fn, "fn", "version");
	add_attr(row, fn, "fn", "function_state");
	add_attr(row, fn, "fn", "driver_state");
	sx_add_value(row, "op_groups", groups);
	add_attr(row, fn, "class", "user_contexts");
	add_attr(row, fn, "class", "max_user_contexts");
	add_attr(row, fn, "class", "isolation");
}

static int cmd_list(int argc, char **argv)
{
	static struct sx_fn fns[SX_MAX_FNS];
	static struct sx_row rows[SX_MAX_FNS];
	unsigned int n, i;
	int err;

	(void)argv;
	if (argc)
		return sx_error(SX_USAGE, "list takes no arguments");
	if (!sx_driver_loaded())
		return sx_error(SX_NOTFOUND, "the sdxi driver is not loaded: run modprobe sdxi "
				"(installed by dkms install sdxi/%s)", SDXI_VERSION);
	err = sx_functions(fns, SX_MAX_FNS, &n);
	if (err)
		return sx_error(errno_status(err), "cannot read /sys/class/sdxi: %s",
				strerror(-err));
	for (i = 0; i < n; i++)
		list_row(&fns[i], &rows[i]);
	if (json)
		sx_json_rows(stdout, rows, n);
	else if (n)
		sx_table(stdout, rows, n);
	else
		fputs("no SDXI function: the driver is loaded but bound to none "
		      "(lspci -d ::1201 lists PCI functions of the class)\n", stderr);
	return SX_OK;
}

static int cmd_show(int argc, char **argv)
{
	static char errors[SX_ERRORS][SX_VAL];
	struct sx_row info = { 0 }, caps, counters = { 0 }, limits = { 0 };
	unsigned int nerr = 0, i;
	struct sx_fn fn;
	int status, kerr;

	if (argc != 1)
		return sx_error(SX_USAGE, "usage: sdxictl show FUNC");
	status = find_fn(argv[0], &fn);
	if (status)
		return status;
	list_row(&fn, &info);
	fn_capabilities(&fn, &caps);
	for (i = 0; i < ARRAY_SIZE(fn_counters); i++)
		add_attr(&counters, &fn, "fn", fn_counters[i]);
	for (i = 0; i < ARRAY_SIZE(class_counters); i++)
		add_attr(&counters, &fn, "class", class_counters[i]);
	for (i = 0; i < ARRAY_SIZE(quotas); i++)
		add_attr(&limits, &fn, "param", quotas[i]);
	kerr = sx_kmsg_errors(fn.pci, errors, SX_ERRORS, &nerr);

	if (json) {
		fputs("{\"function\": ", stdout);
		sx_json_object(stdout, &info);
		fputs(",\n \"capabilities\": ", stdout);
		sx_json_object(stdout, &caps);
		fputs(",\n \"counters\": ", stdout);
		sx_json_object(stdout, &counters);
		fputs(",\n \"quotas\": ", stdout);
		sx_json_object(stdout, &limits);
		fputs(",\n \"errors\": ", stdout);
		if (kerr) {
			fputs("null", stdout);
		} else {
			fputc('[', stdout);
			for (i = 0; i < nerr; i++) {
				fputs(i ? ", " : "", stdout);
				json_write_string(stdout, errors[i]);
			}
			fputc(']', stdout);
		}
		fputs("}\n", stdout);
		return SX_OK;
	}
	sx_pairs(stdout, "function", &info);
	sx_pairs(stdout, "capabilities", &caps);
	sx_pairs(stdout, "counters", &counters);
	sx_pairs(stdout, "quotas", &limits);
	printf("recent errors (kernel log, oldest first)\n");
	if (kerr)
		printf("  unavailable: %s%s\n", strerror(-kerr),
		       errno_status(kerr) == SX_PERM ? " (reading the kernel log needs root)" : "");
	else if (!nerr)
		printf("  none\n");
	for (i = 0; i < nerr; i++)
		printf("  %s\n", errors[i]);
	return SX_OK;
}

/*
 * The debugfs directory of a function (uapi.rst "Observability"), with a
 * message that says what to do when it cannot be read.
 */
static int debugfs_dir(const struct sx_fn *fn, char *p, size_t n, DIR **d)
{
	char root[PATH_MAX];
	DIR *r;
	bool mounted = false;

	if (sx_path(p, n, "/sys/kernel/debug/sdxi/%s", fn->name) ||
	    sx_path(root, sizeof(root), "/sys/kernel/debug"))
		return SX_FAIL;
	*d = opendir(p);
	if (*d)
		return SX_OK;
	if (errno == EACCES || errno == EPERM)
		return sx_error(SX_PERM, "reading %s's contexts needs root (debugfs): "
				"sudo sdxictl ...", fn->name);
	r = opendir(root);
	if (r) {
		struct dirent *de;

		while ((de = readdir(r)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				mounted = true;
		closedir(r);
	}
	if (!mounted)
		return sx_error(SX_FAIL, "debugfs is not mounted: "
				"mount -t debugfs none /sys/kernel/debug");
	return sx_error(SX_FAIL, "%s has no debugfs directory (a kernel without "
			"CONFIG_DEBUG_FS?)", fn->name);
}

/* The one argument of command @cmd names a function: its debugfs directory. */
static int fn_debugfs(int argc, char **argv, const char *cmd, struct sx_fn *fn, char *dir,
		      size_t n, DIR **d)
{
	int status;

	if (argc != 1)
		return sx_error(SX_USAGE, "usage: sdxictl %s FUNC", cmd);
	status = find_fn(argv[0], fn);
	return status ? status : debugfs_dir(fn, dir, n, d);
}

/* The process name of @pid, or "-" once it is gone. */
static void comm_of(const char *pid, char *buf, size_t n)
{
	char p[PATH_MAX];

	if (sx_path(p, sizeof(p), "/proc/%s/comm", pid) || sx_read(p, buf, n))
		snprintf(buf, n, "-");
}

static int cxt_cmp(const void *a, const void *b)
{
	long x = atol(sx_get(a, "context")), y = atol(sx_get(b, "context"));

	return (x > y) - (x < y);
}

static const char *const cxt_fields[] = {
	"uid", "ring_entries", "state", "completed", "errors", "interrupts",
	"pinned_bytes", "imported_bytes", "pasid", "vector",
};

/* Records as JSON or a table; with none, a table is "NONE FUNC". */
static void print_rows(const struct sx_row *rows, unsigned int n, const char *none,
		       const char *func)
{
	if (json)
		sx_json_rows(stdout, rows, n);
	else if (n)
		sx_table(stdout, rows, n);
	else
		printf("%s %s\n", none, func);
}

static int cmd_contexts(int argc, char **argv)
{
	static struct sx_row rows[SX_MAX_CXTS];
	char dir[PATH_MAX], p[PATH_MAX * 2], comm[64];
	struct sx_fn fn;
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;
	int status;

	status = fn_debugfs(argc, argv, "contexts", &fn, dir, sizeof(dir), &d);
	if (status)
		return status;
	while ((de = readdir(d)) && n < SX_MAX_CXTS) {
		struct sx_row raw = { 0 };
		const char *pid, *v;
		struct sx_row *row = &rows[n];

		if (strncmp(de->d_name, "cxt", 3))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (sx_kv_lines(p, &raw))
			continue;	/* destroyed meanwhile */
		pid = sx_get(&raw, "pid");
		comm_of(pid ? pid : "", comm, sizeof(comm));
		row->n = 0;
		sx_add_value(row, "context", de->d_name + 3);
		sx_add_value(row, "pid", pid ? pid : "-");
		sx_add_value(row, "command", comm);
		for (size_t i = 0; i < ARRAY_SIZE(cxt_fields); i++) {
			v = sx_get(&raw, cxt_fields[i]);
			sx_add_value(row, cxt_fields[i], v ? v : "-");
		}
		n++;
	}
	closedir(d);
	qsort(rows, n, sizeof(rows[0]), cxt_cmp);
	print_rows(rows, n, "no user contexts on", fn.name);
	return SX_OK;
}

static int cmd_users(int argc, char **argv)
{
	static struct sx_row rows[SX_MAX_CXTS];
	char dir[PATH_MAX], p[PATH_MAX + 8], text[65536], *save, *line;
	struct sx_fn fn;
	unsigned int n = 0;
	DIR *d;
	int status, err;

	status = fn_debugfs(argc, argv, "users", &fn, dir, sizeof(dir), &d);
	if (status)
		return status;
	closedir(d);
	snprintf(p, sizeof(p), "%s/users", dir);
	err = sx_read(p, text, sizeof(text));
	if (err)
		return sx_error(errno_status(err), "cannot read %s: %s", p, strerror(-err));
	for (line = strtok_r(text, "\n", &save); line && n < SX_MAX_CXTS;
	     line = strtok_r(NULL, "\n", &save)) {
		rows[n].n = 0;
		sx_kv_words(line, &rows[n++]);
	}
	print_rows(rows, n, "no user holds anything on", fn.name);
	return SX_OK;
}

/* Reset one user context: what its owner's RESET_CONTEXT does (root). */
static int reset_context(const struct sx_fn *fn, const char *cxt)
{
	char p[PATH_MAX];
	int err;

	if (!cxt[0] || cxt[strspn(cxt, "0123456789")])
		return sx_error(SX_USAGE, "CONTEXT is a decimal context ID (sdxictl contexts "
				"%s lists them), not '%s'", fn->name, cxt);
	if (sx_path(p, sizeof(p), "/sys/class/sdxi/%s/reset_context", fn->name))
		return SX_FAIL;
	if (access(p, F_OK))
		return sx_error(SX_FAIL, "this sdxi driver cannot reset one context (no %s): "
				"its owner resets it, or reset the whole function with "
				"sdxictl reset %s", p, fn->name);
	err = sx_write(p, cxt);
	if (err == -EACCES || err == -EPERM)
		return sx_error(SX_PERM, "resetting a context of %s needs root", fn->name);
	if (err == -ENOENT)
		return sx_error(SX_NOTFOUND, "%s has no user context %s: sdxictl contexts %s "
				"lists them", fn->name, cxt, fn->name);
	if (err)
		return sx_error(SX_FAIL, "the driver refused to reset context %s of %s: %s",
				cxt, fn->name, strerror(-err));
	if (!json)
		printf("%s: context %s reset; its owner sees it running with an empty "
		       "ring\n", fn->name, cxt);
	else
		printf("{\"function\": \"%s\", \"context\": %s, \"reset\": \"done\"}\n",
		       fn->name, cxt);
	return SX_OK;
}

static int cmd_reset(int argc, char **argv)
{
	char p[PATH_MAX];
	struct sx_fn fn;
	int status, err;

	if (argc != 1 && argc != 2)
		return sx_error(SX_USAGE, "usage: sdxictl reset FUNC [CONTEXT]");
	status = find_fn(argv[0], &fn);
	if (status)
		return status;
	if (argc == 2)
		return reset_context(&fn, argv[1]);
	if (sx_path(p, sizeof(p), "/sys/class/sdxi/%s/device/sdxi/recover", fn.name))
		return SX_FAIL;
	err = sx_write(p, "1");
	if (err == -EACCES || err == -EPERM)
		return sx_error(SX_PERM, "resetting %s needs root", fn.name);
	if (err)
		return sx_error(SX_FAIL, "the driver refused to reset %s: %s", fn.name,
				strerror(-err));
	if (!json)
		printf("%s: recovery scheduled; sdxictl show %s reports driver_state and "
		       "recoveries\n", fn.name, fn.name);
	else
		printf("{\"function\": \"%s\", \"recovery\": \"scheduled\"}\n", fn.name);
	return SX_OK;
}

static int cmd_quota(int argc, char **argv)
{
	struct sx_row limits = { 0 };
	char p[PATH_MAX];
	size_t i;
	int err;

	if (!sx_driver_loaded())
		return sx_error(SX_NOTFOUND, "the sdxi driver is not loaded: run modprobe sdxi");
	if (argc == 0) {
		for (i = 0; i < ARRAY_SIZE(quotas); i++)
			add_attr(&limits, NULL, "param", quotas[i]);
		if (json) {
			sx_json_object(stdout, &limits);
			fputc('\n', stdout);
		} else {
			sx_pairs(stdout, "quotas (0 for max_user_buffer_mb: the function's)",
				 &limits);
		}
		return SX_OK;
	}
	if (argc != 2)
		return sx_error(SX_USAGE, "usage: sdxictl quota [NAME VALUE]");
	for (i = 0; i < ARRAY_SIZE(quotas) && strcmp(argv[0], quotas[i]); i++)
		;
	if (i == ARRAY_SIZE(quotas))
		return sx_error(SX_USAGE, "no quota '%s': sdxictl quota lists them", argv[0]);
	if (!argv[1][0] || argv[1][strspn(argv[1], "0123456789")])
		return sx_error(SX_USAGE, "%s takes a decimal number, not '%s'", argv[0],
				argv[1]);
	if (sx_path(p, sizeof(p), "/sys/module/sdxi/parameters/%s", quotas[i]))
		return SX_FAIL;
	err = sx_write(p, argv[1]);
	if (err == -EACCES || err == -EPERM)
		return sx_error(SX_PERM, "setting %s needs root", argv[0]);
	if (err)
		return sx_error(SX_FAIL, "the driver refused %s=%s: %s", argv[0], argv[1],
				strerror(-err));
	return SX_OK;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list }, { "show", cmd_show }, { "contexts", cmd_contexts },
	{ "users", cmd_users }, { "reset", cmd_reset }, { "quota", cmd_quota },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int opt, status;

	sx_set_root(getenv("SDXICTL_ROOT"));
	while ((opt = getopt_long(argc, argv, "jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return SX_OK;
		case 'V':
			printf("sdxictl %s\n", SDXI_VERSION);
			return SX_OK;
		default:
			usage(stderr);
			return SX_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return SX_USAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		status = commands[i].run(argc - optind - 1, argv + optind + 1);
		if (fflush(stdout) || ferror(stdout))
			return sx_error(SX_FAIL, "cannot write the output");
		return status;
	}
	return sx_error(SX_USAGE, "unknown command '%s': sdxictl --help lists them",
			argv[optind]);
}
