/*
 * run_text.h - the timeline of `vnetsim run` as text (tools/cli/cmd_run.c).
 *
 * Two forms:
 *  - the summary (the default), sized for a person: one line per change
 *    (a time and cause) with the subnets and NICs it reached, the rows
 *    removed and added and the first few names.  Subnets whose change
 *    differs only in the shared BGP rows (the domain's routes, which each
 *    subnet may show slightly differently: hidden under a VNet prefix,
 *    Invalid under a User route) are one group, described once with the
 *    BGP row counts (a range when they differ); a change seen in several
 *    ways lists one indented line per way.  Output grows with the number of
 *    changes and ways, never with the rows or the NICs.
 *  - the detail (--detail): every folded change with its rows, as
 *    timeline.h folds them.
 * Both walk timeline_fold_blocks once, holding one block's folds.
 *
 * Ownership: borrows the run; writes to the FILE given.
 */
#ifndef TOOLS_RUN_TEXT_H
#define TOOLS_RUN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "run.h"

#define RUN_TEXT_NAMES_SUMMARY 5       /* names shown per line by default */
#define RUN_TEXT_NAMES_DETAIL 8

struct run_text_opts {
	bool detail;
	size_t max_names;              /* names listed per line before "and N more" */
};

/* What the timeline held, for the scenario's closing summary. */
struct run_text_totals {
	size_t changes;                /* (time, cause) blocks with a visible change */
	size_t subnets;                /* subnet tables changed, summed over changes */
	size_t nics;                   /* NIC views changed, summed over changes */
	size_t removed, added;         /* rows, summed over the subnets changed */
};

/* Prints "  timeline: ..." and the changes.  0, or -1 out of memory (the
 * caller notes the timeline is incomplete). */
int run_text_timeline(const struct run *r, const struct run_text_opts *o, FILE *out,
		      struct run_text_totals *t);

#endif
