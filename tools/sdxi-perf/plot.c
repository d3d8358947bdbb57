// SPDX-License-Identifier: MIT
/*
 * --plot: throughput vs transfer size (the device against the CPU
 * baseline) and end-to-end latency percentiles vs size, drawn by gnuplot
 * (a maintained tool, Debian's gnuplot-nox) into a PNG or SVG.  The data
 * is read back from CSV files (this run's, and any --plot-add runs, e.g.
 * the VM's), so a plot can always be redrawn from saved results.  The
 * gnuplot script, with the data inline, is kept next to the image as
 * FILE.gp.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sdxi-perf.h"

#define MAX_SERIES	24
#define MAX_POINTS	PERF_MAX_SIZES

struct series {
	char title[96];
	unsigned int n;
	double size[MAX_POINTS], gbps[MAX_POINTS], p50[MAX_POINTS], p99[MAX_POINTS],
		p999[MAX_POINTS];
	int cpu;
};


/* Split a CSV line in place (double quotes, "" inside them). */
static unsigned int csv_split(char *line, char **fields, unsigned int max)
{
	unsigned int n = 0;
	char *p = line, *o;

	line[strcspn(line, "\r\n")] = 0;
	while (n < max) {
		fields[n++] = o = p;
		if (*p == '"') {
			p++;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*o++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*o++ = *p++;
				}
			}
			while (*p && *p != ',')
				p++;
		} else {
			while (*p && *p != ',')
				*o++ = *p++;
		}
		if (!*p) {
			*o = 0;
			break;
		}
		*o = 0;
		p++;
	}
	return n;
}

static struct series *series_for(struct series *s, unsigned int *ns, const char *title, int cpu)
{
	for (unsigned int i = 0; i < *ns; i++)
		if (!strcmp(s[i].title, title))
			return &s[i];
	if (*ns >= MAX_SERIES)
		return NULL;
	memset(&s[*ns], 0, sizeof(s[*ns]));
	snprintf(s[*ns].title, sizeof(s[*ns].title), "%s", title);
	s[*ns].cpu = cpu;
	return &s[(*ns)++];
}

/*
 * The "sweep" rows of a CSV file as series: "PREFIX ENGINE" for the
 * device rows and "PREFIX CPU ENGINE" for the baseline.
 */
static int load_csv(const char *file, const char *prefix, struct series *s, unsigned int *ns,
		    char *err, size_t errlen)
{
	enum { C_LABEL, C_PATH, C_ENGINE, C_SIZE, C_GBPS, C_P50, C_P99, C_P999, NC };
	static const char *const names[NC] = { "label", "path", "engine", "size", "gbps",
					       "e2e_p50", "e2e_p99", "e2e_p999" };
	int col[NC];
	char line[4096], *f[64];
	unsigned int nf;
	FILE *in = fopen(file, "r");

	if (!in)
		return perf_fail(err, errlen, "cannot read %s: %s", file, strerror(errno));
	if (!fgets(line, sizeof(line), in)) {
		fclose(in);
		return perf_fail(err, errlen, "%s is empty", file);
	}
	nf = csv_split(line, f, 64);
	for (unsigned int c = 0; c < NC; c++) {
		col[c] = -1;
		for (unsigned int i = 0; i < nf; i++)
			if (!strcmp(f[i], names[c]))
				col[c] = (int)i;
		if (col[c] < 0) {
			fclose(in);
			return perf_fail(err, errlen, "%s: no column '%s' (not an sdxi-perf --csv file?)",
				    file, names[c]);
		}
	}
	while (fgets(line, sizeof(line), in)) {
		char title[96];
		struct series *se;
		double size;
		int cpu;

		nf = csv_split(line, f, 64);
		if (nf <= (unsigned int)col[C_P999] || strcmp(f[col[C_LABEL]], "sweep"))
			continue;
		size = strtod(f[col[C_SIZE]], NULL);
		if (!(size > 0))
			continue;
		cpu = !strcmp(f[col[C_PATH]], "cpu");
		snprintf(title, sizeof(title), "%s%s%s%s", prefix, *prefix ? " " : "",
			 cpu ? "CPU " : "", f[col[C_ENGINE]]);
		se = series_for(s, ns, title, cpu);
		if (!se || se->n >= MAX_POINTS)
			continue;
		se->size[se->n] = size;
		se->gbps[se->n] = strtod(f[col[C_GBPS]], NULL);
		se->p50[se->n] = strtod(f[col[C_P50]], NULL);
		se->p99[se->n] = strtod(f[col[C_P99]], NULL);
		se->p999[se->n] = strtod(f[col[C_P999]], NULL);
		se->n++;
	}
	fclose(in);
	return 0;
}

static void gp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* One labelled tic per size any series has ("64", "4K", "1M"). */
static void write_xtics(FILE *f, const struct series *s, unsigned int ns)
{
	double seen[MAX_SERIES * MAX_POINTS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < ns; i++)
		for (unsigned int k = 0; k < s[i].n; k++) {
			unsigned int j = 0;
			char label[16];

			while (j < n && seen[j] != s[i].size[k])
				j++;
			if (j < n)
				continue;
			seen[n++] = s[i].size[k];
			perf_fmt_size(label, sizeof(label), (uint64_t)s[i].size[k]);
			fprintf(f, "%s\"%s\" %.0f", n > 1 ? ", " : "", label, s[i].size[k]);
		}
}

/* A value of 0 cannot go on a log axis: clamp to 1 (ns, or GB/s * 1e-6). */
static double pos(double v)
{
	return v > 1 ? v : 1;
}

static void write_script(FILE *f, const char *out, const char *title, struct series *s,
			 unsigned int ns)
{
	int svg = !strcmp(strrchr(out, '.'), ".svg");
	int first;

	fprintf(f, "# sdxi-perf plot; run: gnuplot %s.gp\n", out);
	for (unsigned int i = 0; i < ns; i++) {
		fprintf(f, "$D%u << EOD\n", i);
		for (unsigned int k = 0; k < s[i].n; k++)
			fprintf(f, "%.0f %.6g %.0f %.0f %.0f\n", s[i].size[k],
				s[i].gbps[k] > 1e-6 ? s[i].gbps[k] : 1e-6,
				pos(s[i].p50[k]), pos(s[i].p99[k]), pos(s[i].p999[k]));
		fprintf(f, "EOD\n");
	}
	if (svg)
		fprintf(f, "set terminal svg size 1400,560 dynamic enhanced font 'sans,11'\n");
	else
		fprintf(f, "set terminal pngcairo size 1400,560 enhanced font 'sans,10'\n");
	fprintf(f, "set output ");
	gp_str(f, out);
	fprintf(f, "\nset multiplot layout 1,2 title ");
	gp_str(f, title);
	fprintf(f, "\nset logscale x 2\nset logscale y 10\nset grid\nset key below\n"
		   "set xlabel 'transfer size (bytes)'\nset xtics (");
	write_xtics(f, s, ns);
	fprintf(f, ")\nset title 'Throughput vs transfer size'\nset ylabel 'GB/s (1e9 bytes/s), log scale'\n"
		   "plot ");
	first = 1;
	for (unsigned int i = 0; i < ns; i++) {
		fprintf(f, "%s$D%u using 1:2 with linespoints lw 2 dt %d title ", first ? "" : ", \\\n     ",
			i, s[i].cpu ? 2 : 1);
		gp_str(f, s[i].title);
		first = 0;
	}
	fprintf(f, "\nset title 'End-to-end latency per batch: p50 (solid), p99 (dashed), p99.9 (dotted)'\n"
		   "set ylabel 'ns, log scale'\nplot ");
	first = 1;
	for (unsigned int i = 0; i < ns; i++) {
		static const char *const cols[3] = { "3", "4", "5" };

		for (unsigned int q = 0; q < 3; q++) {
			/* The CPU baseline samples too few ops for a useful p99.9. */
			if (q == 2 && s[i].cpu)
				continue;
			fprintf(f, "%s$D%u using 1:%s with linespoints lc %u dt %u lw 2 title ",
				first ? "" : ", \\\n     ", i, cols[q], i + 1, q + 1);
			if (q == 0)
				gp_str(f, s[i].title);
			else
				fprintf(f, "''");
			first = 0;
		}
	}
	fprintf(f, "\nunset multiplot\n");
}

static int plot_with(const struct perf_cfg *cfg, const struct perf_env *env, const char *csv,
		     struct series *s, char *err, size_t errlen)
{
	unsigned int ns = 0;
	char script[4096], title[512];
	FILE *f;
	pid_t pid;
	int status;

	if (load_csv(csv, cfg->nplot_add ? "host" : "", s, &ns, err, errlen))
		return -1;
	for (unsigned int i = 0; i < cfg->nplot_add; i++)
		if (load_csv(cfg->plot_file[i], cfg->plot_label[i], s, &ns, err, errlen))
			return -1;
	if (!ns)
		return perf_fail(err, errlen, "nothing to plot: no sized sweep rows (nop and atomics have no size)");
	snprintf(title, sizeof(title), "sdxi-perf %s on %s (%s)", cfg->op_name, env->device,
		 env->emulation);
	snprintf(script, sizeof(script), "%s.gp", cfg->plot);
	f = fopen(script, "w");
	if (!f)
		return perf_fail(err, errlen, "cannot write %s: %s", script, strerror(errno));
	write_script(f, cfg->plot, title, s, ns);
	if (fclose(f))
		return perf_fail(err, errlen, "cannot write %s", script);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return perf_fail(err, errlen, "cannot run gnuplot");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return perf_fail(err, errlen,
			    "gnuplot not found (Debian: apt install gnuplot-nox; make deps installs it)");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return perf_fail(err, errlen, "gnuplot failed on %s", script);
	return 0;
}

/* Draw cfg->plot from @csv and the --plot-add files.  0 or -1 with a message. */
int perf_plot(const struct perf_cfg *cfg, const struct perf_env *env, const char *csv,
	      char *err, size_t errlen)
{
	struct series *s = calloc(MAX_SERIES, sizeof(*s));
	int ret;

	if (!s)
		return perf_fail(err, errlen, "out of memory");
	ret = plot_with(cfg, env, csv, s, err, errlen);
	free(s);
	return ret;
}
