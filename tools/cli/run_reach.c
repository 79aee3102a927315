/*
 * run_reach.c - reachability captured at each checkpoint; see run_reach.h.
 */
#include "run_reach.h"

#include <stdlib.h>

#include "reach.h"
#include "reachset.h"
#include "trace.h"
#include "vec.h"

int run_reach_hook(void *ctx, const struct run *r, const struct checkpoint *c)
{
	struct run_reach *rr = ctx;
	struct trace_env_input in = { c->topo, c->tables, c->nic_unprogrammed, run_speakers(r) };
	struct trace_env *env = trace_env_create(&in);
	struct reach *re = env ? reach_compute(env, run_speakers(r)) : NULL;
	struct reachset *rs = re ? reachset_from_reach(re) : NULL;
	reach_destroy(re);
	trace_env_destroy(env);
	struct reachset **slot = rs ? VEC_PUSH(rr->v, rr->n, rr->cap) : NULL;
	if (!slot) {
		reachset_destroy(rs);
		return -1;
	}
	*slot = rs;
	return 0;
}

void run_reach_fini(struct run_reach *rr)
{
	for (size_t i = 0; i < rr->n; i++)
		reachset_destroy(rr->v[i]);
	free(rr->v);
	*rr = (struct run_reach){ 0 };
}
