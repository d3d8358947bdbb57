/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of sdxi.ko (Documentation/driver.rst, "Trace events").
 *
 * What a user can provoke (its contexts' errors, their error-log records,
 * state changes) is reported here rather than in the kernel log.  Every
 * event names the function by its device name, a channel by its dmaengine
 * name and a context by its ID (0 is the admin context).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sdxi

#if !defined(_SDXI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SDXI_TRACE_H

#include <linux/device.h>
#include <linux/dmaengine.h>
#include <linux/tracepoint.h>

#include "hwstruct.h"

#define sdxi_show_dma_result(r)						\
	__print_symbolic(r,						\
			 { DMA_TRANS_NOERROR, "ok" },			\
			 { DMA_TRANS_READ_FAILED, "read_failed" },	\
			 { DMA_TRANS_WRITE_FAILED, "write_failed" },	\
			 { DMA_TRANS_ABORTED, "aborted" })

/* A dmaengine copy written to its channel's ring at slot @index. */
TRACE_EVENT(sdxi_dma_submit,
	    TP_PROTO(struct dma_chan *chan, u16 cxt, dma_cookie_t cookie,
		     u64 index, u64 src, u64 dst, u64 len),
	    TP_ARGS(chan, cxt, cookie, index, src, dst, len),
	    TP_STRUCT__entry(__string(chan, dma_chan_name(chan))
			     __field(u16, cxt)
			     __field(dma_cookie_t, cookie)
			     __field(u64, index)
			     __field(u64, src)
			     __field(u64, dst)
			     __field(u64, len)),
	    TP_fast_assign(__assign_str(chan);
			   __entry->cxt = cxt;
			   __entry->cookie = cookie;
			   __entry->index = index;
			   __entry->src = src;
			   __entry->dst = dst;
			   __entry->len = len;),
	    TP_printk("%s cxt=%u cookie=%d index=%llu src=%#llx dst=%#llx len=%llu",
		      __get_str(chan), __entry->cxt, __entry->cookie,
		      __entry->index, __entry->src, __entry->dst, __entry->len)
);

/*
 * A dmaengine copy finished: completed by its block (ok, or read_failed /
 * write_failed after an error), or aborted (terminate, reset, recovery,
 * unbind).  @index means nothing for a copy never issued (@issued 0).
 */
TRACE_EVENT(sdxi_dma_complete,
	    TP_PROTO(struct dma_chan *chan, dma_cookie_t cookie, u64 index,
		     bool issued, enum dmaengine_tx_result result),
	    TP_ARGS(chan, cookie, index, issued, result),
	    TP_STRUCT__entry(__string(chan, dma_chan_name(chan))
			     __field(dma_cookie_t, cookie)
			     __field(u64, index)
			     __field(bool, issued)
			     __field(int, result)),
	    TP_fast_assign(__assign_str(chan);
			   __entry->cookie = cookie;
			   __entry->index = index;
			   __entry->issued = issued;
			   __entry->result = result;),
	    TP_printk("%s cookie=%d index=%llu issued=%d result=%s",
		      __get_str(chan), __entry->cookie, __entry->index,
		      __entry->issued, sdxi_show_dma_result(__entry->result))
);

/*
 * A context changed state in software: "running" (started with R := 0),
 * "resumed" (started after a failed descriptor), "reset" (its ring is
 * being emptied), "error" (the error log reported it stopped), "destroy".
 * @err is the outcome of the change (0: done).
 */
TRACE_EVENT(sdxi_cxt_state,
	    TP_PROTO(struct device *dev, u16 cxt, bool user, const char *state,
		     int err),
	    TP_ARGS(dev, cxt, user, state, err),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u16, cxt)
			     __field(bool, user)
			     __string(state, state)
			     __field(int, err)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->cxt = cxt;
			   __entry->user = user;
			   __assign_str(state);
			   __entry->err = err;),
	    TP_printk("%s cxt=%u user=%d state=%s err=%d", __get_str(dev),
		      __entry->cxt, __entry->user, __get_str(state),
		      __entry->err)
);

/*
 * One admin descriptor (SDXI 1.0 6.3) completed on the admin ring:
 * @subtype in the admin operation group, @index its slot, @err 0 or the
 * errno its block reported.
 */
TRACE_EVENT(sdxi_admin,
	    TP_PROTO(struct device *dev, u8 subtype, u64 index, int err),
	    TP_ARGS(dev, subtype, index, err),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u8, subtype)
			     __field(u64, index)
			     __field(int, err)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->subtype = subtype;
			   __entry->index = index;
			   __entry->err = err;),
	    TP_printk("%s subtype=%#x index=%llu err=%d", __get_str(dev),
		      __entry->subtype, __entry->index, __entry->err)
);

/*
 * One decoded error-log record (SDXI 1.0 4.4).  cxt, dsc_index and buf
 * are -1 when the record does not carry them (cv, div, bv clear).
 */
TRACE_EVENT(sdxi_errlog,
	    TP_PROTO(struct device *dev, const struct sdxi_err_rec *rec),
	    TP_ARGS(dev, rec),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(int, cxt)
			     __field(s64, dsc_index)
			     __field(u8, step)
			     __field(u8, sub_step)
			     __field(u8, re)
			     __field(int, buf)
			     __field(u16, reason)
			     __field(u64, addr)
			     __string(reason_name, sdxi_reason_name(rec->reason))),
	    TP_fast_assign(__assign_str(dev);
			   __entry->cxt = rec->cv ? rec->cxt : -1;
			   __entry->dsc_index = rec->div ? (s64)rec->dsc_index : -1;
			   __entry->step = rec->step;
			   __entry->sub_step = rec->sub_step;
			   __entry->re = rec->re;
			   __entry->buf = rec->bv ? rec->buf : -1;
			   __entry->reason = rec->reason;
			   __entry->addr = rec->addr;
			   __assign_str(reason_name);),
	    TP_printk("%s cxt=%d dsc_index=%lld step=%u sub_step=%u re=%u buf=%d reason=%u (%s) addr=%#llx",
		      __get_str(dev), __entry->cxt, __entry->dsc_index,
		      __entry->step, __entry->sub_step, __entry->re,
		      __entry->buf, __entry->reason, __get_str(reason_name),
		      __entry->addr)
);

/*
 * Function recovery: "begin" (@gsv: the STS0.fn_gsv it starts from),
 * "done", or "failed" with @err.
 */
TRACE_EVENT(sdxi_recovery,
	    TP_PROTO(struct device *dev, const char *phase, u8 gsv, int err),
	    TP_ARGS(dev, phase, gsv, err),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __string(phase, phase)
			     __field(u8, gsv)
			     __field(int, err)),
	    TP_fast_assign(__assign_str(dev);
			   __assign_str(phase);
			   __entry->gsv = gsv;
			   __entry->err = err;),
	    TP_printk("%s phase=%s gsv=%u err=%d", __get_str(dev),
		      __get_str(phase), __entry->gsv, __entry->err)
);

#endif /* _SDXI_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
