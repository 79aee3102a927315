/*
 * test_study_json.c - reading study files (tools/cli/study_json.c): the
 * defaults an absent key keeps, each kind's keys, `at` as a label or a
 * time, and a diagnostic at the JSON path of every bad value.
 */
#include <criterion/criterion.h>

#include "helpers.h"
#include "study.h"
#include "study_json.h"

/* The study of a single-quoted JSON text, or NULL with the diagnostics in d. */
static struct study *read_sq(const char *sq, struct diag *d, bool *io)
{
	char path[] = "/tmp/test_study_XXXXXX";
	temp_file_put_sq(path, sq);
	*io = false;
	struct study *st = study_json_load(path, d, io);
	unlink(path);
	return st;
}

static struct study *read_ok(const char *sq)
{
	struct diag *d = diag_create();
	bool io;
	struct study *st = read_sq(sq, d, &io);
	if (!st)
		diag_dump(d);
	cr_assert_not_null(st, "%s", sq);
	cr_assert_eq(diag_count(d, DIAG_WARNING), 0);
	diag_destroy(d);
	return st;
}

Test(study_json, absent_keys_keep_the_defaults)
{
	struct study *st = read_ok("{'kind': 'enumerate'}");
	struct study *def = study_create("x.json");
	cr_assert_not_null(def);
	cr_assert_eq(st->kind, STUDY_ENUMERATE);
	cr_assert_null(st->name);
	cr_assert_null(st->at);
	cr_assert_eq(st->at_ms, -1);
	cr_assert_eq(st->window_ms, def->window_ms);
	cr_assert_eq(st->window_ms, 30 * 60 * 1000);
	cr_assert_eq(st->repair_ms, -1);
	cr_assert_eq(st->failures, STUDY_F_ALL);
	cr_assert(st->silent && st->graceful && !st->detail);
	study_destroy(def);
	study_destroy(st);
}

Test(study_json, each_kind_reads_its_keys)
{
	struct study *e = read_ok("{'kind': 'enumerate', 'name': 'n', 'window': '10m', "
				  "'repairAfter': 90, 'failures': ['nva', 'peering'], "
				  "'modes': ['graceful'], 'detail': true}");
	cr_assert_str_eq(e->name, "n");
	cr_assert_eq(e->window_ms, 600000);
	cr_assert_eq(e->repair_ms, 90000);
	cr_assert_eq(e->failures, STUDY_F_NVA | STUDY_F_PEERING);
	cr_assert(!e->silent && e->graceful && e->detail);
	study_destroy(e);
	struct study *m = read_ok("{'kind': 'monte-carlo', 'runs': 12, 'seed': 9, 'mtbf': '48h', "
				  "'repairMedian': '20m', 'repairSigma': 0.5, 'mode': 'graceful', "
				  "'keepalivePhase': false, 'horizon': '7200s', "
				  "'targets': ['ars/nva1', 'branch']}");
	cr_assert_eq(m->kind, STUDY_MONTE_CARLO);
	cr_assert_eq(m->runs, 12);
	cr_assert_eq(m->seed, 9);
	cr_assert_float_eq(m->mtbf_s, 48 * 3600.0, 1e-9);
	cr_assert_float_eq(m->repair_median_s, 1200.0, 1e-9);
	cr_assert_float_eq(m->repair_sigma, 0.5, 1e-12);
	cr_assert(m->mc_graceful && !m->keepalive_phase);
	cr_assert_eq(m->horizon_ms, 7200000);
	cr_assert_eq(m->ntargets, 2);
	cr_assert_str_eq(m->targets[1], "branch");
	study_destroy(m);
	struct study *c = read_ok("{'kind': 'capacity', 'grow': ['vms', 'onPremPrefixes'], "
				  "'maxSteps': 40}");
	cr_assert_eq(c->kind, STUDY_CAPACITY);
	cr_assert_eq(c->grow, STUDY_G_VMS | STUDY_G_ONPREM);
	cr_assert_eq(c->max_steps, 40);
	study_destroy(c);
}

Test(study_json, at_is_a_label_and_maybe_a_time)
{
	static const struct {
		const char *at;
		int64_t ms;
	} cases[] = { { "baseline", -1 }, { "90s", 90000 }, { "1.5m", 90000 }, { "0", 0 },
		      { "start", -1 },    { "5", 5000 } };
	for (size_t i = 0; i < NELEM(cases); i++) {
		char sq[128];
		snprintf(sq, sizeof(sq), "{'kind': 'enumerate', 'at': '%s'}", cases[i].at);
		struct study *st = read_ok(sq);
		cr_assert_str_eq(st->at, cases[i].at);
		cr_assert_eq(st->at_ms, cases[i].ms, "%s", cases[i].at);
		study_destroy(st);
	}
}

Test(study_json, every_bad_value_is_reported_at_its_path)
{
	static const struct {
		const char *sq, *path, *what; /* what: in the message (NULL: anything) */
	} cases[] = {
		{ "{'kind': 'sideways'}", "$.kind", NULL },
		{ "{'name': 'no kind'}", "$", "\"kind\"" },
		{ "{'kind': 'monte-carlo', 'mtbf': '1h'}", "$", "\"runs\"" },
		{ "{'kind': 'monte-carlo', 'runs': 2}", "$.mtbf", NULL },
		{ "{'kind': 'monte-carlo', 'runs': 2, 'mtbf': '1h', 'targets': []}", "$.targets",
		  NULL },
		{ "{'kind': 'monte-carlo', 'runs': 2, 'mtbf': '1h', 'targets': [3]}",
		  "$.targets[0]", NULL },
		{ "{'kind': 'monte-carlo', 'runs': 2, 'mtbf': '1h', 'repairSigma': 11}",
		  "$.repairSigma", NULL },
		{ "{'kind': 'monte-carlo', 'runs': 2, 'mtbf': '1h', 'mode': 'loud'}", "$.mode", NULL },
		{ "{'kind': 'enumerate', 'failures': ['nva', 'meteor']}", "$.failures[1]", NULL },
		{ "{'kind': 'enumerate', 'failures': []}", "$.failures", NULL },
		{ "{'kind': 'enumerate', 'window': -5}", "$.window", NULL },
		{ "{'kind': 'enumerate', 'repairAfter': '0s'}", "$.repairAfter", NULL },
		{ "{'kind': 'capacity', 'maxSteps': 0}", "$.maxSteps", NULL },
		{ "[1]", "$", NULL },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct diag *d = diag_create();
		bool io;
		struct study *st = read_sq(cases[i].sq, d, &io);
		cr_assert_null(st, "%s", cases[i].sq);
		cr_assert_not(io);
		cr_assert_not_null(diag_find(d, DIAG_ERROR, cases[i].path, cases[i].what),
				   "%s: want %s", cases[i].sq, cases[i].path);
		diag_destroy(d);
	}
	/* An unknown key is a warning only. */
	struct diag *d = diag_create();
	bool io;
	struct study *st = read_sq("{'kind': 'capacity', 'colour': 'red'}", d, &io);
	cr_assert_not_null(st);
	cr_assert_not_null(diag_find(d, DIAG_WARNING, "$.colour", NULL));
	study_destroy(st);
	diag_destroy(d);
	/* A missing file is reported, not an I/O failure (as for scenarios). */
	d = diag_create();
	io = false;
	cr_assert_null(study_json_load("/nonexistent/study.json", d, &io));
	cr_assert_gt(diag_count(d, DIAG_ERROR), 0);
	diag_destroy(d);
}
