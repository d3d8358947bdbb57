// SPDX-License-Identifier: MIT
/*
 * The three outputs of sdxi-perf: a table for people (environment, run
 * parameters, a throughput table, a latency table, the comparisons as
 * ratios), JSON (everything, for archiving and scripts) and CSV (one row
 * per point, stable column names, for spreadsheets and the plot).  All
 * three are written from the same computed rows, so they cannot disagree.
 */
#include <math.h>
#include <string.h>

#include "json.h"
#include "sdxi-perf.h"

static const double quantiles[] = { 0.50, 0.90, 0.99, 0.999 };
static const char *const qnames[] = { "p50", "p90", "p99", "p999" };
#define NQ (sizeof(quantiles) / sizeof(quantiles[0]))

const char *const perf_csv_columns[] = {
	"label", "path", "engine", "op", "size", "procs", "threads", "contexts", "qd",
	"batch", "ring", "wait", "reg", "descs", "doorbells", "bytes", "seconds", "gbps",
	"descs_per_s", "doorbells_per_s", "cycles_per_desc", "submit_cycles_per_desc",
	"busy_pct", "ring_full", "errors", "verify",
	"submit_p50", "submit_p90", "submit_p99", "submit_p999", "submit_max",
	"device_p50", "device_p90", "device_p99", "device_p999", "device_max",
	"e2e_p50", "e2e_p90", "e2e_p99", "e2e_p999", "e2e_max", NULL,
};

int perf_csv_column(const char *name)
{
	for (int i = 0; perf_csv_columns[i]; i++)
		if (!strcmp(perf_csv_columns[i], name))
			return i + 1;	/* gnuplot counts from 1 */
	return -1;
}

void perf_fmt_size(char *buf, size_t len, uint64_t size)
{
	static const char units[] = "KMGT";

	if (!size) {
		snprintf(buf, len, "-");
		return;
	}
	for (int u = 3; u >= 0; u--) {
		uint64_t m = 1ULL << (10 * (u + 1));

		if (size >= m && size % m == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(size / m), units[u]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)size);
}

/* "soft", "sdxi0", or the baseline's name. */
static const char *engine(const struct perf_cfg *cfg, const struct perf_env *env,
			  const struct perf_row *r)
{
	const char *slash;

	if (r->pt.cpu)
		return r->pt.op == OP_FILL ? (cfg->baseline == BASE_MOVSB ? "stosb" : "memset") :
					     perf_base_name(cfg->baseline);
	slash = strrchr(env->device, '/');
	return slash ? slash + 1 : env->device;
}

static const char *verify_str(const struct perf_cfg *cfg, const struct perf_result *r)
{
	if (!cfg->verify)
		return "off";
	if (r->setup_err)
		return "-";
	if (r->verify_failed)
		return "FAIL";
	return r->verify_checked ? "ok" : "-";
}

/* One comparison: value @a against value @b, ratio a / b. */
struct cmp {
	char what[96];
	char a_name[48];
	char b_name[48];
	const char *unit;
	double a, b;
	int have;
	int higher_better;
};

static const struct perf_row *find(const struct perf_row *rows, unsigned int n,
				   const char *label, uint64_t size)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(rows[i].pt.label, label) && rows[i].pt.size == size &&
		    !rows[i].res->setup_err && rows[i].res->descs)
			return &rows[i];
	return NULL;
}

/*
 * The comparisons of --compare, from the rows labelled by main.c: "sync"
 * (copy, qd 1, batch 1, poll) at 64 B and 4 KiB against each --ref; spin
 * (the sync row) vs csb vs block at 4 KiB; batch1 vs batch16 at 64 B.
 */
static unsigned int comparisons(const struct perf_cfg *cfg, const struct perf_row *rows,
				unsigned int n, struct cmp *out, unsigned int max)
{
	static const uint64_t sync_sizes[] = { 64, 4096 };
	unsigned int k = 0;
	const struct perf_row *a, *b;

	for (unsigned int s = 0; s < 2; s++) {
		a = find(rows, n, "sync", sync_sizes[s]);
		for (unsigned int r = 0; r < cfg->nrefs && k < max; r++) {
			const struct perf_ref *ref = &cfg->refs[r];

			for (unsigned int j = 0; j < ref->n; j++) {
				if (ref->size[j] != sync_sizes[s] || k >= max)
					continue;
				out[k] = (struct cmp){ .unit = "ops/s", .higher_better = 1 };
				snprintf(out[k].what, sizeof(out[k].what),
					 "copy %s, qd 1: user-mapped vs kernel dmaengine",
					 s ? "4 KiB" : "64 B");
				snprintf(out[k].a_name, sizeof(out[k].a_name), "user-mapped");
				snprintf(out[k].b_name, sizeof(out[k].b_name), "%s", ref->label);
				out[k].a = a ? a->descs_per_s : 0;
				out[k].b = ref->ops[j];
				out[k].have = a != NULL;
				k++;
			}
		}
	}
	a = find(rows, n, "block", 4096);
	b = find(rows, n, "sync", 4096);
	if (a && b && k < max) {
		out[k] = (struct cmp){ .unit = "ns p50", .have = 1 };
		snprintf(out[k].what, sizeof(out[k].what),
			 "copy 4 KiB, qd 1, e2e latency p50: blocking vs spinning");
		snprintf(out[k].a_name, sizeof(out[k].a_name), "block");
		snprintf(out[k].b_name, sizeof(out[k].b_name), "spin (read index)");
		out[k].a = (double)hist_quantile(&a->res->e2e, 0.5);
		out[k].b = (double)hist_quantile(&b->res->e2e, 0.5);
		k++;
		if (k < max) {
			out[k] = out[k - 1];
			snprintf(out[k].what, sizeof(out[k].what),
				 "copy 4 KiB, qd 1, e2e latency p99: blocking vs spinning");
			out[k].unit = "ns p99";
			out[k].a = (double)hist_quantile(&a->res->e2e, 0.99);
			out[k].b = (double)hist_quantile(&b->res->e2e, 0.99);
			k++;
		}
	}
	a = find(rows, n, "csb", 4096);
	if (a && b && k < max) {
		out[k] = (struct cmp){ .unit = "ns p50", .have = 1 };
		snprintf(out[k].what, sizeof(out[k].what),
			 "copy 4 KiB, qd 1, e2e latency p50: completion block vs read index");
		snprintf(out[k].a_name, sizeof(out[k].a_name), "csb");
		snprintf(out[k].b_name, sizeof(out[k].b_name), "read index");
		out[k].a = (double)hist_quantile(&a->res->e2e, 0.5);
		out[k].b = (double)hist_quantile(&b->res->e2e, 0.5);
		k++;
	}
	a = find(rows, n, "batch16", 64);
	b = find(rows, n, "batch1", 64);
	if (a && b && k + 1 < max) {
		out[k] = (struct cmp){ .unit = "desc/s", .have = 1, .higher_better = 1 };
		snprintf(out[k].what, sizeof(out[k].what), "copy 64 B, qd 64: batch 16 vs batch 1");
		snprintf(out[k].a_name, sizeof(out[k].a_name), "batch 16");
		snprintf(out[k].b_name, sizeof(out[k].b_name), "batch 1");
		out[k].a = a->descs_per_s;
		out[k].b = b->descs_per_s;
		k++;
		out[k] = out[k - 1];
		out[k].unit = "cyc/desc";
		out[k].higher_better = 0;
		snprintf(out[k].what, sizeof(out[k].what),
			 "copy 64 B, qd 64: batch 16 vs batch 1, submitting-core cycles");
		out[k].a = a->cycles_per_desc;
		out[k].b = b->cycles_per_desc;
		k++;
	}
	return k;
}

static void fmt_num(char *buf, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

static void print_env(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env)
{
	const struct sdxi_dev_info *in = &env->info;

	fprintf(f, "Environment\n");
	fprintf(f, "  when        %s  (sdxi-perf %s, build %s)%s%s\n", env->when, PERF_VERSION,
		env->build, cfg->tag ? "  tag " : "", cfg->tag ? cfg->tag : "");
	fprintf(f, "  command     %s\n", env->cmdline);
	fprintf(f, "  kernel      %s\n", env->kernel);
	fprintf(f, "  cpu         %s, %u online, governor %s, numa_balancing %s\n",
		env->cpu_model, env->cpus_online, env->governor, env->numa_balancing);
	fprintf(f, "  clock       %s at %.3f GHz, invariant TSC %s, timestamp cost %.1f ns\n",
		env->tick_source, env->tick_hz / 1e9, env->tsc_invariant ? "yes" : "no",
		env->timer_overhead_ns);
	fprintf(f, "  emulation   %s\n", env->emulation);
	fprintf(f, "  library     %s\n", env->lib);
	fprintf(f, "  driver      %s\n", env->driver);
	if (env->have_info)
		fprintf(f, "  device      %s: SDXI %u.%u, op groups%s%s%s, ring %u..%u, max buffer %llu MiB,\n"
			   "              contexts %u (%u free), NUMA node %d, interrupts %s\n",
			in->path, in->sdxi_version >> 16, in->sdxi_version & 0xffff,
			(in->op_groups & SDXI_OPB_DMAB) ? " dmab" : "",
			(in->op_groups & SDXI_OPB_ATOMIC) ? " atomic" : "",
			(in->op_groups & SDXI_OPB_INTR) ? " intr" : "",
			in->min_ring_entries, in->max_ring_entries,
			(unsigned long long)(in->max_buffer >> 20), in->max_contexts,
			in->free_contexts, in->numa_node,
			(in->flags & SDXI_DEV_INTERRUPTS) ? "yes" : "no");
	fprintf(f, "  isolation   %s\n", env->isolation);
	fprintf(f, "  mode        %s (--mode %s)\n", env->mode, env->mode_asked);
	fprintf(f, "  policy      %s\n", env->policy);
	if (env->guest_tcg)
		fprintf(f, "  NOTE        The CPU running sdxi-perf is emulated by QEMU TCG, while the\n"
			   "              SDXI engine runs natively inside QEMU: CPU-side figures (submit\n"
			   "              cost, cycles, the memcpy baseline) are slowed by emulation,\n"
			   "              device-side ones are not.  Compare ratios, not absolutes.\n");
	else if (env->device_soft)
		fprintf(f, "  NOTE        The software device's engine is a thread on this machine's\n"
			   "              CPUs: these figures measure libsdxi and the engine in\n"
			   "              software, not a hardware data mover.\n");
}

static void print_run(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env)
{
	unsigned int ring = cfg->ring ? cfg->ring : env->have_info ? env->info.min_ring_entries : 0;

	fprintf(f, "Run: %s, %u process%s x %u thread%s x %u context%s, qd %u, batch %u, ring %u,\n"
		   "     wait %s, registration %s, verify %s, baseline %s, ",
		cfg->op_name, cfg->procs, cfg->procs > 1 ? "es" : "", cfg->threads,
		cfg->threads > 1 ? "s" : "", cfg->contexts, cfg->contexts > 1 ? "s" : "", cfg->qd,
		cfg->batch, ring, perf_wait_name(cfg->wait), perf_reg_name(cfg->reg),
		cfg->verify ? "on" : "off", perf_base_name(cfg->baseline));
	if (cfg->iterations)
		fprintf(f, "%llu descriptors per context", (unsigned long long)cfg->iterations);
	else
		fprintf(f, "%.2f s per point", cfg->duration);
	fprintf(f, ", warm-up %llu\n", (unsigned long long)cfg->warmup);
	if (cfg->ncpus) {
		fprintf(f, "     pinned to CPUs");
		for (unsigned int i = 0; i < cfg->ncpus && i < 16; i++)
			fprintf(f, " %d", cfg->cpus[i]);
		fprintf(f, "%s\n", cfg->ncpus > 16 ? " ..." : "");
	}
	fprintf(f, "Units: GB/s = 1e9 bytes/s of payload (counted once per copy); latency in ns per\n"
		   "batch; cyc = TSC ticks per descriptor on the submitting core, not waiting\n");
}

static const char *row_desc(const struct perf_row *r, char *buf, size_t len)
{
	if (!strcmp(r->pt.label, "sweep"))
		return "";
	snprintf(buf, len, " [%s: qd %u, batch %u, %s]", r->pt.label, r->pt.qd, r->pt.batch,
		 perf_wait_name(r->pt.wait));
	return buf;
}

void perf_print_table(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env,
		      const struct perf_row *rows, unsigned int n)
{
	struct cmp c[32];
	unsigned int nc;
	char sz[16], a[16], b[16], d[16], note[64];

	print_env(f, cfg, env);
	print_run(f, cfg, env);
	fprintf(f, "\nThroughput\n");
	fprintf(f, "%6s  %-8s %8s %9s %9s %9s %9s %6s %9s %6s  %s\n", "size", "path", "GB/s",
		"desc/s", "doorbl/s", "cyc/desc", "submit", "busy%", "ring-full", "errors",
		"verify");
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_row *r = &rows[i];
		const struct perf_result *s = r->res;

		perf_fmt_size(sz, sizeof(sz), r->pt.size);
		if (s->setup_err) {
			fprintf(f, "%6s  %-8s  failed: %s%s\n", sz, engine(cfg, env, r), s->setup_msg,
				row_desc(r, note, sizeof(note)));
			continue;
		}
		fmt_num(a, sizeof(a), r->descs_per_s);
		fmt_num(b, sizeof(b), r->doorbells_per_s);
		if (r->pt.cpu) {
			fprintf(f, "%6s  %-8s %8.3f %9s %9s %9.0f %9s %6s %9s %6llu  %s%s\n", sz,
				engine(cfg, env, r), r->gbps, a, "-", r->cycles_per_desc, "-", "-",
				"-", (unsigned long long)s->errors, verify_str(cfg, s),
				row_desc(r, note, sizeof(note)));
			continue;
		}
		snprintf(d, sizeof(d), "%.0f", r->submit_cycles_per_desc);
		if (perf_op_bytes(r->pt.op, r->pt.size))
			fprintf(f, "%6s  %-8s %8.3f", sz, engine(cfg, env, r), r->gbps);
		else
			fprintf(f, "%6s  %-8s %8s", sz, engine(cfg, env, r), "-");
		fprintf(f, " %9s %9s %9.0f %9s %6.1f %9llu %6llu  %s%s\n", a, b, r->cycles_per_desc,
			d, r->busy_pct, (unsigned long long)s->ring_full,
			(unsigned long long)s->errors, verify_str(cfg, s),
			row_desc(r, note, sizeof(note)));
	}
	fprintf(f, "  (cyc/desc: all non-waiting ticks; submit: ticks in encode + publish + doorbell)\n");

	fprintf(f, "\nLatency (ns)\n");
	fprintf(f, "%6s  %-8s %-7s %9s %9s %9s %9s %9s %9s\n", "size", "path", "timer", "p50",
		"p90", "p99", "p99.9", "max", "samples");
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_row *r = &rows[i];
		const struct hist *h[3] = { &r->res->submit, &r->res->device, &r->res->e2e };
		static const char *const names[3] = { "submit", "device", "e2e" };

		if (r->res->setup_err)
			continue;
		perf_fmt_size(sz, sizeof(sz), r->pt.size);
		for (unsigned int t = r->pt.cpu ? 2 : 0; t < 3; t++) {
			int first = t == (r->pt.cpu ? 2u : 0u);

			fprintf(f, "%6s  %-8s %-7s", first ? sz : "", first ? engine(cfg, env, r) : "",
				names[t]);
			for (unsigned int q = 0; q < NQ; q++)
				fprintf(f, " %9llu", (unsigned long long)hist_quantile(h[t], quantiles[q]));
			fprintf(f, " %9llu %9llu%s%s\n", (unsigned long long)h[t]->max,
				(unsigned long long)h[t]->count,
				first ? row_desc(r, note, sizeof(note)) : "",
				r->pt.cpu ? " (1 op in 16 timed)" : "");
		}
	}

	nc = comparisons(cfg, rows, n, c, sizeof(c) / sizeof(c[0]));
	if (cfg->compare) {
		fprintf(f, "\nComparisons (same run; ratio = first / second)\n");
		for (unsigned int i = 0; i < nc; i++) {
			if (!c[i].have) {
				fprintf(f, "  %s: %s %.0f %s, no user-mapped figure\n", c[i].what,
					c[i].b_name, c[i].b, c[i].unit);
				continue;
			}
			fprintf(f, "  %s:\n      %s %.0f vs %s %.0f %s = %.2fx\n", c[i].what,
				c[i].a_name, c[i].a, c[i].b_name, c[i].b, c[i].unit,
				c[i].b > 0 ? c[i].a / c[i].b : 0);
		}
		if (!cfg->nrefs)
			fprintf(f, "  user-mapped vs kernel dmaengine: no kernel reference given (--ref);\n"
				   "      %s\n",
				env->device_soft ? "the software device has no kernel path: see make run's VM half" :
						   "run dmatest in performance mode and pass its iops with --ref");
		if (env->guest_tcg)
			fprintf(f, "  The guest CPU is emulated (TCG) while the device runs natively:\n"
				   "  CPU-bound paths look slower than they would on hardware.\n");
	}
}

/* A finite number (JSON has no NaN or infinity). */
static void json_num(FILE *f, double v)
{
	fprintf(f, "%.6g", isfinite(v) ? v : 0.0);
}

static void json_hist(FILE *f, const char *name, const struct hist *h)
{
	fprintf(f, "\"%s\": {\"samples\": %llu, \"min\": %llu, \"mean\": ", name,
		(unsigned long long)h->count, (unsigned long long)(h->count ? h->min : 0));
	json_num(f, hist_mean(h));
	for (unsigned int q = 0; q < NQ; q++)
		fprintf(f, ", \"%s\": %llu", qnames[q],
			(unsigned long long)hist_quantile(h, quantiles[q]));
	fprintf(f, ", \"max\": %llu}", (unsigned long long)h->max);
}

void perf_print_json(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env,
		     const struct perf_row *rows, unsigned int n)
{
	const struct sdxi_dev_info *in = &env->info;
	struct cmp c[32];
	unsigned int nc = comparisons(cfg, rows, n, c, sizeof(c) / sizeof(c[0]));

	fprintf(f, "{\n  \"tool\": \"sdxi-perf\", \"version\": \"%s\", \"build\": ", PERF_VERSION);
	json_write_string(f, env->build);
	fprintf(f, ",\n  \"tag\": ");
	json_write_string(f, cfg->tag ? cfg->tag : "");
	fprintf(f, ",\n  \"units\": {\"bandwidth\": \"GB/s = 1e9 bytes/s of payload, counted once per copy\", "
		   "\"latency\": \"ns per batch\", \"cycles\": \"%s ticks per descriptor on the submitting core\"},\n",
		env->tick_source);
	fprintf(f, "  \"environment\": {\"when\": ");
	json_write_string(f, env->when);
	fprintf(f, ", \"command\": ");
	json_write_string(f, env->cmdline);
	fprintf(f, ", \"kernel\": ");
	json_write_string(f, env->kernel);
	fprintf(f, ", \"cpu_model\": ");
	json_write_string(f, env->cpu_model);
	fprintf(f, ", \"cpus_online\": %u, \"governor\": ", env->cpus_online);
	json_write_string(f, env->governor);
	fprintf(f, ", \"numa_balancing\": ");
	json_write_string(f, env->numa_balancing);
	fprintf(f, ",\n    \"hypervisor_bit\": %s, \"hypervisor\": ",
		env->hypervisor_bit ? "true" : "false");
	json_write_string(f, env->hypervisor);
	fprintf(f, ", \"cpu_emulated_tcg\": %s, \"tick_source\": \"%s\", \"tick_hz\": ",
		env->guest_tcg ? "true" : "false", env->tick_source);
	json_num(f, env->tick_hz);
	fprintf(f, ", \"tsc_invariant\": %s, \"timer_overhead_ns\": ",
		env->tsc_invariant ? "true" : "false");
	json_num(f, env->timer_overhead_ns);
	fprintf(f, ",\n    \"library\": ");
	json_write_string(f, env->lib);
	fprintf(f, ", \"library_major\": %d, \"library_minor\": %d, \"driver\": ", sdxi_lib_major(),
		sdxi_lib_minor());
	json_write_string(f, env->driver);
	fprintf(f, ", \"emulation\": ");
	json_write_string(f, env->emulation);
	fprintf(f, ", \"device_soft\": %s, \"device_qemu_model\": %s, \"pci_id\": ",
		env->device_soft ? "true" : "false", env->device_qemu ? "true" : "false");
	json_write_string(f, env->pci_id);
	fprintf(f, ", \"isolation\": ");
	json_write_string(f, env->isolation);
	fprintf(f, ", \"mode\": ");
	json_write_string(f, env->mode);
	fprintf(f, ", \"mode_asked\": ");
	json_write_string(f, env->mode_asked);
	fprintf(f, ",\n    \"offload_policy\": ");
	if (env->have_policy)
		fprintf(f, "{\"offload_min\": %llu, \"source\": %u, \"cpu_bps\": %llu, "
			   "\"dev_bps\": %llu, \"dev_fixed_ns\": %llu, \"text\": ",
			(unsigned long long)env->pol.offload_min, env->pol.source,
			(unsigned long long)env->pol.cpu_bps, (unsigned long long)env->pol.dev_bps,
			(unsigned long long)env->pol.dev_fixed_ns);
	else
		fprintf(f, "{\"text\": ");
	json_write_string(f, env->policy);
	fprintf(f, "}");
	fprintf(f, ",\n    \"device\": {\"path\": ");
	json_write_string(f, env->device);
	if (env->have_info)
		fprintf(f, ", \"sdxi_version\": \"%u.%u\", \"abi_version\": %u, \"op_groups\": %u, "
			   "\"flags\": %u, \"min_ring_entries\": %u, \"max_ring_entries\": %u, "
			   "\"max_buffer\": %llu, \"max_contexts\": %u, \"free_contexts\": %u, "
			   "\"numa_node\": %d, \"interrupts\": %s",
			in->sdxi_version >> 16, in->sdxi_version & 0xffff, in->abi_version,
			in->op_groups, in->flags, in->min_ring_entries, in->max_ring_entries,
			(unsigned long long)in->max_buffer, in->max_contexts, in->free_contexts,
			in->numa_node, (in->flags & SDXI_DEV_INTERRUPTS) ? "true" : "false");
	fprintf(f, "}},\n");
	fprintf(f, "  \"config\": {\"op\": ");
	json_write_string(f, cfg->op_name);
	fprintf(f, ", \"procs\": %u, \"threads\": %u, \"contexts\": %u, \"qd\": %u, \"batch\": %u, "
		   "\"ring\": %u, \"wait\": \"%s\", \"reg\": \"%s\", \"verify\": %s, "
		   "\"baseline\": \"%s\", \"iterations\": %llu, \"duration_s\": ",
		cfg->procs, cfg->threads, cfg->contexts, cfg->qd, cfg->batch,
		cfg->ring ? cfg->ring : env->have_info ? env->info.min_ring_entries : 0,
		perf_wait_name(cfg->wait), perf_reg_name(cfg->reg), cfg->verify ? "true" : "false",
		perf_base_name(cfg->baseline), (unsigned long long)cfg->iterations);
	json_num(f, cfg->iterations ? 0 : cfg->duration);
	fprintf(f, ", \"warmup\": %llu, \"cpus\": [", (unsigned long long)cfg->warmup);
	for (unsigned int i = 0; i < cfg->ncpus; i++)
		fprintf(f, "%s%d", i ? ", " : "", cfg->cpus[i]);
	fprintf(f, "]},\n  \"results\": [");
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_row *r = &rows[i];
		const struct perf_result *s = r->res;

		fprintf(f, "%s\n    {\"label\": ", i ? "," : "");
		json_write_string(f, r->pt.label);
		fprintf(f, ", \"path\": \"%s\", \"engine\": ", r->pt.cpu ? "cpu" : "device");
		json_write_string(f, engine(cfg, env, r));
		fprintf(f, ", \"size\": %llu, \"qd\": %u, \"batch\": %u, \"wait\": \"%s\", "
			   "\"workers\": %u,\n     \"descs\": %llu, \"doorbells\": %llu, \"bytes\": %llu, "
			   "\"seconds\": ",
			(unsigned long long)r->pt.size, r->pt.qd, r->pt.batch,
			perf_wait_name(r->pt.wait), s->workers, (unsigned long long)s->descs,
			(unsigned long long)s->batches, (unsigned long long)s->bytes);
		json_num(f, r->seconds);
		fprintf(f, ", \"gbps\": ");
		json_num(f, r->gbps);
		fprintf(f, ", \"descs_per_s\": ");
		json_num(f, r->descs_per_s);
		fprintf(f, ", \"doorbells_per_s\": ");
		json_num(f, r->doorbells_per_s);
		fprintf(f, ",\n     \"cycles_per_desc\": ");
		json_num(f, r->cycles_per_desc);
		fprintf(f, ", \"submit_cycles_per_desc\": ");
		json_num(f, r->submit_cycles_per_desc);
		fprintf(f, ", \"busy_pct\": ");
		json_num(f, r->busy_pct);
		fprintf(f, ", \"ring_full\": %llu, \"errors\": %llu, \"verify\": \"%s\", "
			   "\"verify_checked\": %llu, \"verify_failed\": %llu, \"error\": ",
			(unsigned long long)s->ring_full, (unsigned long long)s->errors,
			verify_str(cfg, s), (unsigned long long)s->verify_checked,
			(unsigned long long)s->verify_failed);
		json_write_string(f, s->setup_err ? s->setup_msg : "");
		if (s->fail.have) {
			fprintf(f, ", \"first_failure\": {\"errno\": %d, \"step\": %u, \"sub_step\": %u, "
				   "\"reason\": ",
				-s->fail.err, s->fail.rec.step, s->fail.rec.sub_step);
			json_write_string(f, sdxi_reason_name(s->fail.rec.reason));
			fprintf(f, ", \"addr\": %llu}", (unsigned long long)s->fail.rec.addr);
		}
		fprintf(f, ",\n     \"latency_ns\": {");
		json_hist(f, "submit", &s->submit);
		fprintf(f, ",\n       ");
		json_hist(f, "device", &s->device);
		fprintf(f, ",\n       ");
		json_hist(f, "e2e", &s->e2e);
		fprintf(f, "}}");
	}
	fprintf(f, "\n  ],\n  \"comparisons\": [");
	for (unsigned int i = 0; i < nc; i++) {
		fprintf(f, "%s\n    {\"what\": ", i ? "," : "");
		json_write_string(f, c[i].what);
		fprintf(f, ", \"a\": ");
		json_write_string(f, c[i].a_name);
		fprintf(f, ", \"a_value\": ");
		json_num(f, c[i].have ? c[i].a : 0);
		fprintf(f, ", \"b\": ");
		json_write_string(f, c[i].b_name);
		fprintf(f, ", \"b_value\": ");
		json_num(f, c[i].b);
		fprintf(f, ", \"unit\": ");
		json_write_string(f, c[i].unit);
		fprintf(f, ", \"ratio\": ");
		json_num(f, c[i].have && c[i].b > 0 ? c[i].a / c[i].b : 0);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
}

/* CSV fields never contain commas or quotes except labels: quote those. */
static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('"', f);
}

void perf_print_csv(FILE *f, const struct perf_cfg *cfg, const struct perf_env *env,
		    const struct perf_row *rows, unsigned int n)
{
	unsigned int ring = cfg->ring ? cfg->ring : env->have_info ? env->info.min_ring_entries : 0;

	for (int i = 0; perf_csv_columns[i]; i++)
		fprintf(f, "%s%s", i ? "," : "", perf_csv_columns[i]);
	fputc('\n', f);
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_row *r = &rows[i];
		const struct perf_result *s = r->res;
		const struct hist *h[3] = { &s->submit, &s->device, &s->e2e };

		csv_str(f, r->pt.label);
		fprintf(f, ",%s,", r->pt.cpu ? "cpu" : "device");
		csv_str(f, engine(cfg, env, r));
		fputc(',', f);
		csv_str(f, cfg->op_name);
		fprintf(f, ",%llu,%u,%u,%u,%u,%u,%u,%s,%s,%llu,%llu,%llu,%.6f,%.6f,%.1f,%.1f,"
			   "%.1f,%.1f,%.1f,%llu,%llu,%s",
			(unsigned long long)r->pt.size, cfg->procs, cfg->threads, cfg->contexts,
			r->pt.qd, r->pt.batch, ring, perf_wait_name(r->pt.wait),
			perf_reg_name(cfg->reg), (unsigned long long)s->descs,
			(unsigned long long)s->batches, (unsigned long long)s->bytes, r->seconds,
			r->gbps, r->descs_per_s, r->doorbells_per_s, r->cycles_per_desc,
			r->submit_cycles_per_desc, r->busy_pct, (unsigned long long)s->ring_full,
			(unsigned long long)s->errors, verify_str(cfg, s));
		for (unsigned int t = 0; t < 3; t++) {
			for (unsigned int q = 0; q < NQ; q++)
				fprintf(f, ",%llu", (unsigned long long)hist_quantile(h[t], quantiles[q]));
			fprintf(f, ",%llu", (unsigned long long)h[t]->max);
		}
		fputc('\n', f);
	}
}
