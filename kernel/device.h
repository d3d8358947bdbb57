/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bring-up, recovery and teardown of a function (device.c), called by the
 * bus glue (Documentation/driver.rst, "Layers").
 */
#ifndef _SDXI_DEVICE_H
#define _SDXI_DEVICE_H

struct device;
struct sdxi_bus_ops;
struct sdxi_fn;

struct sdxi_fn *sdxi_register(struct device *dev, const struct sdxi_bus_ops *ops);
void sdxi_remove(struct device *dev);
void sdxi_shutdown(struct device *dev);

#endif /* _SDXI_DEVICE_H */
