// SPDX-License-Identifier: GPL-2.0
/*
 * sdxi_debug_canary.ko: one deliberate bug of each class the debug tier
 * must catch, so that make check-debug proves its net holds: a kmemleak
 * leak, a KASAN slab out-of-bounds read, a UBSAN shift out of bounds, a
 * lockdep lock-order inversion and a DMA mapping of the SDXI function
 * unmapped with the wrong size (DMA-API debug).  Loaded only in its own
 * VM run (debug-canary), whose log tools/vm/debug-scan must find guilty
 * of every class.  Built only against a kernel with kmemleak (the debug
 * kernel); init fails with -EAGAIN so the module never stays loaded.
 */
#include <linux/compiler.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <linux/sdxi_hw.h>
#include <sdxi/function.h>

static void *canary_leak;
static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);

static void canary_kmemleak(void)
{
	/* The only reference is dropped: unreferenced at the next scan. */
	WRITE_ONCE(canary_leak, kmalloc(96, GFP_KERNEL));
	WRITE_ONCE(canary_leak, NULL);
}

static void canary_kasan(void)
{
	char *p = kmalloc(8, GFP_KERNEL);
	size_t i = 8;

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(i);
	pr_info("sdxi canary: out-of-bounds byte %d\n", READ_ONCE(p[i]));
	kfree(p);
}

static void canary_ubsan(void)
{
	unsigned int shift = 40;
	int one = 1;

	OPTIMIZER_HIDE_VAR(shift);
	pr_info("sdxi canary: shifted %d\n", one << shift);
}

static void canary_lockdep(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);
	/* The other order: a possible deadlock, never a real one here. */
	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
}

/*
 * A mapping for the function unmapped with another size than it was
 * mapped with: DMA-API debug reports it on every architecture.  (The
 * same buffer mapped twice, reported by 6.12, is not by 7.3 where DMA is
 * cache-coherent, x86 included.)
 */
static void canary_dma_api(void)
{
	struct pci_dev *pdev = pci_get_class(SDXI_PCI_CLASS, NULL);
	dma_addr_t a;
	void *buf;

	if (!pdev)
		return;
	buf = kmalloc(256, GFP_KERNEL);
	if (buf) {
		a = dma_map_single(&pdev->dev, buf, 256, DMA_BIDIRECTIONAL);
		if (!dma_mapping_error(&pdev->dev, a))
			dma_unmap_single(&pdev->dev, a, 128, DMA_BIDIRECTIONAL);
		kfree(buf);
	}
	pci_dev_put(pdev);
}

/* KASAN's report turns lockdep off (LOCKDEP_NOW_UNRELIABLE): it is last. */
static int __init canary_init(void)
{
	canary_lockdep();
	canary_dma_api();
	canary_kmemleak();
	canary_ubsan();
	canary_kasan();
	return -EAGAIN;
}
module_init(canary_init);

MODULE_DESCRIPTION("Deliberate bugs that the sdxi debug tier must report");
MODULE_LICENSE("GPL");
