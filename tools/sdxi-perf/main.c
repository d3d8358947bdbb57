// SPDX-License-Identifier: MIT
/*
 * sdxi-perf: the SDXI benchmark, modelled on Intel's dsa-perf-micros with
 * its gaps fixed (latency percentiles from histograms instead of a mean,
 * three timers kept apart, JSON/CSV, an environment block, plots).
 *
 * main() turns the options into a list of points (one per transfer size,
 * each followed by its CPU baseline, then the --compare set), runs them
 * one after the other (worker.c), and writes the table, JSON, CSV and
 * plot (report.c, plot.c).  Only libsdxi's public API is used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdxi-perf.h"

#define MAX_POINTS	(2 * PERF_MAX_SIZES + 8)

static void add_point(struct perf_point *pts, unsigned int *n, const char *label, int cpu,
		      enum perf_op op, unsigned int aop, uint64_t size, unsigned int qd,
		      unsigned int batch, enum perf_wait wait)
{
	struct perf_point *p = &pts[(*n)++];

	memset(p, 0, sizeof(*p));
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->cpu = cpu;
	p->op = op;
	p->atomic_op = aop;
	p->size = size;
	p->qd = qd;
	p->batch = batch;
	p->wait = wait;
}

/*
 * The comparison set (run on one thread and one context, whatever the
 * sweep used): sync copies at 64 B and 4 KiB (qd 1, batch 1, spinning on
 * the read index: what dmatest's performance mode does per thread), the
 * same 4 KiB copy completed through the CST_BLK and by blocking, and 64 B
 * copies at qd 64 in batches of 1 and 16.
 */
static void add_compare(struct perf_point *pts, unsigned int *n, const struct sdxi_dev_info *in)
{
	add_point(pts, n, "sync", 0, OP_COPY, 0, 64, 1, 1, WAIT_POLL);
	add_point(pts, n, "sync", 0, OP_COPY, 0, 4096, 1, 1, WAIT_POLL);
	add_point(pts, n, "csb", 0, OP_COPY, 0, 4096, 1, 1, WAIT_CSB);
	if (in->flags & SDXI_DEV_INTERRUPTS)
		add_point(pts, n, "block", 0, OP_COPY, 0, 4096, 1, 1, WAIT_BLOCK);
	add_point(pts, n, "batch1", 0, OP_COPY, 0, 64, 64, 1, WAIT_POLL);
	add_point(pts, n, "batch16", 0, OP_COPY, 0, 64, 64, 16, WAIT_POLL);
}

static int open_device(const struct perf_cfg *cfg, struct sdxi_dev **dev)
{
	const char *name = cfg->device;
	int ret = sdxi_dev_open(name, dev);

	if (!ret)
		return 0;
	if (ret != -ENODEV) {
		fprintf(stderr, "sdxi-perf: cannot open %s: %s\n", name ? name : "the default device",
			strerror(-ret));
		return ret;
	}
	if (!name) {
		fprintf(stderr, "sdxi-perf: no SDXI function found (no /dev/sdxiN, SDXI_DEVICE unset);\n"
				"  use -d soft for the software device\n");
	} else if (strcmp(name, "soft")) {
		char path[64];

		snprintf(path, sizeof(path), "%s%s", name[0] == '/' ? "" : "/dev/", name);
		if (access(path, F_OK))
			fprintf(stderr, "sdxi-perf: %s does not exist: no SDXI function with a user "
					"interface\n  (is sdxi.ko loaded, and does it provide the "
					"/dev/sdxiN char device?); -d soft uses the software device\n",
				path);
		else
			fprintf(stderr, "sdxi-perf: %s does not answer as an SDXI device (GET_INFO "
					"failed: driver without user-mapped contexts, or ABI mismatch)\n",
				path);
	}
	return ret;
}

static int write_file(const char *path, const struct perf_cfg *cfg, const struct perf_env *env,
		      const struct perf_row *rows, unsigned int n, int json)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "sdxi-perf: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (json)
		perf_print_json(f, cfg, env, rows, n);
	else
		perf_print_csv(f, cfg, env, rows, n);
	if (fclose(f)) {
		fprintf(stderr, "sdxi-perf: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct perf_point pts[MAX_POINTS];
	struct perf_row *rows;
	struct perf_cfg cfg, one;
	struct perf_env env;
	struct sdxi_dev *dev = NULL;
	struct sdxi_dev_info info;
	unsigned int n = 0;
	int ret, status = 0, progress;
	char err[256];
	FILE *out = stdout;

	ret = perf_parse_args(argc, argv, &cfg, err, sizeof(err));
	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "sdxi-perf: %s\n", err);
		return 2;
	}
	perf_clock_init();
	if (open_device(&cfg, &dev))
		return 2;
	ret = sdxi_dev_info(dev, &info);
	if (ret) {
		fprintf(stderr, "sdxi-perf: device info: %s\n", strerror(-ret));
		return 2;
	}
	if (perf_check_device(&cfg, &info, err, sizeof(err))) {
		fprintf(stderr, "sdxi-perf: %s\n", err);
		return 2;
	}
	perf_env_collect(&env, argc, argv, &cfg, dev);

	for (unsigned int i = 0; i < cfg.nsizes; i++) {
		add_point(pts, &n, "sweep", 0, cfg.op, cfg.atomic_op, cfg.sizes[i], cfg.qd, cfg.batch,
			  cfg.wait);
		if (cfg.baseline != BASE_NONE)
			add_point(pts, &n, "sweep", 1, cfg.op, 0, cfg.sizes[i], cfg.qd, cfg.batch,
				  cfg.wait);
	}
	if (cfg.compare && (info.op_groups & SDXI_OPB_DMAB))
		add_compare(pts, &n, &info);

	/* Children open their own device (contexts do not survive fork). */
	if (cfg.procs > 1) {
		sdxi_dev_close(dev);
		dev = NULL;
	}
	rows = calloc(n, sizeof(*rows));
	if (!rows)
		return 2;
	progress = !cfg.quiet && isatty(STDERR_FILENO);
	one = cfg;
	one.threads = one.contexts = one.procs = 1;
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_cfg *c = strcmp(pts[i].label, "sweep") ? &one : &cfg;
		char sz[16];

		rows[i].pt = pts[i];
		rows[i].res = malloc(sizeof(*rows[i].res));
		if (!rows[i].res)
			return 2;
		perf_fmt_size(sz, sizeof(sz), pts[i].size);
		if (progress)
			fprintf(stderr, "\rsdxi-perf: [%u/%u] %s %s %s%-20s", i + 1, n, pts[i].label,
				pts[i].cpu ? "cpu" : env.device, sz, "");
		if (c->procs > 1 && !pts[i].cpu)
			ret = perf_run_point(c, &pts[i], NULL, rows[i].res);
		else
			ret = perf_run_point(c, &pts[i], dev, rows[i].res);
		if (ret && !rows[i].res->setup_err) {
			rows[i].res->setup_err = ret;
			snprintf(rows[i].res->setup_msg, sizeof(rows[i].res->setup_msg), "%s",
				 strerror(-ret));
		}
		perf_row_compute(&rows[i]);
		if (rows[i].res->setup_err || rows[i].res->errors || rows[i].res->verify_failed)
			status = 1;
		if (rows[i].res->fail.have) {
			const struct perf_fail *fl = &rows[i].res->fail;

			fprintf(stderr, "%ssdxi-perf: %s %s: descriptor failed: %s (step %u, sub-step %u, %s, addr 0x%llx)\n",
				progress ? "\n" : "", pts[i].label, sz, strerror(-fl->err),
				fl->rec.step, fl->rec.sub_step, sdxi_reason_name(fl->rec.reason),
				(unsigned long long)fl->rec.addr);
		}
	}
	if (progress)
		fprintf(stderr, "\r%-70s\r", "");

	if ((cfg.json && !strcmp(cfg.json, "-")))
		perf_print_json(stdout, &cfg, &env, rows, n);
	else if (cfg.csv && !strcmp(cfg.csv, "-"))
		perf_print_csv(stdout, &cfg, &env, rows, n);
	else
		perf_print_table(stdout, &cfg, &env, rows, n);
	if (out != stdout || (cfg.json && !strcmp(cfg.json, "-")) || (cfg.csv && !strcmp(cfg.csv, "-")))
		out = stderr;
	if (cfg.json && strcmp(cfg.json, "-") && write_file(cfg.json, &cfg, &env, rows, n, 1))
		status = 2;
	if (cfg.csv && strcmp(cfg.csv, "-") && write_file(cfg.csv, &cfg, &env, rows, n, 0))
		status = 2;
	if (cfg.plot) {
		char csv[4096];

		if (cfg.csv && strcmp(cfg.csv, "-"))
			snprintf(csv, sizeof(csv), "%s", cfg.csv);
		else
			snprintf(csv, sizeof(csv), "%s.csv", cfg.plot);
		if ((!cfg.csv || !strcmp(cfg.csv, "-")) && write_file(csv, &cfg, &env, rows, n, 0))
			status = 2;
		else if (perf_plot(&cfg, &env, csv, err, sizeof(err))) {
			fprintf(stderr, "sdxi-perf: plot: %s\n", err);
			status = 2;
		} else {
			fprintf(out, "\nplot: %s (gnuplot script %s.gp, data %s)\n", cfg.plot,
				cfg.plot, csv);
		}
	}
	for (unsigned int i = 0; i < n; i++)
		free(rows[i].res);
	free(rows);
	if (dev)
		sdxi_dev_close(dev);
	return status;
}
