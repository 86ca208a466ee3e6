// SPDX-License-Identifier: GPL-2.0
/* swapdrain: the tracepoints' definitions (include/swapdrain_trace.h). */
#include "swapdrain.h"

#define CREATE_TRACE_POINTS
#include "swapdrain_trace.h"
