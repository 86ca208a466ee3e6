/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapdrain tracepoints: events/swapdrain/ in tracefs, for trace-cmd and
 * perfetto.  Fields are plain integers and the task's pid and comm.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM swapdrain

#if !defined(_SWAPDRAIN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SWAPDRAIN_TRACE_H

#include <linux/tracepoint.h>
#include <linux/sched.h>

/* An exiting task handed nr entries to the module. */
TRACE_EVENT(swapdrain_defer,
	    TP_PROTO(unsigned long swp, int nr),
	    TP_ARGS(swp, nr),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(unsigned long, swp)
			     __field(int, nr)),
	    TP_fast_assign(__entry->pid = current->pid;
			   memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
			   __entry->swp = swp;
			   __entry->nr = nr;),
	    TP_printk("pid=%d comm=%s swp=%lx nr=%d", __entry->pid,
		      __entry->comm, __entry->swp, __entry->nr)
);

/* An exiting task's call ran synchronously; reason is the stats name. */
TRACE_EVENT(swapdrain_fallback,
	    TP_PROTO(int reason, int nr),
	    TP_ARGS(reason, nr),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(int, reason)
			     __field(int, nr)),
	    TP_fast_assign(__entry->pid = current->pid;
			   memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
			   __entry->reason = reason;
			   __entry->nr = nr;),
	    TP_printk("pid=%d comm=%s reason=%s nr=%d", __entry->pid,
		      __entry->comm,
		      __print_symbolic(__entry->reason,
				       { SD_FALLBACK_FULL, "full" },
				       { SD_FALLBACK_BOUND, "bound" },
				       { SD_FALLBACK_AGE, "age" },
				       { SD_FALLBACK_SWAP_LOW, "swap_low" },
				       { SD_FALLBACK_SWAPOFF, "swapoff" }),
		      __entry->nr)
);

/* A batch went to a node's drain queue. */
TRACE_EVENT(swapdrain_queue,
	    TP_PROTO(int node, unsigned int items, unsigned int entries),
	    TP_ARGS(node, items, entries),
	    TP_STRUCT__entry(__field(int, node)
			     __field(unsigned int, items)
			     __field(unsigned int, entries)),
	    TP_fast_assign(__entry->node = node;
			   __entry->items = items;
			   __entry->entries = entries;),
	    TP_printk("node=%d items=%u entries=%u", __entry->node,
		      __entry->items, __entry->entries)
);

/* A drain freed items of a batch: calls, entries, time (items, entries, ns). */
TRACE_EVENT(swapdrain_drain_batch,
	    TP_PROTO(int node, unsigned int items, unsigned int entries, u64 ns),
	    TP_ARGS(node, items, entries, ns),
	    TP_STRUCT__entry(__field(int, node)
			     __field(unsigned int, items)
			     __field(unsigned int, entries)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->node = node;
			   __entry->items = items;
			   __entry->entries = entries;
			   __entry->ns = ns;),
	    TP_printk("node=%d items=%u entries=%u ns=%llu", __entry->node,
		      __entry->items, __entry->entries, __entry->ns)
);

#endif /* _SWAPDRAIN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE swapdrain_trace
#include <trace/define_trace.h>
