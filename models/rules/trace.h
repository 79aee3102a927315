/*
 * trace.h - following packets hop by hop through the effective-route
 * tables of one moment (RULES 1.11): from a NIC or a subnet to an IPv4
 * address, through appliances and gateways, every ECMP member followed.
 *
 * What it models: at each hop the destination is looked up as Network
 * Watcher does (RULES 1.7, nexthop.h), the whole ECMP set of the matched
 * prefix is taken, and each member is followed: delivered to the NIC that
 * holds the address, into an appliance's NIC (dropped when its VM is down
 * or it has no IP forwarding, left when it advertised the route to a Route
 * Server, else on from that NIC's own table), through an internal load
 * balancer's HA-ports frontend to each of its healthy backends (RULES
 * 1.11.2.7: each is one path, a backend whose VM is down is none), out of a
 * gateway connection,
 * to the Internet or a service, or dropped by a None route.  A path that
 * comes back to a NIC it left from is a loop.
 *
 * A trace environment gathers what every trace at one moment reads: the
 * topology, one table per subnet (a checkpoint's), which NICs miss Route
 * Server routes, the load balancer frontends by address, and the BGP
 * speakers' state (which NVA is down, what each advertised, what each VPN
 * gateway learned).  It is built once (O(NICs log NICs + frontends log
 * frontends + learned prefixes)) and then read only: any number of
 * traces use it.
 *
 * Ownership: the environment copies what it needs from the speakers (they
 * may change afterwards) but keeps pointers to the topology and the
 * tables, which must outlive it.  A trace's hops point into the topology.
 * Costs: a trace is O(hops x (lookup + ECMP rows)), a few hundred ns for a
 * path of two hops.
 * Invariants of a finished trace: hops are in depth-first order (a hop's
 * parent comes before it, and the hops of one path are contiguous from
 * their first hop down); each leaf (a hop with `end` set) ends one path.
 */
#ifndef RULES_TRACE_H
#define RULES_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "effective.h"
#include "speaker.h"
#include "topology.h"

struct trace_env;

struct trace_env_input {
	const struct topology *topo;
	struct eff_table *const *tables; /* per topo->subnets index; NULL entries allowed */
	const bool *nic_unprogrammed;  /* per topo->nics index, NULL when none is */
	const struct speakers *sp;     /* NULL: every appliance up, nothing learned */
};

/* NULL when out of memory. */
struct trace_env *trace_env_create(const struct trace_env_input *in);
void trace_env_destroy(struct trace_env *e); /* NULL is a no-op */
const struct topology *trace_env_topology(const struct trace_env *e);
/* The table a subnet's own lookups use (NULL when it has none). */
const struct eff_table *trace_env_table(const struct trace_env *e, const struct subnet *s);

enum trace_end {
	TRACE_CONTINUES,               /* not a leaf: the packet goes on from to_nic */
	TRACE_DELIVERED,
	TRACE_LEFT,                    /* left the modelled network (Internet, on-premises...) */
	TRACE_DROPPED,
	TRACE_LOOPED,
};
const char *trace_end_name(enum trace_end e); /* "delivered", "left", "dropped", "looped" */

enum trace_why {
	TW_NONE,
	/* delivered */
	TW_NIC,                        /* to_nic holds the destination */
	TW_PRIVATE_ENDPOINT,           /* to_name: the private endpoint */
	TW_NO_NIC,                     /* into the network, but no NIC holds the address */
	/* left */
	TW_INTERNET,
	TW_SERVICE,                    /* a service endpoint */
	TW_HANDED,                     /* to_name: the NVA peer ("ars/nva2") that advertised it */
	TW_CONNECTION,                 /* to_name: the gateway connection */
	/* dropped */
	TW_NONE_ROUTE,                 /* next hop None */
	TW_NO_HOLDER,                  /* no NIC holds the appliance address */
	TW_LB_NO_RULE,                 /* lb: its frontend has no HA-ports rule (to_name: the LB) */
	TW_LB_DOWN,                    /* lb: no backend is healthy (to_name: the LB) */
	TW_DOWN,                       /* the appliance's VM is down (to_name: its peer) */
	TW_NO_FORWARDING,              /* the appliance NIC has enableIPForwarding false */
	TW_NO_GATEWAY_ROUTE,           /* the gateway has no connection for the destination */
	TW_NO_TABLE,                   /* the NIC's subnet has no table at this moment */
	TW_TOO_LONG,                   /* more than TRACE_MAX_DEPTH hops */
	/* looped */
	TW_LOOP,                       /* to_nic: the repeated hop */
};
/* A short phrase for a leaf: "no NIC holds the appliance address" ... */
const char *trace_why_text(enum trace_why w);

#define TRACE_MAX_DEPTH 16
#define TRACE_ROOT ((size_t)-1)

struct trace_hop {
	size_t parent;                 /* TRACE_ROOT for a first hop */
	unsigned depth;                /* 0 for a first hop */
	const struct nic *from_nic;    /* where the lookup was made (NULL: from_subnet's table) */
	const struct subnet *from_subnet;
	/* The route taken: one member of the matched ECMP set. */
	enum nh_type nh;
	uint32_t nh_ip;
	bool has_nh_ip;
	bool from_rs;                  /* programmed by a Route Server */
	const char *route_table;       /* User row: its route table; NULL: System Route */
	struct prefix matched;
	unsigned member, nmembers;     /* index in the ECMP set (ascending address), its size */
	/* The internal load balancer frontend the appliance address is, or
	 * NULL; then to_nic is one of its healthy backends, index backend of
	 * nbackends (RULES 1.11.2.7). */
	const struct lb_frontend *lb;
	unsigned backend, nbackends;
	/* Where it went. */
	enum trace_end end;
	enum trace_why why;
	const struct nic *to_nic;      /* the NIC reached, when one was */
	const char *to_name;           /* peer, connection, private endpoint or service, or NULL */
};

struct trace {
	uint32_t dst;
	struct trace_hop *hops;        /* owned */
	size_t n, cap;
};

/* Traces dst from a NIC (its own view, RULES 1.8) or, when from_nic is NULL,
 * from a subnet's table.  out's buffer is reused (a zeroed struct trace is
 * empty).  0, or -1 out of memory (out then holds a part). */
int trace_run(const struct trace_env *e, const struct nic *from_nic,
	      const struct subnet *from_subnet, uint32_t dst, struct trace *out);
void trace_fini(struct trace *t);

/* Counts of the paths (leaves) by end. */
struct trace_counts {
	size_t paths, delivered, left, dropped, looped;
};
struct trace_counts trace_count(const struct trace *t);

/* A flow's verdict from its paths (RULES 1.11): delivered when every path
 * is delivered or left the network, partly dropped when only some are,
 * looped when none is and one looped, dropped otherwise. */
enum trace_verdict { TV_DELIVERED, TV_PARTLY_DROPPED, TV_DROPPED, TV_LOOPED };
enum trace_verdict trace_verdict(struct trace_counts c);
const char *trace_verdict_name(enum trace_verdict v); /* "delivered", "partly dropped" ... */

/* The NICs a path crosses as appliances (hops entered with IP forwarding):
 * for the path ending at leaf, from first to last, written to out (up to
 * max); returns how many there are. */
size_t trace_path_appliances(const struct trace *t, size_t leaf, const struct nic **out,
			     size_t max);

/* The same appliances as stateful groups, for symmetry (RULES 1.11): a NIC
 * the path entered through an internal load balancer frontend stands as
 * that frontend (its struct lb_frontend), any other as itself (its struct
 * nic).  Same order and count as trace_path_appliances. */
size_t trace_path_groups(const struct trace *t, size_t leaf, const void **out, size_t max);

/* The appliance addresses the path ending at leaf is sent to ("via": the
 * next-hop addresses of its VirtualAppliance and Route Server hops), from
 * first to last, written to out (up to max); returns how many there are. */
size_t trace_path_via(const struct trace *t, size_t leaf, uint32_t *out, size_t max);

/* The NIC holding addr as seen from vnet (that VNet first, then its
 * connected peers, then anywhere), or NULL. */
const struct nic *trace_env_nic_at(const struct trace_env *e, const struct vnet *vnet,
				   uint32_t addr);

/* The internal load balancer frontend an appliance address addr is, as
 * seen from vnet (that VNet first, then its connected peers, then
 * anywhere; a NIC holding addr nearer wins), or NULL. */
const struct lb_frontend *trace_env_lb_at(const struct trace_env *e, const struct vnet *vnet,
					  uint32_t addr);

#endif
