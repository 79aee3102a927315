/*
 * test_reachdiff.c - reachability matrices by name (reachset.h) and their
 * comparison (reachdiff.h, RULES 1.11.7): spans and their checks, each kind
 * of change, grouping of alike sources into one block, names on one side.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "reachdiff.h"
#include "reachset.h"

/* Outcomes used by the sets below. */
static const struct reachset_outcome OK_DIRECT = { TV_DELIVERED, 1, 1, "-", "delivered" };
static const struct reachset_outcome OK_NVA1 = { TV_DELIVERED, 1, 1, "nva1", "delivered" };
static const struct reachset_outcome OK_NVA2 = { TV_DELIVERED, 1, 1, "nva2", "delivered" };
static const struct reachset_outcome DROP_NVA1 = { TV_DROPPED, 1, 0, "nva1", "VM down at nva1" };
static const struct reachset_outcome LOOP = { TV_LOOPED, 1, 0, "nva1", "looped at nva1" };

/* sources x dests with the given outcomes and a cell per flow (row major:
 * outcome index * 4 + symmetry). */
static struct reachset *mk(const char *const *src, size_t ns, const char *const *dst, size_t nd,
			   const struct reachset_outcome *const *outs, size_t no, const uint32_t *cells)
{
	struct reachset *rs = reachset_create();
	cr_assert_not_null(rs);
	for (size_t i = 0; i < ns; i++)
		cr_assert_eq(reachset_add_source(rs, src[i]), 0);
	for (size_t i = 0; i < nd; i++)
		cr_assert_eq(reachset_add_dest(rs, RK_SUBNET, dst[i]), 0);
	for (size_t i = 0; i < no; i++)
		cr_assert_eq(reachset_add_outcome(rs, outs[i]), 0);
	for (size_t s = 0; s < ns; s++)
		for (size_t d = 0; d < nd;) {
			size_t e = d;
			while (e + 1 < nd && cells[s * nd + e + 1] == cells[s * nd + d])
				e++;
			struct reachset_span sp = { (uint32_t)s, (uint32_t)d, (uint32_t)e,
						    cells[s * nd + d] };
			cr_assert_eq(reachset_add_span(rs, sp), 0);
			d = e + 1;
		}
	char msg[200];
	cr_assert_eq(reachset_seal(rs, msg, sizeof msg), 0, "%s", msg);
	return rs;
}

static const char *const SRC[] = { "a/x", "b/x", "c/x" };
static const char *const DST[] = { "a/x", "b/x", "c/x", "d/x" };
#define C(o, s) ((uint32_t)(o) * 4 + (uint32_t)(s))

Test(reachset, row_expands_spans_and_failing_counts)
{
	const struct reachset_outcome *outs[] = { &OK_DIRECT, &DROP_NVA1 };
	const uint32_t cells[] = { C(0, 1), C(0, 1), C(1, 0), C(1, 0), C(0, 1), C(1, 0),
				   C(0, 1), C(0, 1) };
	struct reachset *rs = mk(SRC, 2, DST, 4, outs, 2, cells);
	cr_assert_eq(rs->nspans, 5);
	uint32_t row[4];
	reachset_row(rs, 1, row);
	cr_assert_eq(memcmp(row, cells + 4, sizeof row), 0);
	cr_assert_eq(reachset_failing(rs), 3);
	reachset_destroy(rs);
}

Test(reachset, seal_refuses_gaps_overlaps_and_unknown_outcomes)
{
	const struct reachset_outcome *outs[] = { &OK_DIRECT };
	const uint32_t cells[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	struct reachset *rs = mk(SRC, 2, DST, 4, outs, 1, cells);
	char msg[200];
	/* A gap: source 1 starts at destination 1. */
	rs->spans[1].first = 1;
	cr_assert_eq(reachset_seal(rs, msg, sizeof msg), -2);
	cr_assert(strstr(msg, "out of order"), "%s", msg);
	rs->spans[1].first = 0;
	rs->spans[1].cell = C(5, 0);
	cr_assert_eq(reachset_seal(rs, msg, sizeof msg), -2);
	cr_assert(strstr(msg, "outcome 5"), "%s", msg);
	rs->spans[1].cell = 0;
	rs->nspans = 1; /* source 1 missing */
	cr_assert_eq(reachset_seal(rs, msg, sizeof msg), -2);
	rs->nspans = 2;
	rs->spans[1].last = 7; /* past the destinations */
	cr_assert_eq(reachset_seal(rs, msg, sizeof msg), -2);
	reachset_destroy(rs);
	cr_assert_eq(reachset_kind_parse("on-premises"), RK_ONPREM);
	cr_assert_eq(reachset_kind_parse("cloud"), -1);
	cr_assert_eq(reachset_verdict_parse("partly dropped"), TV_PARTLY_DROPPED);
	cr_assert_eq(reachset_verdict_parse("lost"), -1);
}

Test(reachdiff, equal_sets_do_not_differ)
{
	const struct reachset_outcome *outs[] = { &OK_DIRECT, &OK_NVA1 };
	const uint32_t cells[] = { C(0, 1), C(1, 1), C(1, 1), C(0, 1), C(1, 1), C(0, 1),
				   C(0, 1), C(1, 1), C(0, 1), C(0, 1), C(0, 1), C(0, 1) };
	struct reachset *a = mk(SRC, 3, DST, 4, outs, 2, cells);
	/* The same content with the outcomes in another order. */
	const struct reachset_outcome *outs2[] = { &OK_NVA1, &OK_DIRECT };
	uint32_t swapped[12];
	for (size_t i = 0; i < 12; i++)
		swapped[i] = C(1 - (cells[i] >> 2), cells[i] & 3);
	struct reachset *b = mk(SRC, 3, DST, 4, outs2, 2, swapped);
	struct reachdiff *d = reachdiff_compute(a, b);
	cr_assert_not_null(d);
	cr_assert_eq(d->compared, 12);
	cr_assert_not(reachdiff_differs(d));
	cr_assert_eq(d->ngroups, 0);
	reachdiff_destroy(d);
	reachset_destroy(a);
	reachset_destroy(b);
}

Test(reachdiff, classifies_and_groups_alike_sources)
{
	const struct reachset_outcome *outs[] = { &OK_DIRECT, &OK_NVA1, &DROP_NVA1, &LOOP };
	/* from: a,b,c all reach d/x through nva1; c/x -> a/x dropped; b -> c looped. */
	const uint32_t from[] = { C(0, 1), C(0, 1), C(0, 1), C(1, 1),
				  C(0, 1), C(0, 1), C(3, 0), C(1, 1),
				  C(2, 0), C(0, 1), C(0, 1), C(1, 1) };
	/* to: nva1 is down for everyone's d/x (broke x3, one block); c -> a
	 * repaired; b -> c now dropped (changed); a -> b asymmetric (return). */
	const uint32_t to[] = { C(0, 1), C(0, 2), C(0, 1), C(2, 0),
				C(0, 1), C(0, 1), C(2, 0), C(2, 0),
				C(0, 1), C(0, 1), C(0, 1), C(2, 0) };
	struct reachset *a = mk(SRC, 3, DST, 4, outs, 4, from);
	struct reachset *b = mk(SRC, 3, DST, 4, outs, 4, to);
	struct reachdiff *d = reachdiff_compute(a, b);
	cr_assert_not_null(d);
	cr_assert_eq(d->count[RD_BROKE], 3);
	cr_assert_eq(d->count[RD_REPAIRED], 1);
	cr_assert_eq(d->count[RD_RETURN], 1);
	cr_assert_eq(d->count[RD_CHANGED], 1);
	cr_assert_eq(d->count[RD_REROUTED], 0);
	cr_assert_eq(d->ngroups, 4);
	const struct reachdiff_group *g = &d->groups[0];
	cr_assert_eq(g->change, RD_BROKE, "groups are in order of change");
	cr_assert_eq(g->nblocks, 1, "alike sources share a block");
	cr_assert_eq(g->blocks[0].nsources, 3);
	cr_assert_eq(g->blocks[0].ndests, 1);
	cr_assert_str_eq(b->dests[g->blocks[0].dests[0]].name, "d/x");
	cr_assert_eq(g->flows, 3);
	cr_assert_eq(d->groups[1].change, RD_REPAIRED);
	cr_assert_eq(d->groups[2].change, RD_RETURN);
	cr_assert_eq(d->groups[2].from_sym, RS_SYMMETRIC);
	cr_assert_eq(d->groups[2].to_sym, RS_ASYMMETRIC);
	cr_assert_eq(d->groups[3].change, RD_CHANGED);
	cr_assert_eq(d->groups[3].from->verdict, TV_LOOPED);
	reachdiff_destroy(d);
	reachset_destroy(a);
	reachset_destroy(b);
}

Test(reachdiff, rerouted_and_names_on_one_side)
{
	const struct reachset_outcome *outs[] = { &OK_NVA1, &OK_NVA2 };
	const char *const src_b[] = { "b/x", "z/x" };
	const char *const dst_b[] = { "d/x", "e/x", "a/x" };
	const uint32_t from[] = { 0, 0, 0, 0, 0, 0, 0, 0 };         /* a, b x a..d */
	const uint32_t to[] = { C(1, 0), C(1, 0), C(0, 0), 0, 0, 0 }; /* b, z x d, e, a */
	struct reachset *a = mk(SRC, 2, DST, 4, outs, 2, from);
	struct reachset *b = mk(src_b, 2, dst_b, 3, outs, 2, to);
	struct reachdiff *d = reachdiff_compute(a, b);
	cr_assert_not_null(d);
	cr_assert_eq(d->compared, 2, "b/x to d/x and a/x");
	cr_assert_eq(d->count[RD_REROUTED], 1);
	cr_assert_str_eq(b->dests[d->groups[0].blocks[0].dests[0]].name, "d/x");
	cr_assert_eq(d->nsources_only[0], 1);
	cr_assert_str_eq(d->sources_only[0][0], "a/x");
	cr_assert_eq(d->nsources_only[1], 1);
	cr_assert_str_eq(d->sources_only[1][0], "z/x");
	cr_assert_eq(d->ndests_only[0], 2, "b/x and c/x");
	cr_assert_eq(d->ndests_only[1], 1);
	cr_assert_str_eq(d->dests_only[1][0], "e/x");
	cr_assert(reachdiff_differs(d));
	reachdiff_destroy(d);
	reachset_destroy(a);
	reachset_destroy(b);
}

Test(reachdiff, empty_sets)
{
	struct reachset *a = reachset_create(), *b = reachset_create();
	char msg[100];
	cr_assert_eq(reachset_seal(a, msg, sizeof msg), 0);
	struct reachdiff *d = reachdiff_compute(a, b);
	cr_assert_not_null(d);
	cr_assert_not(reachdiff_differs(d));
	reachdiff_destroy(d);
	reachset_destroy(a);
	reachset_destroy(b);
}

/* --nic/--subnet: a flow counts when its source or its destination is in
 * scope; the others are neither compared nor reported. */
Test(reachdiff, scoped_compares_flows_from_or_to_the_scope)
{
	const struct reachset_outcome *outs[] = { &OK_NVA1, &DROP_NVA1 };
	const uint32_t from[12] = { 0 };
	/* a/x -> c/x, b/x -> d/x and c/x -> b/x drop. */
	const uint32_t to[] = { 0, 0, C(1, 0), 0, 0, 0, 0, C(1, 0), 0, C(1, 0), 0, 0 };
	struct reachset *a = mk(SRC, 3, DST, 4, outs, 2, from);
	struct reachset *b = mk(SRC, 3, DST, 4, outs, 2, to);
	const char *const scope[] = { "b/x" };
	struct reachdiff *d = reachdiff_compute_scoped(a, b, scope, 1);
	cr_assert_not_null(d);
	cr_assert_eq(d->compared, 6, "b/x to a..d, a/x and c/x to b/x: %llu",
		     (unsigned long long)d->compared);
	cr_assert_eq(d->count[RD_BROKE], 2, "b/x -> d/x and c/x -> b/x, not a/x -> c/x");
	reachdiff_destroy(d);
	/* An empty scope compares nothing; no scope compares everything. */
	d = reachdiff_compute_scoped(a, b, scope, 0);
	cr_assert_eq(d->compared, 0);
	cr_assert_not(reachdiff_differs(d));
	reachdiff_destroy(d);
	d = reachdiff_compute_scoped(a, b, NULL, 0);
	cr_assert_eq(d->compared, 12);
	cr_assert_eq(d->count[RD_BROKE], 3);
	reachdiff_destroy(d);
	reachset_destroy(a);
	reachset_destroy(b);
}

/* Names on one side only are listed when in scope; a prefix destination on
 * one side only, when a source of that side is in scope. */
Test(reachdiff, scoped_names_on_one_side)
{
	const struct reachset_outcome *outs[] = { &OK_NVA1 };
	const char *const src_b[] = { "b/x", "z/x" };
	const char *const dst_b[] = { "d/x", "e/x", "a/x" };
	const uint32_t from[8] = { 0 }, to[6] = { 0 };
	struct reachset *a = mk(SRC, 2, DST, 4, outs, 1, from);
	struct reachset *b = mk(src_b, 2, dst_b, 3, outs, 1, to);
	cr_assert_eq(reachset_add_dest(b, RK_ONPREM, "10.100.0.0/16"), 0);
	for (uint32_t s = 0; s < 2; s++)
		b->spans[s].last = 3; /* the new prefix, delivered from both sources */
	char msg[200];
	cr_assert_eq(reachset_seal(b, msg, sizeof msg), 0, "%s", msg);
	const char *const scope[] = { "c/x", "z/x" };
	struct reachdiff *d = reachdiff_compute_scoped(a, b, scope, 2);
	cr_assert_not_null(d);
	cr_assert_eq(d->nsources_only[0], 0, "a/x is not in scope");
	cr_assert_eq(d->nsources_only[1], 1);
	cr_assert_str_eq(d->sources_only[1][0], "z/x");
	cr_assert_eq(d->ndests_only[0], 1, "c/x, not b/x");
	cr_assert_str_eq(d->dests_only[0][0], "c/x");
	cr_assert_eq(d->ndests_only[1], 1, "the prefix (z/x is a source), not e/x");
	cr_assert_str_eq(d->dests_only[1][0], "10.100.0.0/16");
	reachdiff_destroy(d);
	reachset_destroy(a);
	reachset_destroy(b);
}
