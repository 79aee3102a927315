/*
 * test_sweep_out.c - running a study and reporting it (tools/cli/sweep_out.c):
 * the table on stdout as CSV, JSON and JSON lines, the files of --out
 * (written whole or not at all), and the reports of the three kinds of
 * study, through sweep_run.
 *
 * Network: hub 10.0.0.0/16 with a Route Server and two NVAs (nva1
 * 10.0.1.4, nva2 10.0.1.5) advertising 10.100.0.0/16 with equal paths
 * (ECMP); subnets RouteServerSubnet (no NIC), nva (2 NICs), app (3); spoke
 * "s" (web, 4 NICs) uses the hub's Route Server; hold time 9 s.
 *
 * Expected enumerate figures, from RULES 1.8 and the study's definitions
 * (models/studies/study.h), window 60 s, no repair:
 *  - silent crash of an NVA: its next hop stays programmed until the hold
 *    timer expires, 9 s later: 10.100.0.0/16 black-holed 9 s in each of
 *    the 4 subnets, then carried by the other NVA (Active rows changed for
 *    the remaining 51 s); score 9 s x 9 NICs = 81 NIC-s; one session lost;
 *  - graceful shutdown: withdrawn at once, never black-holed; the rows
 *    changed the whole 60 s; score 0; one session lost.
 * Ranked by score, ties by variant: nva1 silent (0), nva2 silent (2), nva1
 * graceful (1), nva2 graceful (3).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "capture.h"
#include "study.h"
#include "study_json.h"
#include "sweep_out.h"
#include "testfs.h"

#define SCENARIO_TEXT                                                                          \
	"{ 'schemaVersion': 1, 'name': 'sweep-test',"                                          \
	"  'settings': { 'bgpHoldSeconds': 9, 'bgpKeepaliveSeconds': 3 },"                     \
	"  'topology': { 'virtualNetworks': ["                                                 \
	"    { 'name': 'hub', 'location': 'westeurope',"                                       \
	"      'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                        \
	"      'subnets': [ { 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' }," \
	"                   { 'name': 'nva', 'addressPrefix': '10.0.1.0/24' },"                \
	"                   { 'name': 'app', 'addressPrefix': '10.0.2.0/24' } ],"              \
	"      'virtualNetworkPeerings': [ { 'name': 'hub-s',"                                 \
	"        'remoteVirtualNetwork': { 'id': 's' }, 'allowGatewayTransit': true } ] },"    \
	"    { 'name': 's', 'location': 'westeurope',"                                         \
	"      'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"                        \
	"      'subnets': [ { 'name': 'web', 'addressPrefix': '10.1.0.0/24' } ],"              \
	"      'virtualNetworkPeerings': [ { 'name': 's-hub',"                                 \
	"        'remoteVirtualNetwork': { 'id': 'hub' }, 'useRemoteGateways': true } ] } ],"  \
	"    'networkInterfaces': ["                                                           \
	"      { 'name': 'nva1-nic', 'enableIPForwarding': true, 'ipConfigurations': [ {"     \
	"        'subnet': { 'id': 'hub/nva' }, 'privateIPAddress': '10.0.1.4' } ] },"         \
	"      { 'name': 'nva2-nic', 'enableIPForwarding': true, 'ipConfigurations': [ {"     \
	"        'subnet': { 'id': 'hub/nva' }, 'privateIPAddress': '10.0.1.5' } ] },"         \
	"      { 'name': 'app-*', 'count': 3, 'ipConfigurations': [ { 'subnet': { 'id': 'hub/app' } } ] }," \
	"      { 'name': 'web-*', 'count': 4, 'ipConfigurations': [ { 'subnet': { 'id': 's/web' } } ] } ]," \
	"    'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"  \
	"      'bgpConnections': [ { 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001 }," \
	"                          { 'name': 'nva2', 'peerIp': '10.0.1.5', 'peerAsn': 65001 } ] } ] }," \
	"  'events': ["                                                                        \
	"    { 'at': 0, 'op': 'advertise', 'from': 'ars/nva1', 'prefixes': ['10.100.0.0/16'],"  \
	"      'asPath': [65001] },"                                                           \
	"    { 'at': 0, 'op': 'advertise', 'from': 'ars/nva2', 'prefixes': ['10.100.0.0/16'],"  \
	"      'asPath': [65001] },"                                                           \
	"    { 'at': 10, 'op': 'checkpoint', 'label': 'baseline' } ] }"

#define ENUMERATE(detail)                                                                      \
	"{ 'kind': 'enumerate', 'name': 'nva crashes', 'at': 'baseline', 'window': '60s',"     \
	"  'failures': ['nva'], 'modes': ['silent', 'graceful'], 'detail': " detail " }"

static const char *const VARIANTS_CSV =
	"rank,variant,failure,class,subnets,nics,blackholed,max_blackhole_s,lost,max_lost_s,"
	"session_losses,score_nic_s,status\n"
	"1,0,peerDown silent ars/nva1,nva,4,9,4,9.000,0,0.000,1,81.0,ok\n"
	"2,2,peerDown silent ars/nva2,nva,4,9,4,9.000,0,0.000,1,81.0,ok\n"
	"3,1,peerDown graceful ars/nva1,nva,4,9,0,0.000,0,0.000,1,0.0,ok\n"
	"4,3,peerDown graceful ars/nva2,nva,4,9,0,0.000,0,0.000,1,0.0,ok\n";

/* ---- fixture: files in a temporary folder, stdout captured ------------------------- */

struct sfx {
	char dir[TESTDIR_LEN];
	char scenario[96], study[96];
	char out[96];                  /* dir/out, for --out */
	struct diag *d;
	struct scenario *sc;
	struct study *st;
};

static void put(const char *path, const char *sq)
{
	char *text = json_dq(sq);
	file_put(path, text);
	free(text);
}

static void sfx_init(struct sfx *f, const char *study_sq)
{
	memset(f, 0, sizeof(*f));
	/* gnuplot, if installed, is not run: the script is still written
	 * (so no shell command can run in these tests either). */
	setenv("PATH", "/nonexistent", 1);
	testdir_make(f->dir, "sweep");
	snprintf(f->scenario, sizeof(f->scenario), "%s/scenario.json", f->dir);
	snprintf(f->study, sizeof(f->study), "%s/study.json", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	put(f->scenario, SCENARIO_TEXT);
	put(f->study, study_sq);
	f->d = diag_create();
	bool env = false;
	f->sc = scenario_load(f->scenario, NULL, f->d, &env);
	if (!f->sc)
		diag_dump(f->d);
	cr_assert_not_null(f->sc);
	f->st = study_json_load(f->study, f->d, &env);
	if (!f->st)
		diag_dump(f->d);
	cr_assert_not_null(f->st);
}

static void sfx_fini(struct sfx *f)
{
	study_destroy(f->st);
	scenario_destroy(f->sc);
	diag_destroy(f->d);
	testdir_remove(f->dir);
}

/* sweep_run with stdout sent to a file; *text gets what it printed. */
static int sweep(struct sfx *f, enum render_format fmt, const char *out, const char *db, char **text)
{
	struct sweep_opts o = { .scenario = f->scenario, .study = f->study, .db = db, .out = out,
				.workers = 2, .shard_i = 0, .shard_n = 1, .fmt = fmt };
	char path[128];
	snprintf(path, sizeof(path), "%s/stdout.txt", f->dir);
	fflush(stdout);
	int saved = dup(1), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(saved, 0);
	cr_assert_geq(fd, 0);
	cr_assert_geq(dup2(fd, 1), 0);
	close(fd);
	int rc = sweep_run(f->st, f->sc, f->d, &o);
	fflush(stdout);
	cr_assert_geq(dup2(saved, 1), 0);
	close(saved);
	*text = file_text(path);
	cr_assert_not_null(*text);
	unlink(path);
	return rc;
}

static const char *in_dir(const struct sfx *f, const char *name)
{
	return testdir_at(f->dir, name);
}

/* The fixture for study_sq swept as CSV with --out f->out; *text: stdout. */
static void sweep_with_out(struct sfx *f, const char *study_sq, char **text)
{
	sfx_init(f, study_sq);
	cr_assert_eq(sweep(f, RENDER_CSV, f->out, NULL, text), 0);
}

/* A file of f->out, NULL when it is not there. */
static char *out_file(const struct sfx *f, const char *name)
{
	return file_text(testdir_at(f->out, name));
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", key);
	return v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	cr_assert(cJSON_IsString(v), "\"%s\" is not a string", key);
	return v->valuestring;
}

static int visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Names of the files in folder, sorted, each followed by a space. */
static char *listing(const char *folder)
{
	struct dirent **v;
	int n = scandir(folder, &v, visible, alphasort);
	cr_assert_geq(n, 0, "%s", folder);
	struct capture c;
	FILE *out = capture_begin(&c);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s ", v[i]->d_name);
		free(v[i]);
	}
	free(v);
	return capture_end(&c);
}

/* ---- enumerate ------------------------------------------------------------------------- */

Test(sweep_out, enumerate_ranked_table_as_csv)
{
	struct sfx f;
	sfx_init(&f, ENUMERATE("false"));
	char *text;
	cr_assert_eq(sweep(&f, RENDER_CSV, NULL, NULL, &text), 0);
	cr_expect_str_eq(text, VARIANTS_CSV);
	free(text);
	sfx_fini(&f);
}

/* JSON: the same table as an array of objects keyed by the header, numbers
 * as numbers, text as strings; JSON lines: one such object per line. */
Test(sweep_out, enumerate_table_as_json_and_json_lines)
{
	struct sfx f;
	sfx_init(&f, ENUMERATE("false"));
	char *text;
	cr_assert_eq(sweep(&f, RENDER_JSON, NULL, NULL, &text), 0);
	cJSON *doc = cJSON_Parse(text);
	cr_assert_not_null(doc, "not JSON:\n%s", text);
	cr_assert(cJSON_IsArray(doc));
	cr_assert_eq(cJSON_GetArraySize(doc), 4);
	static const struct {
		double rank, variant, bh, score;
		const char *failure;
	} want[] = { { 1, 0, 9, 81, "peerDown silent ars/nva1" },
		     { 2, 2, 9, 81, "peerDown silent ars/nva2" },
		     { 3, 1, 0, 0, "peerDown graceful ars/nva1" },
		     { 4, 3, 0, 0, "peerDown graceful ars/nva2" } };
	for (int i = 0; i < 4; i++) {
		const cJSON *o = cJSON_GetArrayItem(doc, i);
		cr_assert(cJSON_IsObject(o));
		cr_expect_eq(cJSON_GetArraySize(o), 13, "one member per column");
		cr_expect_eq(num(o, "rank"), want[i].rank);
		cr_expect_eq(num(o, "variant"), want[i].variant);
		cr_expect_eq(num(o, "max_blackhole_s"), want[i].bh);
		cr_expect_eq(num(o, "score_nic_s"), want[i].score);
		cr_expect_eq(num(o, "nics"), 9);
		cr_expect_str_eq(str(o, "failure"), want[i].failure);
		cr_expect_str_eq(str(o, "class"), "nva");
		cr_expect_str_eq(str(o, "status"), "ok");
	}
	cJSON_Delete(doc);
	free(text);
	cr_assert_eq(sweep(&f, RENDER_JSONL, NULL, NULL, &text), 0);
	int lines = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		cr_assert(cJSON_IsObject(o), "line %d is not an object: %s", lines, line);
		cr_expect_eq(num(o, "rank"), lines + 1);
		cJSON_Delete(o);
		lines++;
	}
	cr_expect_eq(lines, 4);
	free(text);
	sfx_fini(&f);
}

/* --out: variants.csv is the CSV table, impact.csv one row per variant,
 * subnet and destination (detail), the gnuplot script; no temporary left. */
Test(sweep_out, enumerate_files_in_out)
{
	struct sfx f;
	char *text;
	sweep_with_out(&f, ENUMERATE("true"), &text);
	char *names = listing(f.out);
	cr_expect_str_eq(names, "impact.csv sweep.gnuplot variants.csv ");
	free(names);
	char *variants = out_file(&f, "variants.csv");
	cr_expect_str_eq(variants, text, "variants.csv is the table printed");
	free(variants);
	free(text);
	char *impact = out_file(&f, "impact.csv");
	cr_assert_not_null(impact);
	static const char *const subnets[] = { "hub/RouteServerSubnet", "hub/nva", "hub/app", "s/web" };
	static const size_t nics[] = { 0, 2, 3, 4 };
	static const char *const labels[] = { "peerDown silent ars/nva1", "peerDown graceful ars/nva1",
					       "peerDown silent ars/nva2", "peerDown graceful ars/nva2" };
	struct capture want;
	FILE *w = capture_begin(&want);
	fputs("variant,failure,subnet,destination,nics,blackhole_s,lost_s,changed_s\n", w);
	for (int v = 0; v < 4; v++)
		for (int s = 0; s < 4; s++)
			fprintf(w, "%d,%s,%s,10.100.0.0/16,%zu,%s,0.000,%s\n", v, labels[v], subnets[s],
				nics[s], v % 2 ? "0.000" : "9.000", v % 2 ? "60.000" : "51.000");
	char *want_text = capture_end(&want);
	cr_expect_str_eq(impact, want_text);
	free(want_text);
	free(impact);
	sfx_fini(&f);
}

/* Without detail, one row per variant and subnet, destination "*", the
 * longest times among its destinations. */
Test(sweep_out, enumerate_impact_folded_without_detail)
{
	struct sfx f;
	char *text;
	sweep_with_out(&f, ENUMERATE("false"), &text);
	free(text);
	char *impact = out_file(&f, "impact.csv");
	cr_assert_not_null(impact);
	cr_expect_not_null(strstr(impact, "\n0,peerDown silent ars/nva1,s/web,*,4,9.000,0.000,51.000\n"),
			   "%s", impact);
	cr_expect_not_null(strstr(impact, "\n3,peerDown graceful ars/nva2,hub/app,*,3,0.000,0.000,"
					  "60.000\n"), "%s", impact);
	size_t rows = 0;
	for (const char *p = impact; (p = strchr(p, '\n')); p++)
		rows++;
	cr_expect_eq(rows, 1 + 4 * 4);
	free(impact);
	sfx_fini(&f);
}

/* An --out that cannot be a folder (a regular file is in the way): exit 3,
 * nothing on stdout half done, the file untouched. */
Test(sweep_out, out_folder_that_cannot_be_made)
{
	struct sfx f;
	sfx_init(&f, ENUMERATE("true"));
	const char *blocker = in_dir(&f, "taken");
	FILE *b = fopen(blocker, "w");
	cr_assert_not_null(b);
	fputs("mine\n", b);
	fclose(b);
	char *text;
	cr_expect_eq(sweep(&f, RENDER_CSV, blocker, NULL, &text), 3);
	cr_expect_str_eq(text, "");
	free(text);
	char *kept = file_text(blocker);
	cr_expect_str_eq(kept, "mine\n");
	free(kept);
	sfx_fini(&f);
}

static double query(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *q;
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
	double v = sqlite3_column_double(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return v;
}

/* --db: the study, its variants and records, with the figures above; a
 * second sweep of the same study replaces its rows. */
Test(sweep_out, enumerate_rows_in_the_database)
{
	struct sfx f;
	sfx_init(&f, ENUMERATE("true"));
	const char *db = in_dir(&f, "sweep.db");
	for (int round = 0; round < 2; round++) {
		char *text;
		cr_assert_eq(sweep(&f, RENDER_CSV, NULL, db, &text), 0);
		cr_expect_str_eq(text, VARIANTS_CSV);
		free(text);
		cr_expect_eq(query(db, "SELECT count(*) FROM sweep_study"), 1);
		cr_expect_eq(query(db, "SELECT variants FROM sweep_study WHERE kind = 'enumerate'"), 4);
		cr_expect_eq(query(db, "SELECT count(*) FROM sweep_variant"), 4, "round %d", round);
		cr_expect_eq(query(db, "SELECT sum(score) FROM sweep_variant"), 162);
		cr_expect_eq(query(db, "SELECT max_blackhole_s FROM sweep_variant WHERE variant = 2"), 9);
		cr_expect_eq(query(db, "SELECT session_losses FROM sweep_variant WHERE variant = 3"), 1);
		cr_expect_eq(query(db, "SELECT count(*) FROM sweep_record"), 16, "round %d", round);
		cr_expect_eq(query(db, "SELECT sum(blackhole_ms) FROM sweep_record"), 2 * 4 * 9000);
		cr_expect_eq(query(db, "SELECT sum(changed_ms) FROM sweep_record"),
			     2 * 4 * 51000 + 2 * 4 * 60000);
		cr_expect_eq(query(db, "SELECT nics FROM sweep_record WHERE subnet = 's/web' AND "
				       "variant = 0"), 4);
	}
	sfx_fini(&f);
}

/* ---- monte-carlo ------------------------------------------------------------------------ */

/* Failures so rare that none is drawn: every statistic is over zeros or
 * over no sample at all (n 0), and the files say the same. */
Test(sweep_out, monte_carlo_without_failures)
{
	struct sfx f;
	char *text;
	sweep_with_out(&f, "{ 'kind': 'monte-carlo', 'name': 'calm', 'at': 'baseline', 'runs': 3,"
			   "  'seed': 7, 'horizon': '1h', 'targets': ['ars/nva1'], 'mtbf': '100000h',"
			   "  'repairMedian': '30m', 'repairSigma': 1.0, 'mode': 'silent' }", &text);
	cr_expect_str_eq(text,
			 "subnet,destination,n,mean,sd,p50,p95,p99,max,ci95_lo,ci95_hi\n"
			 "*,blackhole_s per failure,0,0.000,0.000,0.000,0.000,0.000,0.000,0.000,0.000\n"
			 "*,blackhole_nic_s per run,3,0.000,0.000,0.000,0.000,0.000,0.000,0.000,0.000\n"
			 "*,session_losses per run,3,0.000,0.000,0.000,0.000,0.000,0.000,0.000,0.000\n"
			 "*,unprogrammed_vm_min per run,3,0.000,0.000,0.000,0.000,0.000,0.000,0.000,"
			 "0.000\n");
	char *names = listing(f.out);
	cr_expect_str_eq(names, "failures.csv impact.csv runs.csv stats.csv sweep.gnuplot ");
	free(names);
	char *stats = out_file(&f, "stats.csv");
	cr_expect_str_eq(stats, text);
	free(stats);
	char *runs = out_file(&f, "runs.csv");
	cr_expect_str_eq(runs, "run,blackhole_nic_s,session_losses,unprogrammed_vm_min\n"
			       "0,0.000,0,0.000\n1,0.000,0,0.000\n2,0.000,0,0.000\n");
	free(runs);
	char *fails = out_file(&f, "failures.csv");
	cr_expect_str_eq(fails, "run,seq,target,at_s,repair_s,phase_s,blackhole_s\n");
	free(fails);
	free(text);
	sfx_fini(&f);
}

/* Column k (0-based) of each data line of a CSV text: count, mean, max. */
static void column_stats(const char *csv, int k, size_t *n, double *mean, double *max)
{
	*n = 0;
	*mean = *max = 0;
	const char *line = strchr(csv, '\n');
	while (line && line[1]) {
		line++;
		const char *p = line;
		for (int c = 0; c < k; c++)
			p = strchr(p, ',') + 1;
		double v = strtod(p, NULL);
		*mean += v;
		*max = *n == 0 || v > *max ? v : *max;
		(*n)++;
		line = strchr(line, '\n');
	}
	if (*n)
		*mean /= (double)*n;
}

/* The statistics row starting with `row` in the table printed gives the
 * count, mean and maximum of column col of csv (to the 3 decimals printed),
 * and its quantiles are in order. */
static void expect_row_matches(const char *table, const char *row, const char *csv, int col)
{
	const char *at = strstr(table, row);
	cr_assert_not_null(at, "no row %s in\n%s", row, table);
	size_t n_printed;
	double mean_printed, sd, p50, p95, p99, max_printed;
	cr_assert_eq(sscanf(at + strlen(row), "%zu,%lf,%lf,%lf,%lf,%lf,%lf", &n_printed,
			    &mean_printed, &sd, &p50, &p95, &p99, &max_printed), 7);
	size_t n;
	double mean, max;
	column_stats(csv, col, &n, &mean, &max);
	cr_expect_eq(n_printed, n, "%s n", row);
	cr_expect(fabs(mean_printed - mean) <= 0.0015, "%s mean %.4f vs %.4f", row, mean_printed,
		  mean);
	cr_expect(fabs(max_printed - max) <= 0.0015, "%s max %.4f vs %.4f", row, max_printed, max);
	cr_expect(p50 <= p95 && p95 <= p99 && p99 <= max_printed, "%s quantiles in order", row);
}

/* The statistics printed agree with the per-run and per-failure files they
 * summarise (recomputed here from those files). */
Test(sweep_out, monte_carlo_statistics_match_their_files)
{
	struct sfx f;
	char *text;
	sweep_with_out(&f, "{ 'kind': 'monte-carlo', 'name': 'busy', 'at': 'baseline', 'runs': 20,"
			   "  'seed': 42, 'horizon': '720h', 'targets': ['ars/nva1', 'ars/nva2'],"
			   "  'mtbf': '240h', 'repairMedian': '30m', 'repairSigma': 1.0,"
			   "  'mode': 'silent' }", &text);
	char *runs = out_file(&f, "runs.csv"), *fails = out_file(&f, "failures.csv");
	cr_assert(runs && fails);
	expect_row_matches(text, "*,blackhole_nic_s per run,", runs, 1);
	expect_row_matches(text, "*,session_losses per run,", runs, 2);
	expect_row_matches(text, "*,blackhole_s per failure,", fails, 6);
	size_t nruns;
	double m, x;
	column_stats(runs, 0, &nruns, &m, &x);
	cr_expect_eq(nruns, 20, "one line per run");
	/* A silent crash black-holes at most the hold time (9 s). */
	column_stats(fails, 6, &nruns, &m, &x);
	cr_expect_gt(nruns, 0, "some failures drawn in 720 h at an MTBF of 240 h");
	cr_expect_leq(x, 9.0);
	free(runs);
	free(fails);
	free(text);
	sfx_fini(&f);
}

/* ---- capacity ------------------------------------------------------------------------------ */

/* Splits a CSV line (RFC 4180 quotes) into at most max cells, in place. */
static size_t csv_cells(char *line, char **cells, size_t max)
{
	size_t n = 0;
	char *r = line, *w = line;
	while (n < max) {
		cells[n++] = w;
		bool quoted = *r == '"';
		r += quoted;
		for (; *r && (quoted || *r != ','); r++) {
			if (quoted && *r == '"') {
				if (r[1] != '"') {
					quoted = false;
					continue;
				}
				r++;
			}
			*w++ = *r;
		}
		bool more = *r == ',';
		*w++ = '\0';
		if (!more)
			break;
		r++;
	}
	return n;
}

/* Each limit: headroom = limit - used, a step (or "-") per dimension, notes
 * never empty; capacity.csv is the table printed. */
Test(sweep_out, capacity_table_and_file)
{
	struct sfx f;
	char *text;
	sweep_with_out(&f, "{ 'kind': 'capacity', 'name': 'room', 'at': 'baseline', 'grow': ['vms'],"
			   "  'maxSteps': 1000 }", &text);
	static const char header[] = "limit,scope,used,limit_value,headroom,spokes_to_bite,"
				     "vms_to_bite,nva_routes_to_bite,onprem_prefixes_to_bite,notes\n";
	cr_assert(strncmp(text, header, strlen(header)) == 0, "%s", text);
	size_t rows = 0;
	bool vms_limit = false;
	char *copy = strdup(text), *save = NULL;
	strtok_r(copy, "\n", &save);
	for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cells[11];
		size_t n = csv_cells(line, cells, 11);
		cr_assert_eq(n, 10, "row %zu has %zu cells", rows, n);
		double used = strtod(cells[2], NULL), limit = strtod(cells[3], NULL),
		       headroom = strtod(cells[4], NULL);
		cr_expect_eq(headroom, limit - used, "%s %s", cells[0], cells[1]);
		cr_expect_gt(limit, 0);
		cr_expect_str_eq(cells[5], "-", "spokes not grown");
		cr_expect_str_eq(cells[7], "-");
		cr_expect_str_eq(cells[8], "-");
		cr_expect_neq(cells[9][0], '\0', "notes are never empty");
		if (strcmp(cells[0], "Route Server VMs before scale-out") == 0) {
			/* RULES 1.8: (2 + 2) x 1000 VMs at 2 units; 9 NICs today. */
			vms_limit = true;
			cr_expect_eq(used, 9);
			cr_expect_eq(limit, 4000);
		}
		rows++;
	}
	free(copy);
	cr_expect(vms_limit);
	char *file = out_file(&f, "capacity.csv");
	cr_expect_str_eq(file, text);
	free(file);
	free(text);
	sfx_fini(&f);
}
