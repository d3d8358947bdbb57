// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events of sdxi.ko, instantiated once (trace.h).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
