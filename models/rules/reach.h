/*
 * reach.h - reachability across an estate at one moment (RULES 1.11):
 * a trace from every subnet's table to one address of every destination
 * (each subnet, each on-premises or appliance prefix, the Internet),
 * each flow reduced to a verdict, the appliances it crosses, where it
 * leaves, and whether its return path crosses the same appliances (the
 * backends of one internal load balancer frontend counting as one
 * stateful group, RULES 1.11).
 *
 * What it stores: flows are many (4,000 VMs: 400 subnets x 10,000
 * prefixes) but their outcomes few, so each distinct outcome is stored
 * once (struct reach_result) and the matrix holds one 32-bit cell per
 * flow: result index * 4 + symmetry.  Rows are sources in topology
 * order, columns destinations in the order of reach->dests.
 *
 * Ownership: the reach keeps pointers into the trace environment's
 * topology (which must outlive it) and owns everything else.
 * Costs: one trace per flow, O(sources x destinations x hops).
 */
#ifndef RULES_REACH_H
#define RULES_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

enum reach_kind { RK_SUBNET, RK_ONPREM, RK_APPLIANCE, RK_INTERNET };
const char *reach_kind_name(enum reach_kind k); /* "subnet", "on-premises", "appliance", "internet" */

struct reach_dest {
	enum reach_kind kind;
	struct prefix prefix;          /* the subnet's first prefix, the learned prefix, 0/0 */
	uint32_t addr;                 /* the address traced */
	const struct subnet *subnet;   /* RK_SUBNET */
};

#define REACH_MAX_APPL 4
#define REACH_MAX_EXIT 4

/* Where a flow leaves or is delivered, for the return path. */
struct reach_exit {
	const struct nic *nic;         /* handed to this appliance */
	const struct lb_frontend *lb;  /* ... reached through this load balancer frontend */
	const struct connection *conn; /* left through this gateway connection */
};

struct reach_result {
	enum trace_verdict verdict;
	uint16_t npaths, nok;          /* paths, and those delivered or left */
	bool spread;                   /* the paths cross different sets of appliances */
	uint8_t nappl;                 /* appliances crossed (union over paths, scenario order) */
	const struct nic *appl[REACH_MAX_APPL];
	/* The same as stateful groups (trace_path_groups: a load balancer
	 * frontend stands for the backends reached through it), sorted by
	 * address: what symmetry and spread compare. */
	uint8_t ngrp;
	const void *grp[REACH_MAX_APPL];
	uint8_t nexit;
	struct reach_exit exits[REACH_MAX_EXIT];
	enum trace_why why;            /* the first failed path's end, TW_NONE when none */
	const struct nic *why_at;      /* its NIC, when it has one */
	const struct load_balancer *why_lb; /* its load balancer (TW_LB_*), else NULL */
	enum trace_why ok_why;         /* the first successful path's end */
};

enum reach_sym { RS_NA, RS_SYMMETRIC, RS_ASYMMETRIC, RS_ECMP };
const char *reach_sym_name(enum reach_sym s); /* "-", "symmetric", "asymmetric", "ecmp" */

struct reach {
	const struct topology *topo;
	struct reach_dest *dests;
	size_t ndests;
	struct reach_result *results;
	size_t nresults;
	uint32_t *cells;               /* [source * ndests + dest]: result * 4 + reach_sym */
	size_t nsources;               /* topo->nsubnets */
};

/* NULL when out of memory. */
/* sp: the speakers of that moment (the learned prefixes are destinations),
 * NULL for none. */
struct reach *reach_compute(const struct trace_env *e, const struct speakers *sp);
/* The same over given destinations (another moment's, of the same
 * topology: what a study's variant is compared on). */
struct reach *reach_compute_dests(const struct trace_env *e, const struct reach_dest *dests,
				  size_t n);
void reach_destroy(struct reach *r); /* NULL is a no-op */

static inline const struct reach_result *reach_cell_result(const struct reach *r, uint32_t cell)
{
	return &r->results[cell >> 2];
}
static inline enum reach_sym reach_cell_sym(uint32_t cell)
{
	return (enum reach_sym)(cell & 3u);
}

/* The words of a flow's ends ("handed to nva1-nic, via er-primary; the
 * appliance's VM is down at nva2-nic"), and its appliances' names joined
 * by ", " ("-" for none), written to buf (truncated to len). */
const char *reach_result_ends(const struct reach_result *x, char *buf, size_t len);
const char *reach_result_appliances(const struct reach_result *x, char *buf, size_t len);

#endif
