// SPDX-License-Identifier: MIT
/*
 * The environment block printed with every result, so that a number is
 * never quoted without what produced it: kernel, CPU (model, governor,
 * TSC), library and driver versions, the device's capabilities, isolation
 * mode and the offload policy libsdxi applies to synchronous calls on it,
 * and whether anything was emulated.  Emulation is
 * detected three ways: the CPUID hypervisor bit and vendor leaf (QEMU's
 * TCG answers "TCGTCGTCGTCG"), the software device, and the PCI IDs of
 * the function behind /dev/sdxiN (1234:5d01 is our QEMU model).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "sdxi-perf.h"

#ifndef PERF_BUILD
#define PERF_BUILD "unknown"
#endif

/* First line of @path without its newline, or @dflt. */
static void read_line(const char *path, char *buf, size_t len, const char *dflt)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "%s", dflt);
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	else
		snprintf(buf, len, "%s", dflt);
	fclose(f);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon || (strncmp(line, "model name", 10) && strncmp(line, "Model", 5) &&
			       strncmp(line, "Hardware", 8)))
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

static void cpuid_facts(struct perf_env *env)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d))
		env->hypervisor_bit = !!(c & (1u << 31));
	if (env->hypervisor_bit) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(env->hypervisor, &b, 4);
		memcpy(env->hypervisor + 4, &c, 4);
		memcpy(env->hypervisor + 8, &d, 4);
		env->hypervisor[12] = 0;
		for (int i = 0; i < 12; i++)
			if (env->hypervisor[i] && (env->hypervisor[i] < 32 || env->hypervisor[i] > 126))
				env->hypervisor[i] = '?';
	}
	if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000007) {
		__cpuid(0x80000007, a, b, c, d);
		env->tsc_invariant = !!(d & (1u << 8));
	}
	env->guest_tcg = !strcmp(env->hypervisor, "TCGTCGTCGTCG");
#else
	(void)env;
#endif
}

/* Vendor and device ID of the PCI function in sysfs directory @dir, or -1. */
static int pci_id_at(const char *dir, char *id, size_t len)
{
	char p[320], vendor[16], device[16];

	snprintf(p, sizeof(p), "%s/vendor", dir);
	read_line(p, vendor, sizeof(vendor), "");
	snprintf(p, sizeof(p), "%s/device", dir);
	read_line(p, device, sizeof(device), "");
	if (!vendor[0] || !device[0])
		return -1;
	snprintf(id, len, "%.4s:%.4s", vendor + (strncmp(vendor, "0x", 2) ? 0 : 2),
		 device + (strncmp(device, "0x", 2) ? 0 : 2));
	return 0;
}

/* The only kind of SDXI function (class 0x120100) on the PCI bus, if one. */
static void pci_scan(struct perf_env *env)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	char dir[320], cls[16], id[16];

	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/class", e->d_name);
		read_line(dir, cls, sizeof(cls), "");
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		if (strcmp(cls, "0x120100") || pci_id_at(dir, id, sizeof(id)))
			continue;
		if (env->pci_id[0] && strcmp(env->pci_id, id)) {
			env->pci_id[0] = 0;	/* several kinds: cannot tell which */
			break;
		}
		snprintf(env->pci_id, sizeof(env->pci_id), "%s", id);
	}
	if (d)
		closedir(d);
}

/*
 * The PCI function behind a device node: through its char device number
 * (/sys/dev/char/MAJ:MIN/device), whatever its class is called; else the
 * bus scan above.
 */
static void pci_facts(struct perf_env *env, const char *path)
{
	char dir[320];
	struct stat st;

	if (!stat(path, &st) && S_ISCHR(st.st_mode))
		snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
			 minor(st.st_rdev));
	else
		dir[0] = 0;
	if (!dir[0] || pci_id_at(dir, env->pci_id, sizeof(env->pci_id)))
		pci_scan(env);
	env->device_qemu = !strcmp(env->pci_id, "1234:5d01");
}

static void driver_facts(struct perf_env *env)
{
	char v[64], src[64];

	if (env->device_soft) {
		snprintf(env->driver, sizeof(env->driver),
			 "none: the software device runs in this process (libsdxi engine thread)");
		return;
	}
	if (access("/sys/module/sdxi", F_OK)) {
		snprintf(env->driver, sizeof(env->driver), "sdxi.ko not loaded");
		return;
	}
	read_line("/sys/module/sdxi/version", v, sizeof(v), "");
	read_line("/sys/module/sdxi/srcversion", src, sizeof(src), "");
	snprintf(env->driver, sizeof(env->driver), "sdxi.ko%s%s%s%s, /dev/sdxiN ABI %u",
		 v[0] ? " " : "", v, src[0] ? " srcversion " : "", src,
		 env->have_info ? env->info.abi_version : 0);
}

/*
 * The mode contexts of this run get (--mode): a context is created in it
 * and asked (sdxi_ctx_mode()); "unavailable" when the device refuses it.
 */
static void mode_facts(struct perf_env *env, struct sdxi_dev *dev, const struct perf_cfg *cfg)
{
	struct sdxi_ctx_opts o = { .mode = cfg->mode };
	struct sdxi_ctx *ctx;

	snprintf(env->mode_asked, sizeof(env->mode_asked), "%s",
		 cfg->mode == SDXI_CTX_MODE_SVA ? "sva" :
		 cfg->mode == SDXI_CTX_MODE_PINNED ? "pinned" : "auto");
	snprintf(env->mode, sizeof(env->mode), "n/a");
	if (!dev)
		return;
	if (sdxi_ctx_create(dev, &o, &ctx)) {
		snprintf(env->mode, sizeof(env->mode), "unavailable");
		return;
	}
	snprintf(env->mode, sizeof(env->mode), "%s",
		 sdxi_ctx_mode(ctx) == SDXI_CTX_MODE_SVA ? "sva" : "pinned");
	sdxi_ctx_destroy(ctx);
}

/*
 * The offload policy of a context created with the defaults (what
 * sdxi_memcpy() would do on this device: measured, the software device's
 * fixed choice, or $SDXI_OFFLOAD_MIN), on one line.
 */
static void policy_facts(struct perf_env *env, struct sdxi_dev *dev)
{
	static const char *const src[] = { "not decided", "measured", "software device",
					   "$SDXI_OFFLOAD_MIN", "application" };
	const struct sdxi_policy *p = &env->pol;
	struct sdxi_ctx *ctx;
	char at[48];

	snprintf(env->policy, sizeof(env->policy), "n/a");
	if (!dev || sdxi_ctx_create(dev, NULL, &ctx))
		return;
	env->have_policy = !sdxi_ctx_policy(ctx, &env->pol);
	sdxi_ctx_destroy(ctx);
	if (!env->have_policy)
		return;
	if (p->offload_min == SDXI_OFFLOAD_NEVER)
		snprintf(at, sizeof(at), "always on the CPU");
	else if (p->offload_min == 0)
		snprintf(at, sizeof(at), "always on the device");
	else
		snprintf(at, sizeof(at), "on the device from %llu bytes",
			 (unsigned long long)p->offload_min);
	if (p->source == SDXI_POLICY_MEASURED)
		snprintf(env->policy, sizeof(env->policy),
			 "synchronous calls %s (measured: CPU %.2f GB/s, device %.2f GB/s + %llu ns)",
			 at, (double)p->cpu_bps / 1e9, (double)p->dev_bps / 1e9,
			 (unsigned long long)p->dev_fixed_ns);
	else
		snprintf(env->policy, sizeof(env->policy), "synchronous calls %s (%s)", at,
			 p->source < sizeof(src) / sizeof(src[0]) ? src[p->source] : "?");
}

void perf_env_collect(struct perf_env *env, int argc, char **argv,
		      const struct perf_cfg *cfg, struct sdxi_dev *dev)
{
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	size_t off = 0;
	char dev_part[160] = "", cpu_part[96];

	memset(env, 0, sizeof(*env));
	gmtime_r(&now, &tm);
	strftime(env->when, sizeof(env->when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < argc && off < sizeof(env->cmdline) - 1; i++)
		off += (size_t)snprintf(env->cmdline + off, sizeof(env->cmdline) - off, "%s%s",
					i ? " " : "", argv[i]);
	if (!uname(&u))
		snprintf(env->kernel, sizeof(env->kernel), "%s %s %s %s", u.sysname, u.release,
			 u.version, u.machine);
	cpu_model(env->cpu_model, sizeof(env->cpu_model));
	env->cpus_online = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", env->governor,
		  sizeof(env->governor), "n/a");
	read_line("/proc/sys/kernel/numa_balancing", env->numa_balancing,
		  sizeof(env->numa_balancing), "n/a");
	cpuid_facts(env);
#if defined(__x86_64__) || defined(__i386__)
	env->tick_source = "rdtsc";
#else
	env->tick_source = "clock_gettime";
#endif
	env->tick_hz = perf_tick_hz;
	env->timer_overhead_ns = perf_timer_overhead_ns();
	snprintf(env->lib, sizeof(env->lib), "libsdxi %d.%d (built against %d.%d)",
		 sdxi_lib_major(), sdxi_lib_minor(), SDXI_LIB_MAJOR, SDXI_LIB_MINOR);
	snprintf(env->build, sizeof(env->build), "%s", PERF_BUILD);
	if (dev && !sdxi_dev_info(dev, &env->info))
		env->have_info = 1;
	snprintf(env->device, sizeof(env->device), "%s",
		 env->have_info ? env->info.path : cfg->device ? cfg->device : "default");
	env->device_soft = env->have_info && (env->info.flags & SDXI_DEV_SOFT);
	if (env->have_info && !env->device_soft)
		pci_facts(env, env->info.path);
	driver_facts(env);
	snprintf(env->isolation, sizeof(env->isolation), "%s",
		 !env->have_info ? "n/a" :
		 env->info.isolation == SDXI_ISOLATE_PASID ? "PASID (IOVA == VA)" :
		 env->info.isolation == SDXI_ISOLATE_NONE ? "none (bus addresses)" :
		 env->info.isolation == SDXI_ISOLATE_SVA ? "SVA" : "unknown");

	policy_facts(env, dev);
	mode_facts(env, dev, cfg);

	if (env->guest_tcg)
		snprintf(cpu_part, sizeof(cpu_part), "CPU emulated by QEMU TCG");
	else if (env->hypervisor_bit)
		snprintf(cpu_part, sizeof(cpu_part), "CPU virtualized (hypervisor \"%s\")",
			 env->hypervisor);
	else
		snprintf(cpu_part, sizeof(cpu_part), "CPU native");
	if (env->device_soft)
		snprintf(dev_part, sizeof(dev_part),
			 "device is the software device (engine thread on this CPU)");
	else if (env->device_qemu)
		snprintf(dev_part, sizeof(dev_part),
			 "device is the QEMU SDXI model %s (engine native in the host's QEMU)",
			 env->pci_id);
	else if (env->pci_id[0])
		snprintf(dev_part, sizeof(dev_part), "device %s", env->pci_id);
	else
		snprintf(dev_part, sizeof(dev_part), "device %s", env->device);
	snprintf(env->emulation, sizeof(env->emulation), "%s; %s", cpu_part, dev_part);
}
