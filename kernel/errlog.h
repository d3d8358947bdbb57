/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The error log (error.c; SDXI 1.0 "Error Log Initialization" and "Error
 * Log Processing by Software"; Documentation/driver.rst, "Error log").
 */
#ifndef _SDXI_ERRLOG_H
#define _SDXI_ERRLOG_H

struct sdxi_fn;

int sdxi_errlog_alloc(struct sdxi_fn *sdxi);
void sdxi_errlog_free(struct sdxi_fn *sdxi);
void sdxi_errlog_hw_init(struct sdxi_fn *sdxi);
void sdxi_errlog_hw_disable(struct sdxi_fn *sdxi);
int sdxi_errlog_request_irq(struct sdxi_fn *sdxi);

#endif /* _SDXI_ERRLOG_H */
