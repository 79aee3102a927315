/*
 * scenario.h - a scenario file (RULES 2): settings, service tags, the
 * topology, the timeline of events and the expectations, all validated
 * before anything is simulated.
 *
 * The parsed JSON document is kept: it is the configuration's source of
 * truth, and configuration edits (`add`, `set`, `remove`) are applied to a
 * copy of its `topology` member (edit.h).
 *
 * What it models: RULES 2 (the file), 2.1 through topo_load.h, 2.2 (events:
 * sorted by time, equal times in file order, each judged against the
 * topology the earlier ones leave: validate.h) and 2.3 (expectations, whose
 * checkpoints, NICs and subnets must exist or be added by an event).
 *
 * Invariants of a loaded scenario: no error was reported while loading it;
 * events[] is sorted by (at_ms, index), index being the position in
 * $.events; every checkpoint label is in labels once; topo is the initial
 * topology and topology_json the member it was built from.
 *
 * Ownership: the scenario owns doc, and every string and cJSON pointer of
 * its events and expectations points into doc (or routes_docs, the
 * expectation files it read); the events' prefix, AS path and community
 * arrays, the expectations and the owned catalogues are malloc'd and its
 * own; the topology (one reference) owns its arena.  scenario_destroy
 * frees all of it.  Costs: parsing is linear in the file; events are
 * sorted in O(E log E); the loader's costs are in topo_load.h.
 */
#ifndef REPLAY_SCENARIO_H
#define REPLAY_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "topology.h"

struct diag;
struct svctag_catalog;

enum ev_op {
	EV_ADVERTISE,
	EV_WITHDRAW,
	EV_PEER_DOWN,
	EV_PEER_UP,
	EV_INSTANCE_DOWN,
	EV_INSTANCE_UP,
	EV_ADD,
	EV_SET,
	EV_REMOVE,
	EV_CHECKPOINT,
};
const char *ev_op_name(enum ev_op op);

struct event {
	size_t index;                 /* in $.events */
	int64_t at_ms;
	enum ev_op op;
	const char *from;             /* advertise/withdraw: "ars/nva1" or a connection */
	struct prefix *prefixes;
	size_t nprefixes;
	uint32_t *as_path;
	size_t as_len;
	bool has_as_path;
	uint32_t next_hop;
	bool has_next_hop;
	uint32_t *communities;        /* (high << 16) | low */
	size_t ncommunities;
	unsigned to_mask;             /* bit i: instance IN_i; 3 = both (default) */
	bool has_to;                  /* "to" was given */
	const char *peer;             /* peerDown/peerUp */
	bool graceful;                /* peerDown mode */
	int64_t hold_elapsed_ms;      /* silent peerDown: time since the last keepalive the
					 Azure side received (sweeps draw it); 0 in files */
	const char *target;           /* instanceDown/Up: "ars/IN_0" */
	const char *path;             /* add/set/remove */
	const cJSON *value;           /* add/set */
	const char *label;            /* checkpoint */
};

struct expectation {
	size_t index;                 /* in $.expectations */
	const char *at;               /* checkpoint label, "start", "end" */
	const char *nic, *subnet;     /* one of them */
	bool has_destination;
	uint32_t destination;
	enum nh_type nh;
	bool has_nh_ip;
	uint32_t nh_ip;
	const cJSON *routes;          /* {"value": [...]} for a whole-table check, or NULL */
	/* A reach fact (expect_reach.h): from/to/result/via instead of the above. */
	bool reach;
	const char *reach_from;       /* NIC name or "vnet/subnet" */
	uint32_t reach_to;
	int reach_result;             /* enum trace_verdict */
	bool reach_has_via;
	size_t reach_nvia;
	uint32_t reach_via[8];        /* sorted, unique */
};

struct strmap;

struct scenario {
	const char *file;
	cJSON *doc;                   /* the whole parsed file */
	cJSON *routes_docs;           /* expectation route files, owned */
	const char *ref_root;         /* scenario_opts.ref_root, borrowed */
	uint64_t max_events;          /* scenario_opts.max_events (budget.h) */
	const char *name, *description;
	uint64_t seed;
	struct settings settings;
	struct svctag_catalog *tags;  /* what topology loads use */
	struct svctag_catalog *owned_tags[2];
	const cJSON *topology_json;   /* inside doc */
	struct topology *topo;        /* the initial topology */
	struct event *events;         /* sorted by at_ms, file order kept (stable) */
	size_t nevents;
	struct strmap *labels;        /* the checkpoint labels (a set; values unused) */
	struct expectation *expectations;
	size_t nexpectations;
	struct prefix none_storage[64];
};

struct scenario_opts {
	const char *service_tags_file; /* --service-tags, or NULL */
	struct svctag_catalog *service_tags; /* already loaded, shared across a batch */
	const char *ref_root;          /* --ref-root: where referenced files may be
					* (NULL: the scenario's folder; refpath.h);
					* must outlive the scenario */
	uint64_t max_events;           /* --max-events: engine events per run and
					* per study variant; 0: BUDGET_MAX_EVENTS_DEFAULT */
};

/* Loads and validates.  Returns NULL when any error was reported (exit 2),
 * setting *env_error when the cause was I/O (exit 3). */
struct scenario *scenario_load(const char *file, const struct scenario_opts *opts,
			       struct diag *d, bool *env_error);
/* The same from a parsed document, which the scenario owns from then on
 * (deleted on failure too); file names it in diagnostics and must outlive
 * the scenario.  A grown network (grow.h) is loaded this way. */
struct scenario *scenario_load_doc(const char *file, cJSON *doc, const struct scenario_opts *opts,
				   struct diag *d, bool *env_error);
void scenario_destroy(struct scenario *s); /* NULL is a no-op */

/* Loads a ServiceTags JSON file (public format) for --service-tags. */
struct svctag_catalog *scenario_load_service_tags(const char *file, struct diag *d,
						  bool *env_error);

#endif
