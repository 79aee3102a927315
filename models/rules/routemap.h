/*
 * routemap.h - Route Server route maps (RULES 1.10): what one map does to
 * one route, and the Route Server's post-policy RIBs built with it.
 *
 * What it models: a route map is an ordered list of rules, as ARM's
 * Microsoft.Network/virtualHubs/routeMaps has them.  A rule matches a route
 * when every one of its match criteria does (no criterion: every route);
 * a matched rule applies all its actions, then either stops the map
 * (Terminate) or hands the changed route to the next rule (Continue).  An
 * unmatched rule passes the route on unchanged.  A route that reaches the
 * end of the map is permitted with what the rules made of it; a Drop
 * action ends the map with the route dropped.
 *
 *   criterion  Contains / Equals / NotContains / NotEquals over the values
 *              it lists: routePrefix, community, asPath (each property
 *              given must pass; Not* negates the property's test)
 *   action     Add (asPath prepend, community add), Remove (community),
 *              Replace (routePrefix: summarize, stripping AS path and
 *              communities; asPath / community: set, [] clears), Drop
 *              (every matched route, or with routePrefix values only
 *              those inside one of them)
 *
 * Summarization can turn one route into several (a Replace listing two
 * prefixes): the result carries every prefix the route became, all with
 * the same attributes.
 *
 * Inbound maps sit between what a Route Server instance holds from an NVA
 * peer (peer->in, the Adj-RIB-In as received) and the decision: the post-
 * policy RIB (peer->pol) is what the decision reads (peer_rib).  Outbound
 * maps change only what is advertised to that peer (RULES 1.10), never the
 * Route Server's own best path; they are applied by whoever prints the
 * advertisement.
 *
 * Invariants: a map is immutable once loaded (topology arena); every
 * function here is pure except routemap_refresh, which writes only the
 * peers' pol RIBs.  Ownership: an rm_result's arrays are malloc'd and
 * freed by rm_result_fini.  Costs: routemap_apply O(rules x (criteria +
 * actions) x values x route attributes); routemap_refresh O(routes of the
 * mapped peers x that + log RIB).
 */
#ifndef RULES_ROUTEMAP_H
#define RULES_ROUTEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct speakers;
struct topology;
struct vnet;
struct rib_route;

enum rm_cond { RM_CONTAINS, RM_EQUALS, RM_NOT_CONTAINS, RM_NOT_EQUALS };
enum rm_action_type { RM_ADD, RM_REMOVE, RM_REPLACE, RM_DROP };
enum rm_next { RM_CONTINUE, RM_TERMINATE };

/* Values of a criterion or of an action's parameters; has_* says the key
 * was given (an empty asPath in a Replace clears the path). */
struct rm_values {
	struct prefix *prefixes;
	size_t nprefixes;
	uint32_t *asns;
	size_t nasns;
	uint32_t *communities;        /* (high << 16) | low, as "high:low" */
	size_t ncommunities;
	bool has_prefix, has_asn, has_community;
};

struct rm_criterion {
	enum rm_cond cond;
	struct rm_values v;
};

struct rm_action {
	enum rm_action_type type;
	struct rm_values v;            /* the union of the action's parameters */
};

struct rm_rule {
	const char *name;
	struct rm_criterion *crit;
	size_t ncrit;
	struct rm_action *act;
	size_t nact;
	enum rm_next next;
};

struct route_map {
	const char *name;
	struct rm_rule *rules;
	size_t nrules;
};

enum rm_verdict { RM_UNCHANGED, RM_MODIFIED, RM_DROPPED };

/* A route after a map: its prefixes (one unless summarized into several)
 * and attributes. */
struct rm_result {
	enum rm_verdict verdict;
	struct prefix *prefixes;
	size_t nprefixes;
	uint32_t *as_path;
	size_t as_len;
	uint32_t *communities;
	size_t ncommunities;
	long last_rule;                /* index of the last rule that matched, -1 none */
};

/* Runs map m over route r (a NULL map permits it unchanged).  0, or -1 out
 * of memory (*out then holds nothing to free). */
int routemap_apply(const struct route_map *m, const struct rib_route *r, struct rm_result *out);
void rm_result_fini(struct rm_result *res);

/* Does the criterion / rule match the route's current state?  Exposed for
 * the unit tests and for `vnetsim bgp`'s explanations. */
bool routemap_criterion_matches(const struct rm_criterion *c, const struct prefix *prefixes,
				size_t nprefixes, const uint32_t *as_path, size_t as_len,
				const uint32_t *communities, size_t ncommunities);

/* Azure's own communities, which a map must not remove (RULES 1.10). */
bool routemap_azure_community(uint32_t community);
/* ASNs Azure reserves, not to be prepended (RULES 1.10). */
bool routemap_reserved_asn(uint32_t asn);

/* "65001:100" into *out; false when it is not two numbers 0..65535. */
bool routemap_parse_community(const char *s, uint32_t *out);
/* "high:low" into buf (12 bytes). */
char *routemap_format_community(uint32_t c, char buf[12]);

/* Does any bgpConnection of hub's Route Server have an inbound map?  Its
 * domain is then decided whole after a change (a map may move a route to
 * another prefix, so the touched prefixes do not say what changed). */
bool routemap_hub_mapped(const struct vnet *hub);

/* Rebuilds every NVA peer's post-policy RIBs from its Adj-RIBs-In and the
 * inbound map its bgpConnection has in t (none: the peer reads in[]).
 * When two routes become one prefix the first in prefix order stays.
 * 0, or -1 out of memory (the peers then read in[] unchanged). */
int routemap_refresh(struct speakers *sp, const struct topology *t);

#endif
