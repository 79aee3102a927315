/*
 * study_reach.c - flows broken by a variant; see study_reach.h.
 */
#include "study_reach.h"

#include <stdlib.h>

#include "reach.h"
#include "reachdiff.h"
#include "reachset.h"
#include "run.h"
#include "study_base.h"
#include "trace.h"

/* The matrix over the baseline topology, these tables and the run's
 * speakers now; to the baseline's destinations when it has them (a
 * prefix the failure withdrew is still a destination, now dropped or
 * sent elsewhere), else to those of this moment. */
static struct reachset *matrix(const struct study_base *b, struct eff_table *const *tables,
			       struct reach **keep)
{
	const struct checkpoint *cp = b->cp;
	struct trace_env_input in = { cp->topo, tables, cp->nic_unprogrammed,
				      run_speakers(b->run) };
	struct trace_env *env = trace_env_create(&in);
	struct reach *r = NULL;
	if (env)
		r = b->reach0 ? reach_compute_dests(env, b->reach0->dests, b->reach0->ndests)
			      : reach_compute(env, run_speakers(b->run));
	struct reachset *rs = r ? reachset_from_reach(r) : NULL;
	if (keep && rs)
		*keep = r;
	else
		reach_destroy(r);
	trace_env_destroy(env);
	return rs;
}

int study_reach_base(struct study_base *b)
{
	b->reach_base = matrix(b, b->cp->tables, &b->reach0);
	return b->reach_base ? 0 : 3;
}

int study_reach_broken(const struct study_base *b, const size_t *first, const size_t *ents,
		       uint64_t *broken)
{
	size_t ns = b->cp->topo->nsubnets;
	struct eff_table **tables = malloc((ns + 1) * sizeof *tables);
	if (!tables)
		return -1;
	for (size_t s = 0; s < ns; s++) {
		tables[s] = b->cp->tables[s];
		if (first[s + 1] > first[s])
			tables[s] = run_timeline_get(b->run, ents[first[s + 1] - 1])->after;
	}
	struct reachset *rs = matrix(b, tables, NULL);
	struct reachdiff *d = rs ? reachdiff_compute(b->reach_base, rs) : NULL;
	if (d)
		*broken = d->count[RD_BROKE];
	reachdiff_destroy(d);
	reachset_destroy(rs);
	free(tables);
	return d ? 0 : -1;
}
