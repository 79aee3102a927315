/*
 * sweep_report.h - the report of a sweep (the table on stdout, the CSV
 * files, gnuplot data and script in --out DIR), rendered from one
 * description of the results, struct sweep_data, whoever filled it: the
 * live sweep (sweep_out.c, from the workers' results) or `vnetsim sweep
 * report DB` (sweep_load.c, from the sweep tables of a database, possibly
 * merged from shards).  One renderer for both, so a merged database
 * reports exactly what the unsharded sweep printed and wrote.
 *
 * Invariant: the renderers read only struct sweep_data (or a capacity
 * result), never the study base; everything in it survives a round trip
 * through the database (doubles are stored as SQLite REAL, 8-byte IEEE,
 * times as integer milliseconds).  Ownership: the data's arrays and
 * strings belong to whoever filled it (sweep_data_fini frees the arrays,
 * the strings are borrowed from a study base or a string pool).  Output
 * files are written as NAME.tmp and renamed when complete.
 */
#ifndef TOOLS_SWEEP_REPORT_H
#define TOOLS_SWEEP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prefix.h"
#include "render.h"
#include "study.h"
#include "study_capacity.h"

/* One variant (an enumerate failure, a monte-carlo run). */
struct sweep_vrow {
	uint64_t variant;
	int status;
	uint64_t losses, subnets, nics, dests_bh, dests_lost;
	double max_bh_s, max_lost_s, score, unprog_vm_s;
	uint64_t flows_broken;         /* with rank_flows: RULES 1.11.7 */
	const char *label, *klass;     /* borrowed */
};

/* A monte-carlo black hole: run `run` (position in rows) black-holed dest
 * for subnet (index in subnets) during bh_s seconds. */
struct sweep_sample {
	uint32_t subnet;
	struct prefix dest;
	uint64_t run;
	double bh_s;
};

struct sweep_data {
	enum study_kind kind;          /* enumerate or monte-carlo */
	bool rank_flows;               /* sweep --rank-by flows: ranked, and a column */
	struct sweep_vrow *rows;       /* in variant order */
	size_t nrows;
	struct sweep_sample *samples;  /* monte-carlo: in any order */
	size_t nsamples, scap;
	double *fail_s;                /* monte-carlo: black-hole seconds per failure, run order */
	size_t nfail, fcap;
	const char *const *subnets;    /* subnet ids by index (borrowed) */
	size_t nsubnets;
};

void sweep_data_fini(struct sweep_data *d); /* frees rows, samples, fail_s */

/* An output file written to DIR/NAME.tmp and renamed by close(keep). */
struct sweep_file {
	FILE *f;
	char *path, *tmp;
};
int sweep_file_open(struct sweep_file *of, const char *dir, const char *name);
int sweep_file_close(struct sweep_file *of, bool keep);
int sweep_mkdir(const char *dir);

/* Rows of the --out files streamed while the results come in (or read
 * back from a database): impact.csv and failures.csv with their headers. */
void sweep_impact_header(FILE *f);
void sweep_impact_row(FILE *f, uint64_t variant, const char *label, const char *subnet,
		      const char *dest, uint64_t nics, int64_t bh_ms, int64_t lost_ms,
		      int64_t changed_ms);
void sweep_failure_header(FILE *f);
void sweep_failure_row(FILE *f, uint64_t variant, uint64_t seq, const char *target, int64_t at_ms,
		       int64_t repair_ms, int64_t phase_ms, int64_t bh_ms);

/* The table on stdout in fmt and, with dir, its CSV file, the plot data
 * and script.  Sorts d's samples.  0 or 3. */
int sweep_report_render(struct sweep_data *d, enum render_format fmt, const char *dir);

/* A capacity study's table on stdout and, with dir, capacity.csv, the
 * growth-*.csv files and the plot.  0 or 3. */
int sweep_report_capacity(const struct study_capacity_result *res, enum render_format fmt,
			  const char *dir);
/* The notes cell of a limit: "spokes: ...; vms: ...", "-" when none. */
void sweep_capacity_notes(char *buf, size_t len, const struct study_limit *x);

#endif
