// SPDX-License-Identifier: GPL-2.0
/*
 * PCI glue for SDXI functions (Documentation/hardware.rst, "Identity").
 *
 * Functions are matched by class code alone (0x120100, processing
 * accelerator / SNIA SDXI); there is no vendor or device ID to match.
 * BAR0 holds the control registers, BAR2 the doorbells.  MSI-X vector 0 is
 * the error log; the others are for completion interrupts.  Everything is
 * managed (pcim/devm).  This is the top of the driver's layers
 * (Documentation/driver.rst, "Layers"): probe brings the function up
 * (device.c), then registers its clients, the dmaengine provider and
 * /dev/sdxiN; remove takes them down in the reverse order.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "cdev.h"
#include "device.h"
#include "dma.h"
#include "sdxi.h"
#include "sysfs.h"

#define SDXI_BAR_CTL		0
#define SDXI_BAR_DB		2

/*
 * Vectors we use: the error log, one per dmaengine channel and one per
 * user context that asks for completion interrupts, at most.
 */
#define SDXI_PCI_MAX_VECTORS	128

static int sdxi_pci_init(struct sdxi_fn *sdxi)
{
	struct pci_dev *pdev = to_pci_dev(sdxi->dev);
	struct device *dev = &pdev->dev;
	int nvec, err;

	sdxi->ctl_regs = pcim_iomap_region(pdev, SDXI_BAR_CTL, SDXI_DRV_NAME);
	if (IS_ERR(sdxi->ctl_regs))
		return dev_err_probe(dev, PTR_ERR(sdxi->ctl_regs),
				     "mapping control registers (BAR %d)\n",
				     SDXI_BAR_CTL);
	if (pci_resource_len(pdev, SDXI_BAR_CTL) < SDXI_MMIO_ERR_RD + 8)
		return dev_err_probe(dev, -ENODEV, "control BAR too small\n");

	sdxi->dbs = pcim_iomap_region(pdev, SDXI_BAR_DB, SDXI_DRV_NAME);
	if (IS_ERR(sdxi->dbs))
		return dev_err_probe(dev, PTR_ERR(sdxi->dbs),
				     "mapping doorbells (BAR %d)\n", SDXI_BAR_DB);
	sdxi->dbs_len = pci_resource_len(pdev, SDXI_BAR_DB);
	sdxi->dbs_phys = pci_resource_start(pdev, SDXI_BAR_DB);

	err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (err)
		return dev_err_probe(dev, err, "no 64-bit DMA\n");
	pci_set_master(pdev);

	/* Managed: freed by pcim after the core's teardown. */
	nvec = pci_alloc_irq_vectors(pdev, 1, SDXI_PCI_MAX_VECTORS,
				     PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (nvec < 0)
		return dev_err_probe(dev, nvec, "allocating interrupt vectors\n");
	sdxi->nr_vectors = nvec;
	return 0;
}

static int sdxi_pci_get_irq(struct sdxi_fn *sdxi, unsigned int vector)
{
	return pci_irq_vector(to_pci_dev(sdxi->dev), vector);
}

static const struct sdxi_bus_ops sdxi_pci_ops = {
	.init = sdxi_pci_init,
	.get_irq = sdxi_pci_get_irq,
};

static int sdxi_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct sdxi_fn *sdxi;
	int err;

	err = pcim_enable_device(pdev);
	if (err)
		return dev_err_probe(&pdev->dev, err, "enabling device\n");
	sdxi = sdxi_register(&pdev->dev, &sdxi_pci_ops);
	if (IS_ERR(sdxi))
		return PTR_ERR(sdxi);
	/* Clients last: devres removes /dev/sdxiN, then the provider. */
	return sdxi_dma_register(sdxi) ?: sdxi_cdev_register(sdxi);
}

static void sdxi_pci_remove(struct pci_dev *pdev)
{
	struct sdxi_fn *sdxi = pci_get_drvdata(pdev);

	/*
	 * VFs first; then /dev/sdxiN, whose user contexts hold PASIDs the
	 * driver core wants detached before devres runs; devres then tears
	 * down the provider and the function.
	 */
	pci_disable_sriov(pdev);
	if (sdxi)
		sdxi_cdev_remove(sdxi);
	sdxi_remove(&pdev->dev);
}

static void sdxi_pci_shutdown(struct pci_dev *pdev)
{
	sdxi_shutdown(&pdev->dev);
}

static const struct pci_device_id sdxi_pci_ids[] = {
	{ PCI_DEVICE_CLASS(SDXI_PCI_CLASS, 0xffffff) },
	{ }
};
MODULE_DEVICE_TABLE(pci, sdxi_pci_ids);

static struct pci_driver sdxi_pci_driver = {
	.name = SDXI_DRV_NAME,
	.id_table = sdxi_pci_ids,
	.probe = sdxi_pci_probe,
	.remove = sdxi_pci_remove,
	.shutdown = sdxi_pci_shutdown,
	.sriov_configure = pci_sriov_configure_simple,
	.dev_groups = sdxi_groups,
};

static int __init sdxi_pci_init_module(void)
{
	int err;

	err = sdxi_cdev_init();
	if (err)
		return err;
	err = pci_register_driver(&sdxi_pci_driver);
	if (err)
		sdxi_cdev_exit();
	return err;
}
module_init(sdxi_pci_init_module);

static int sdxi_pci_disable_vfs(struct device *dev, void *data)
{
	pci_disable_sriov(to_pci_dev(dev));
	return 0;
}

static void __exit sdxi_pci_exit_module(void)
{
	/*
	 * VFs first, under the rescan/remove lock that removing their pci_devs
	 * needs: the PCI core holds it around sriov_configure and device
	 * removal, but unbinding the driver does not take it.
	 */
	pci_lock_rescan_remove();
	WARN_ON(driver_for_each_device(&sdxi_pci_driver.driver, NULL, NULL,
				       sdxi_pci_disable_vfs));
	pci_unlock_rescan_remove();
	pci_unregister_driver(&sdxi_pci_driver);
	sdxi_cdev_exit();
	sdxi_dma_exit();
}
module_exit(sdxi_pci_exit_module);

MODULE_DESCRIPTION("SNIA SDXI 1.0 data mover driver");
MODULE_AUTHOR("sdxi project");
MODULE_LICENSE("GPL");
