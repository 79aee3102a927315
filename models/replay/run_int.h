/*
 * run_int.h - what the replay's modules share: the run itself and the
 * functions one module calls in another.  Private to models/replay/run*.c;
 * callers use run.h.
 *
 * The modules:
 *   run.c          the core: life cycle, the event loop and its table of
 *                  event kinds, checkpoints, the timeline, a domain's set
 *                  and the subnets it programs, a topology's state built
 *                  whole or kept where an edit cannot reach;
 *   run_bgp.c      BGP events (advertise, withdraw, peerDown/Up,
 *                  instanceDown/Up) and their timers (hold, connect retry);
 *   run_capacity.c Route Server capacity (RULES 1.8): the NICs left without
 *                  Route Server routes, the scale-out and its timer;
 *   run_edit.c     configuration edits (add, set, remove): what an edit can
 *                  reach, the edits made in place, the rebuild;
 *   run_expect.c   expectations (RULES 2.3).
 *
 * Events are dispatched through one table indexed by enum ev_op (struct
 * run_event_ops), the way BIRD's protocols plug into its core: the core
 * schedules every file event the same way and calls the kind's apply.
 *
 * Invariants of struct run, which every module keeps:
 *  - domain_sets, built_sets, over_capacity (per topo->vnets index), tables,
 *    name_cache (per topo->subnets index), nic_seq and unprog (per
 *    topo->nics index) describe r->topo; an edit that replaces the topology
 *    replaces them together (run_edit.c);
 *  - tables[i] is the table subnet i has now, computed from domain_sets of
 *    its hub; built_sets may be ahead of domain_sets while a programming
 *    event is pending (settings.routeProgrammingDelaySeconds);
 *  - status only goes from 0 to 2 (invalid edit) or 3 (out of memory), and
 *    nothing is applied once it is not 0;
 *  - the growable arrays (rs, cps, tl, sev, pend) grow with sim/vec.h only:
 *    an out-of-memory error keeps everything already in them.
 * Ownership: the run owns everything here; strings, timer arguments and
 * probe events live in its arena and die with it.  Tables and sets are
 * reference counted: checkpoints and timeline entries hold their own
 * references.
 */
#ifndef REPLAY_RUN_INT_H
#define REPLAY_RUN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run.h"

#include <cjson/cJSON.h>

#include "edit.h"

struct arena;
struct evq;
struct strmap;

/* Event classes of the engine: at equal times changes run first, so a
 * checkpoint sees everything that happened at its time (sim/evq.h). */
enum { RUN_CLASS_CHANGE = 0, RUN_CLASS_CHECKPOINT = 1 };

/* What the core knows of an event kind (one entry per enum ev_op). */
struct run_event_ops {
	int evq_class;                 /* RUN_CLASS_CHANGE or RUN_CLASS_CHECKPOINT */
	bool file_event;               /* counted in run_events_processed, passed to the hook */
	void (*apply)(struct run *r, const struct event *e, int64_t now);
};
#define RUN_EVENT_KINDS (EV_CHECKPOINT + 1) /* EV_CHECKPOINT is the last enum ev_op */

struct rs_state {
	const char *name;              /* Route Server name (arena) */
	uint32_t units;                /* routing infrastructure units in service */
	uint64_t scale_timer;          /* pending scale-out completion, 0 none */
};

/* A domain's new routes: the set, and what it differs in from base. */
struct set_change {
	struct bgp_set *set;           /* owned until installed */
	struct bgp_set *base;          /* the set it was computed from; NULL: full build */
	struct prefix *changed;        /* prefixes whose rows differ from base's (malloc'd) */
	size_t nchanged;
};

struct pending_program {
	struct run *r;
	const char *hub;               /* VNet name (arena) */
	struct set_change ch;          /* installed when the programming event fires */
	const char *cause;
};

/* Argument of a model timer (arena). */
struct timer_arg {
	struct run *r;
	struct peer *peer;             /* hold and retry timers */
	unsigned inst;                 /* retry: the instance */
	const char *rs;                /* scale-out: Route Server name */
};

/* The NICs of one subnet that share a view (programmed or not). */
struct nic_names {
	const char **v;                /* interned, in the run's arena */
	size_t n;
	bool built;
	const char *subnet;            /* [programmed] only: the subnet's id, interned */
};

struct run {
	struct scenario *sc;
	struct diag *diag;
	struct arena *arena;           /* strings and small timer records */
	struct evq *q;
	cJSON *topo_json;              /* working copy, edits apply here */
	struct topology *topo;
	struct speakers *sp;
	struct bgp_set **domain_sets;  /* per topo->vnets index, NULL if not a hub */
	struct bgp_set **built_sets;   /* the latest computed, maybe not yet installed */
	bool *over_capacity;           /* per topo->vnets index: a hub with unprogrammed NICs */
	struct eff_table **tables;     /* per topo->subnets index */
	uint64_t *nic_seq;             /* per topo->nics index: when it was added */
	uint64_t next_seq;
	bool *unprog;                  /* per topo->nics index: beyond Route Server capacity */
	size_t nunprog;
	uint64_t unprog_nic_ms;        /* NIC-milliseconds beyond capacity until unprog_since */
	int64_t unprog_since;
	struct strmap *names;          /* NIC names interned in the arena (they outlive topologies) */
	struct nic_names *name_cache;  /* per topo->subnets index: [programmed, unprogrammed] */
	const char *stop_label;        /* run_stop_after: stop once this checkpoint is taken */
	bool stopped;
	struct rs_state *rs;           /* per Route Server name, grows */
	size_t nrs, rs_cap;
	struct checkpoint *cps;
	size_t ncps, cps_cap;
	struct timeline_entry *tl;
	size_t ntl, tl_cap;
	struct session_event *sev;
	size_t nsev, sev_cap;
	struct pending_program **pend; /* to free at destroy */
	size_t npend, pend_cap;
	int status;                    /* 0, 2 invalid edit, 3 out of memory */
	run_event_hook hook;           /* after each file event, or NULL */
	void *hook_ctx;
	run_checkpoint_hook cp_hook;   /* after each checkpoint is taken, or NULL */
	void *cp_hook_ctx;
	size_t processed;              /* file events run */
	uint64_t steps;                /* engine events run, bounded (budget.h) */
	size_t recomputed;             /* subnet tables computed, from the start */
	bool full_recompute;           /* edits recompute everything (the oracle) */
	bool in_place_shared;          /* run_allow_shared_in_place */
	int64_t end_ms;
};

/* ---- the core (run.c) ----------------------------------------------------- */

void run_oom(struct run *r); /* status 3 unless already set */
/* "what subject", the cause shown on timeline entries (arena; NULL when out
 * of memory, which run_oom has then recorded). */
const char *run_cause(struct run *r, const char *what, const char *subject);
void run_session_event(struct run *r, int64_t at, const char *peer, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "$.events[N]": the JSON path run-time diagnostics name. */
#define RUN_EVENT_PATH_LEN 40
const char *run_event_path(const struct event *e, char buf[RUN_EVENT_PATH_LEN]);

static inline bool run_is_hub(const struct vnet *v) { return v && v->domain == v; }

/* What a subnet's table is computed from. */
struct eff_input run_subnet_input(const struct run *r, const struct subnet *s);

/* Views of a NIC: programmed, or beyond Route Server capacity (RULES 1.8).
 * A change groups a subnet's NICs by (view before, view after). */
struct view_change {
	const struct topology *before_topo; /* what before_unprog indexes */
	const bool *before_unprog, *after_unprog; /* NULL: every NIC programmed */
};

static inline bool run_nic_unprog(const bool *u, size_t i) { return u && u[i]; }

/* Appends the timeline entries of one subnet's change (s of r->topo, or of
 * vc->before_topo when gone), one per group of its NICs that share a
 * (before, after) view.  Out of memory: run_oom. */
void run_log_change_views(struct run *r, int64_t at, const struct subnet *s, bool gone,
			  const struct view_change *vc, struct eff_table *before,
			  struct eff_table *after, const char *cause);

/* A BGP change in hub's domain (NULL or not a hub: nothing): its set
 * computed again (from the latest one when only the `touched` prefixes can
 * have changed, from scratch when touched is NULL), installed now or after
 * the programming delay; installing recomputes the subnets it programs. */
void run_domain_changed(struct run *r, const struct vnet *hub, int64_t now, const char *cause,
			const struct prefix *touched, size_t ntouched);

/* Subnet i of the current topology computed again from scratch; its table
 * replaced and the change logged when it differs.  -1 out of memory. */
int run_recompute_subnet(struct run *r, size_t i, int64_t now, const char *why);

/* What an edit can reach (run_edit.c classifies it). */
enum reach_kind { REACH_ALL, REACH_RT, REACH_VNET, REACH_NIC };
struct reach {
	enum reach_kind kind;
	char name[EDIT_SEG_LEN];       /* the route table or VNet edited */
	bool *vnet;                    /* REACH_VNET: per new topo->vnets index, reached */
};

/* Fresh per-topology arrays for r->topo, and the capacity state of every
 * domain.  -1 out of memory. */
int run_alloc_state(struct run *r);
/* Every domain's set of r->topo: from scratch, or (re not REACH_ALL) from
 * the latest computed set of the old topology.  -1 out of memory. */
int run_build_sets(struct run *r, const struct reach *re, const struct topology *old,
		   struct bgp_set **old_sets, struct bgp_set **old_built);
/* Every subnet's table of r->topo: computed when re (NULL: always) says the
 * edit reaches it, else the old table; every real change logged against
 * old (NULL: the start, nothing logged).  -1 out of memory. */
int run_build_tables(struct run *r, const struct reach *re, const struct topology *old,
		     struct bgp_set **old_sets, const bool *old_over,
		     struct eff_table **old_tables, int64_t now, const char *cause,
		     const struct view_change *vc);
/* Frees per-topology state of t (any array may be NULL). */
void run_free_state(const struct topology *t, struct bgp_set **sets, struct bgp_set **built,
		    struct eff_table **tables);

/* ---- Route Server capacity (run_capacity.c) ------------------------------- */

/* The capacity state of rs, created with its minimum capacity.  NULL out of
 * memory.  The pointer is valid until the next call. */
struct rs_state *run_capacity_state(struct run *r, const struct route_server *rs);
/* Marks in r->over_capacity the hubs with NICs beyond their Route Server's
 * capacity now.  -1 out of memory. */
int run_capacity_mark_hubs(struct run *r);
/* Starts a scale-out where a domain exceeds its capacity, then brings the
 * NICs' views up to date (cause NULL: the start, nothing logged). */
void run_capacity_check(struct run *r, int64_t now, const char *cause);
/* Creation order of the NICs of r->topo, carried over from old (NULL: the
 * start).  -1 out of memory, nothing changed. */
int run_capacity_number_nics(struct run *r, const struct topology *old);
/* The NICs of r->topo beyond capacity: *out NULL when none.  -1 out of
 * memory. */
int run_capacity_unprogrammed(struct run *r, bool **out, size_t *count);
/* Takes u (malloc'd or NULL) as the NICs beyond capacity from now on. */
void run_capacity_set_unprogrammed(struct run *r, bool *u, size_t n, int64_t now);

/* ---- event handlers (the table's entries) --------------------------------- */

void run_bgp_advertise(struct run *r, const struct event *e, int64_t now);
void run_bgp_withdraw(struct run *r, const struct event *e, int64_t now);
void run_bgp_peer_down(struct run *r, const struct event *e, int64_t now);
void run_bgp_peer_up(struct run *r, const struct event *e, int64_t now);
void run_bgp_instance_down(struct run *r, const struct event *e, int64_t now);
void run_bgp_instance_up(struct run *r, const struct event *e, int64_t now);
/* After a file event: a pending connect retry that would now succeed (or
 * would now fail) changes class (RULES 2.2, the end checkpoint).  O(peers). */
void run_bgp_retries_reclass(struct run *r);
void run_edit_apply(struct run *r, const struct event *e, int64_t now);

/* Whether the edit classified by re can change s's own inputs (os: s
 * before). */
bool run_edit_reaches(const struct reach *re, const struct subnet *s, const struct subnet *os);

#endif
