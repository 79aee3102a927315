/*
 * study_variant.h - the variants of a study (study.h): the events each one
 * injects into the baseline run, and which next hops it kills and when.
 *
 * Enumerate lists one variant per single failure of the classes the study
 * asks for, in topology order: every Route Server bgpConnection (an NVA
 * crash: peerDown) in each mode asked for, both instances of every Route
 * Server and gateway (instanceDown), every gateway connection (peerDown, or
 * for a static-only VPN connection its tunnel down), every peering
 * (remove).  With repairAfter, a second event undoes the first.
 * Monte-carlo lists its targets (each with what its failure kills) and one
 * variant per run, whose failures are drawn when it is evaluated
 * (study_variant_draw), from run k's own RNG stream (study_run_seed).
 *
 * Dead next hops (RULES 1.8, 1.9): a failed peer's next hops stop
 * forwarding while it is down: an NVA's peer IP; an ExpressRoute
 * connection's next hops; a VPN connection's gateway next hops (both
 * instances of an active-active gateway), for the prefixes that connection
 * carried at the baseline only; an active-active VPN gateway's failed
 * instance.  A static-only VPN connection keeps its local network
 * gateway's prefixes programmed while the tunnel is down: they are
 * black-holed at the gateway until the repair.
 *
 * Ownership: a variant owns its label, dead windows, prefix filter and
 * drawn events.  Its events point into its label (an instance target, a
 * peering path), into the base's targets and into the scenario's JSON (a
 * peering put back): events injected into a run must outlive it, so the
 * variants live as long as the base.  A dead window's filter belongs to
 * its variant (enumerate) or to its target's dead_spec (monte-carlo).
 */
#ifndef STUDIES_STUDY_VARIANT_H
#define STUDIES_STUDY_VARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "prefix.h"

struct diag;
struct study_base;

/* An address that is down during [from, to), for the prefixes in only
 * (sorted; all prefixes when nonly is 0). */
struct dead {
	uint32_t ip;
	int64_t from, to;
	const struct prefix *only;
	size_t nonly;
	size_t fail;                   /* monte-carlo: the failure (drawn pair), or SIZE_MAX */
};

struct variant {
	char *label;
	const char *klass;             /* "nva", "routeServerInstance", ... (static) */
	struct event ev[2];            /* the failure, and the repair when nev == 2 */
	size_t nev;
	struct dead *dead;
	size_t ndead, dead_cap;
	struct prefix *only;           /* owned filter shared by dead[] */
	struct event *drawn;           /* monte-carlo: down, up per failure */
	size_t ndrawn;
	uint32_t *fail_target;         /* monte-carlo: per failure, its study_target index */
};

/* The next hops a peer's failure kills (see the header). */
struct dead_spec {
	uint32_t *ips;                 /* owned */
	size_t nips, ips_cap;
	struct prefix *only;           /* owned, sorted; NULL: every prefix */
	size_t nonly;
};

/* Lists the variants of b's enumerate study into b.  0, or -1 out of
 * memory. */
int study_variant_list_enumerate(struct study_base *b);

/* Lists the targets of b's monte-carlo study and one variant per run.
 * 0, 2 (a target that is no BGP peer, reported on d), 3 (memory). */
int study_variant_list_monte_carlo(struct study_base *b, struct diag *d);

/* Draws run k's failures into v and injects them into b's run.  0, or -1
 * out of memory. */
int study_variant_draw(struct study_base *b, struct variant *v, size_t k);

void study_variant_fini(struct variant *v);
void study_variant_spec_fini(struct dead_spec *d);

#endif
