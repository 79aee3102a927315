/*
 * scenario.c - loading a scenario file (RULES 2, every rule of 2.1-2.3).
 *
 * Order: parse (jsonin), top level, settings, service tags, topology
 * (topo_load), events, expectations, then, when all of that is valid, the
 * events' references judged at their time (validate.h, RULES 2.2).  Every stage runs even after errors in
 * an earlier one where it can, so one run shows all problems.  Events are
 * sorted by time with a stable sort: equal times keep file order (2.2).
 */
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "edit.h"
#include "expect_reach.h"
#include "jsonin.h"
#include "platform.h"
#include "refpath.h"
#include "svctag_json.h"
#include "topo_load.h"
#include "validate.h"
#include "diag.h"
#include "strmap.h"

#define MAX_EVENTS 1000000
#define MAX_EVENT_PREFIXES 100000

static const struct {
	const char *name;
	enum ev_op op;
} OPS[] = {
	{ "advertise", EV_ADVERTISE },  { "withdraw", EV_WITHDRAW },
	{ "peerDown", EV_PEER_DOWN },   { "peerUp", EV_PEER_UP },
	{ "instanceDown", EV_INSTANCE_DOWN }, { "instanceUp", EV_INSTANCE_UP },
	{ "add", EV_ADD },              { "set", EV_SET },
	{ "remove", EV_REMOVE },        { "checkpoint", EV_CHECKPOINT },
};

const char *ev_op_name(enum ev_op op)
{
	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++)
		if (OPS[i].op == op)
			return OPS[i].name;
	return "?";
}

void scenario_destroy(struct scenario *s)
{
	if (!s)
		return;
	topology_destroy(s->topo);
	for (size_t i = 0; i < s->nevents; i++) {
		free(s->events[i].prefixes);
		free(s->events[i].as_path);
		free(s->events[i].communities);
	}
	free(s->events);
	strmap_destroy(s->labels);
	free(s->expectations);
	svctag_destroy(s->owned_tags[0]);
	svctag_destroy(s->owned_tags[1]);
	cJSON_Delete(s->routes_docs);
	cJSON_Delete(s->doc);
	free(s);
}

/* ---- settings ----------------------------------------------------------- */

struct in_settings {                   /* settings being read */
	struct scenario *s;
	const char *const *list;       /* the None profile's prefixes; NULL: explicit */
};

/* platformNoneRoutes[i]: at most none_storage's length. */
static bool read_none_prefix(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct scenario *s = ctx;
	size_t max = sizeof(s->none_storage) / sizeof(s->none_storage[0]);
	struct prefix p;
	if (i >= max) {
		jin_error(j, "more than %zu platform None prefixes", max);
		return false;
	}
	if (jin_prefix_value(j, it, &p))
		s->none_storage[s->settings.none_prefixes.n++] = p;
	return true;
}

/* platformNoneRoutes: a profile's name or an array of prefixes. */
static void read_none_routes(struct jin *j, const cJSON *o, struct in_settings *c)
{
	struct settings *st = &c->s->settings;
	const cJSON *pn = cJSON_GetObjectItemCaseSensitive(o, "platformNoneRoutes");
	if (cJSON_IsString(pn)) {
		const char *const *l = platform_none_profile(pn->valuestring);
		if (l) {
			c->list = l;
			st->none_profile = pn->valuestring;
		} else {
			jin_error_at(j, "platformNoneRoutes", "unknown profile \"%s\" (one of %s, or an "
							      "array of prefixes)",
				     pn->valuestring, platform_profile_names());
		}
	} else if (cJSON_IsArray(pn)) {
		c->list = NULL;
		st->none_profile = NULL;
		jin_each(j, "platformNoneRoutes", pn, read_none_prefix, c->s);
	} else if (pn) {
		jin_error_at(j, "platformNoneRoutes", "expected a profile name or an array of prefixes");
	}
}

/* The settings object, the path at it. */
static bool read_settings(struct jin *j, const cJSON *o, size_t i, void *ctx)
{
	static const char *const known[] = { "platformNoneRoutes", "bgpHoldSeconds",
					     "bgpKeepaliveSeconds", "bgpConnectRetrySeconds",
					     "routeProgrammingDelaySeconds",
					     "routeServerScaleOutSeconds", "horizonSeconds", NULL };
	struct in_settings *c = ctx;
	struct settings *st = &c->s->settings;
	(void)i;
	jin_known_keys(j, o, known);
	read_none_routes(j, o, c);
	struct {
		const char *key;
		int64_t *dst;
	} times[] = {
		{ "bgpHoldSeconds", &st->hold_ms },
		{ "bgpKeepaliveSeconds", &st->keepalive_ms },
		{ "bgpConnectRetrySeconds", &st->connect_retry_ms },
		{ "routeProgrammingDelaySeconds", &st->programming_delay_ms },
		{ "routeServerScaleOutSeconds", &st->scale_out_ms },
		{ "horizonSeconds", &st->horizon_ms },
	};
	for (size_t k = 0; k < sizeof(times) / sizeof(times[0]); k++)
		jin_duration(j, o, times[k].key, times[k].dst);
	/* RULES 2.1: an omitted keepalive is a third of the hold time, at
	 * most 60 s (an invalid hold time keeps 60 s; it is reported below). */
	if (!cJSON_GetObjectItemCaseSensitive(o, "bgpKeepaliveSeconds") && st->hold_ms >= 3000 &&
	    st->hold_ms / 3 < st->keepalive_ms)
		st->keepalive_ms = st->hold_ms / 3;
	if (st->hold_ms != 0 && st->hold_ms < 3000)
		jin_error_at(j, "bgpHoldSeconds", "a BGP hold time is 0 or at least 3 seconds (RFC 4271)");
	/* RFC 4271 4.4 and 10: keepalives at most once a second and more
	 * often than the hold time, or the session flaps on its own (hold 0
	 * turns both off).  Connect retry: a lower bound keeps a dropped
	 * session from filling the event queue. */
	if (st->hold_ms != 0 && st->keepalive_ms >= st->hold_ms)
		jin_error_at(j, "bgpKeepaliveSeconds",
			     "the keepalive interval (%.3fs) must be shorter than the hold time "
			     "(%.3fs), typically a third of it (RFC 4271)",
			     (double)st->keepalive_ms / 1000.0, (double)st->hold_ms / 1000.0);
	else if (st->hold_ms != 0 && st->keepalive_ms < 1000)
		jin_error_at(j, "bgpKeepaliveSeconds",
			     "keepalives are sent at most once a second (RFC 4271 4.4)");
	if (st->connect_retry_ms < 1000)
		jin_error_at(j, "bgpConnectRetrySeconds",
			     "the connect retry time must be at least 1 second");
	return true;
}

static void load_settings(struct jin *j, struct scenario *s, const cJSON *o)
{
	struct settings *st = &s->settings;
	st->hold_ms = 180000;
	st->keepalive_ms = 60000;
	st->connect_retry_ms = 60000;
	st->programming_delay_ms = 0;
	st->scale_out_ms = 1500000;
	st->horizon_ms = -1;
	st->none_profile = PLATFORM_DEFAULT_PROFILE;
	struct in_settings c = { s, platform_none_profile(PLATFORM_DEFAULT_PROFILE) };
	if (o)
		jin_in(j, "settings", o, read_settings, &c);
	const char *const *list = c.list;
	if (list) {
		size_t n = 0;
		for (; list[n]; n++)
			prefix_parse(list[n], &s->none_storage[n]);
		st->none_prefixes.n = n;
	}
	st->none_prefixes.v = s->none_storage;
}

/* ---- events ------------------------------------------------------------- */

static bool read_event_prefix(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct event *e = ctx;
	(void)i;
	if (jin_prefix_value(j, it, &e->prefixes[e->nprefixes]))
		e->nprefixes++;
	return true;
}

static bool read_prefixes(struct jin *j, const cJSON *o, const char *key, struct event *e)
{
	const cJSON *arr;
	if (!jin_array(j, o, key, true, &arr))
		return false;
	size_t n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0) {
		jin_error_at(j, key, "at least one prefix is needed");
		return false;
	}
	if (n > MAX_EVENT_PREFIXES) {
		jin_error_at(j, key, "%zu prefixes in one event (at most %d)", n, MAX_EVENT_PREFIXES);
		return false;
	}
	e->prefixes = calloc(n, sizeof(*e->prefixes));
	if (!e->prefixes)
		return false;
	jin_each(j, key, arr, read_event_prefix, e);
	return e->nprefixes == n;
}

/* "65535:65282" or a number. */
static bool parse_community(const cJSON *v, uint32_t *out)
{
	if (cJSON_IsString(v)) {
		unsigned hi, lo;
		char tail;
		if (sscanf(v->valuestring, "%5u:%5u%c", &hi, &lo, &tail) == 2 && hi <= 65535 &&
		    lo <= 65535) {
			*out = (hi << 16) | lo;
			return true;
		}
		if (strcmp(v->valuestring, "no-advertise") == 0) {
			*out = 0xFFFFFF02u;
			return true;
		}
		return false;
	}
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 4294967295.0 &&
	    v->valuedouble == (double)(uint32_t)v->valuedouble) {
		*out = (uint32_t)v->valuedouble;
		return true;
	}
	return false;
}

static bool read_as_hop(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct event *e = ctx;
	(void)i;
	if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 4294967295.0 ||
	    it->valuedouble != (double)(uint32_t)it->valuedouble)
		jin_error(j, "an AS number is a whole number 1..4294967295");
	else if (e->as_path)
		e->as_path[e->as_len++] = (uint32_t)it->valuedouble;
	return true;
}

static bool read_community(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct event *e = ctx;
	(void)i;
	if (parse_community(it, &e->communities[e->ncommunities]))
		e->ncommunities++;
	else
		jin_error(j, "a community is \"high:low\" (each 0..65535) or a number");
	return true;
}

static bool read_instance(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct event *e = ctx;
	(void)i;
	if (cJSON_IsString(it) && strcmp(it->valuestring, "IN_0") == 0)
		e->to_mask |= 1;
	else if (cJSON_IsString(it) && strcmp(it->valuestring, "IN_1") == 0)
		e->to_mask |= 2;
	else
		jin_error(j, "an instance is \"IN_0\" or \"IN_1\"");
	return true;
}

static void read_bgp_attrs(struct jin *j, const cJSON *o, struct event *e)
{
	const cJSON *arr;
	if (jin_array(j, o, "asPath", false, &arr)) {
		size_t n = (size_t)cJSON_GetArraySize(arr);
		e->as_path = calloc(n ? n : 1, sizeof(uint32_t));
		e->has_as_path = true;
		if (n > 64)
			jin_error_at(j, "asPath", "an AS path of %zu hops: at most 64 are modelled", n);
		else
			jin_each(j, "asPath", arr, read_as_hop, e);
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "nextHop"))
		e->has_next_hop = jin_ipv4(j, o, "nextHop", true, &e->next_hop);
	if (jin_array(j, o, "communities", false, &arr)) {
		size_t n = (size_t)cJSON_GetArraySize(arr);
		e->communities = calloc(n ? n : 1, sizeof(uint32_t));
		if (e->communities)
			jin_each(j, "communities", arr, read_community, e);
	}
	if (jin_array(j, o, "to", false, &arr)) {
		e->to_mask = 0;
		e->has_to = true;
		jin_each(j, "to", arr, read_instance, e);
		if (e->to_mask == 0 && cJSON_GetArraySize(arr) == 0)
			jin_error_at(j, "to", "\"to\" names no instance");
	}
}

/* "<routeServer or gateway>/IN_0" or "/IN_1"; whether the owner exists
 * at the event's time is validate_timeline's to say. */
static void check_target_shape(struct jin *j, const char *ref)
{
	const char *slash = ref ? strrchr(ref, '/') : NULL;
	if (!slash || slash == ref ||
	    (strcmp(slash + 1, "IN_0") != 0 && strcmp(slash + 1, "IN_1") != 0))
		jin_error_at(j, "target", "expected \"<routeServer or gateway>/IN_0\" or \"/IN_1\"");
}

static void load_event(struct jin *j, struct scenario *s, const cJSON *o, struct event *e)
{
	static const char *const known[] = { "at", "op", "from", "prefixes", "asPath", "nextHop",
					     "communities", "to", "peer", "mode", "target", "path",
					     "value", "label", "comment", NULL };
	jin_known_keys(j, o, known);
	const char *op = NULL;
	if (!cJSON_GetObjectItemCaseSensitive(o, "at"))
		jin_error(j, "missing required key \"at\"");
	else
		jin_duration(j, o, "at", &e->at_ms);
	e->to_mask = 3;
	if (!jin_string(j, o, "op", true, &op))
		return;
	bool found = false;
	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++)
		if (strcmp(OPS[i].name, op) == 0) {
			e->op = OPS[i].op;
			found = true;
		}
	if (!found) {
		jin_error_at(j, "op", "unknown op \"%s\" (advertise, withdraw, peerDown, peerUp, "
				      "instanceDown, instanceUp, add, set, remove, checkpoint)",
			     op);
		return;
	}
	switch (e->op) {
	case EV_ADVERTISE:
	case EV_WITHDRAW:
		jin_string(j, o, "from", true, &e->from);
		read_prefixes(j, o, "prefixes", e);
		if (e->op == EV_ADVERTISE)
			read_bgp_attrs(j, o, e);
		break;
	case EV_PEER_DOWN:
	case EV_PEER_UP: {
		const char *mode = "graceful";
		jin_name(j, o, "peer", true, &e->peer);
		/* RULES 2.2: peerDown {peer, mode}; a crash and a shutdown
		 * differ by minutes of black-holing, so no default. */
		if (e->op == EV_PEER_DOWN && jin_string(j, o, "mode", true, &mode) &&
		    strcmp(mode, "graceful") != 0 && strcmp(mode, "silent") != 0)
			jin_error_at(j, "mode", "\"%s\" is not graceful or silent", mode);
		e->graceful = strcmp(mode, "silent") != 0;
		break;
	}
	case EV_INSTANCE_DOWN:
	case EV_INSTANCE_UP:
		if (jin_string(j, o, "target", true, &e->target))
			check_target_shape(j, e->target);
		break;
	case EV_ADD:
	case EV_SET:
	case EV_REMOVE:
		if (jin_string(j, o, "path", true, &e->path)) {
			const char *why = edit_path_check(e->path);
			if (why)
				jin_error_at(j, "path", "%s", why);
		}
		e->value = cJSON_GetObjectItemCaseSensitive(o, "value");
		if (e->op != EV_REMOVE && !cJSON_IsObject(e->value))
			jin_error(j, "%s needs \"value\": an object", op);
		if (e->op == EV_REMOVE && e->value)
			jin_error_at(j, "value", "remove takes no value");
		break;
	case EV_CHECKPOINT:
		if (jin_name(j, o, "label", true, &e->label)) {
			if (strcmp(e->label, "start") == 0 || strcmp(e->label, "end") == 0 ||
			    e->label[0] == '\0')
				jin_error_at(j, "label", "\"%s\" is reserved (start and end are implicit)",
					     e->label);
			if ((s->labels || (s->labels = strmap_create())) &&
			    strmap_put(s->labels, e->label, e) == 0)
				jin_error_at(j, "label", "checkpoint \"%s\" is defined twice",
					     e->label);
		}
		break;
	}
}

static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index); /* stable: file order */
}

static bool read_event(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct scenario *s = ctx;
	struct event *e = &s->events[s->nevents];
	e->index = i;
	if (!cJSON_IsObject(it))
		jin_error(j, "expected an event object");
	else
		load_event(j, s, it, e);
	s->nevents++;
	return true;
}

static void load_events(struct jin *j, struct scenario *s, const cJSON *arr)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	if (n > MAX_EVENTS) {
		jin_error_at(j, "events", "%zu events (at most %d)", n, MAX_EVENTS);
		return;
	}
	s->events = calloc(n ? n : 1, sizeof(*s->events));
	if (!s->events)
		return;
	jin_each(j, "events", arr, read_event, s);
	qsort(s->events, s->nevents, sizeof(*s->events), event_cmp);
}

/* ---- expectations ------------------------------------------------------- */

static bool checkpoint_exists(const struct scenario *s, const char *label)
{
	if (strcmp(label, "start") == 0 || strcmp(label, "end") == 0)
		return true;
	return s->labels && strmap_has(s->labels, label);
}

/* Does an add event create something under `path` ("networkInterfaces",
 * "virtualNetworks/hub")?  Such a name may exist at a later checkpoint. */
static bool added_under(const struct scenario *s, const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < s->nevents; i++) {
		const char *p = s->events[i].path;
		if (s->events[i].op == EV_ADD && p && strncmp(p, path, n) == 0 &&
		    (p[n] == '/' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* A NIC or subnet an expectation names must exist in the topology or be
 * created by an add event: otherwise it is a dangling reference (RULES 2),
 * not a failed expectation. */
static void check_expectation_target(struct jin *j, const struct scenario *s,
				     const struct expectation *x)
{
	if (!s->topo)
		return;
	if (x->nic && !topology_nic(s->topo, x->nic) && !added_under(s, "networkInterfaces"))
		jin_error_at(j, "nic", "no NIC named \"%s\" in the topology or added by an event",
			     x->nic);
	if (x->subnet && !topology_subnet(s->topo, x->subnet)) {
		const char *slash = strchr(x->subnet, '/');
		char path[600];
		snprintf(path, sizeof(path), "virtualNetworks/%.*s", slash ? (int)(slash - x->subnet) : 0,
			 x->subnet);
		if (!slash || !added_under(s, path))
			jin_error_at(j, "subnet", "no subnet \"%s\" (\"vnet/subnet\") in the topology or "
						  "added by an event",
				     x->subnet);
	}
}

static void load_expectation(struct jin *j, struct scenario *s, const cJSON *o,
			     struct expectation *x)
{
	static const char *const known[] = { "at", "nic", "subnet", "destination", "nextHopType",
					     "nextHopIpAddress", "routes", "comment", NULL };
	if (expect_reach_is(o)) {
		/* A reach fact (RULES 2.3): its own keys, expect_reach.c. */
		if (jin_string(j, o, "at", true, &x->at) && !checkpoint_exists(s, x->at))
			jin_error_at(j, "at", "no checkpoint labelled \"%s\"", x->at);
		expect_reach_load(j, s, o, x);
		return;
	}
	jin_known_keys(j, o, known);
	if (jin_string(j, o, "at", true, &x->at) && !checkpoint_exists(s, x->at))
		jin_error_at(j, "at", "no checkpoint labelled \"%s\"", x->at);
	bool has_nic = jin_string(j, o, "nic", false, &x->nic);
	bool has_subnet = jin_string(j, o, "subnet", false, &x->subnet);
	if (has_nic == has_subnet)
		jin_error(j, "give exactly one of \"nic\" and \"subnet\"");
	else
		check_expectation_target(j, s, x);
	const cJSON *routes = cJSON_GetObjectItemCaseSensitive(o, "routes");
	bool has_dest = cJSON_GetObjectItemCaseSensitive(o, "destination") != NULL;
	if (has_dest == (routes != NULL)) {
		jin_error(j, "give either \"destination\" with \"nextHopType\", or \"routes\"");
		return;
	}
	if (has_dest) {
		const char *type;
		x->has_destination = jin_ipv4(j, o, "destination", true, &x->destination);
		if (jin_string(j, o, "nextHopType", true, &type) && !nh_type_parse(type, &x->nh))
			jin_error_at(j, "nextHopType", "\"%s\" is not a next hop type", type);
		const cJSON *ip = cJSON_GetObjectItemCaseSensitive(o, "nextHopIpAddress");
		if (ip && !cJSON_IsNull(ip))
			x->has_nh_ip = jin_ipv4(j, o, "nextHopIpAddress", true, &x->nh_ip);
		return;
	}
	if (cJSON_IsString(routes)) {
		/* A file inside the scenario's folder (refpath.h). */
		char why[200];
		bool io = false;
		cJSON *doc = ref_parse(s->file, routes->valuestring, s->ref_root, why, sizeof(why),
				       &io);
		if (!doc) {
			jin_error_at(j, "routes", "cannot use routes file \"%s\": %s",
				     routes->valuestring, why);
			return;
		}
		if (!s->routes_docs)
			s->routes_docs = cJSON_CreateArray();
		cJSON_AddItemToArray(s->routes_docs, doc);
		routes = doc;
	}
	const cJSON *value = cJSON_IsObject(routes) ? cJSON_GetObjectItemCaseSensitive(routes, "value")
						    : routes;
	if (!cJSON_IsArray(value))
		jin_error_at(j, "routes", "expected {\"value\": [rows]} as az prints it, or a file name");
	else
		x->routes = value;
}

static bool read_expectation(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct scenario *s = ctx;
	struct expectation *x = &s->expectations[s->nexpectations++];
	x->index = i;
	if (!cJSON_IsObject(it))
		jin_error(j, "expected an expectation object");
	else
		load_expectation(j, s, it, x);
	return true;
}

static void load_expectations(struct jin *j, struct scenario *s, const cJSON *arr)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	s->expectations = calloc(n ? n : 1, sizeof(*s->expectations));
	if (s->expectations)
		jin_each(j, "expectations", arr, read_expectation, s);
}

/* ---- entry -------------------------------------------------------------- */

struct svctag_catalog *scenario_load_service_tags(const char *file, struct diag *d, bool *env_error)
{
	cJSON *doc = jin_parse_file(file, d, env_error);
	if (!doc)
		return NULL;
	struct jin j;
	jin_init(&j, d, file);
	struct svctag_catalog *c = svctag_json_parse(&j, doc, file);
	cJSON_Delete(doc);
	if (jin_errors(&j) > 0) {
		svctag_destroy(c);
		return NULL;
	}
	return c;
}

struct scenario *scenario_load(const char *file, const struct scenario_opts *opts,
			       struct diag *d, bool *env_error)
{
	*env_error = false;
	cJSON *doc = jin_parse_file(file, d, env_error);
	return doc ? scenario_load_doc(file, doc, opts, d, env_error) : NULL;
}

/* serviceTags, the path at it: the scenario's own catalogue. */
static bool read_service_tags(struct jin *j, const cJSON *tags, size_t i, void *ctx)
{
	struct scenario *s = ctx;
	(void)i;
	s->owned_tags[0] = svctag_json_parse(j, tags, s->file);
	s->tags = s->owned_tags[0];
	return true;
}

/* topology, the path at it. */
static bool read_topology(struct jin *j, const cJSON *topo, size_t i, void *ctx)
{
	struct scenario *s = ctx;
	struct topo_opts to = { .tags = s->tags, .max_nics = TOPO_MAX_NICS_DEFAULT };
	(void)i;
	s->topology_json = topo;
	s->topo = topo_load(j, topo, &to);
	return s->topo != NULL;
}

struct scenario *scenario_load_doc(const char *file, cJSON *doc, const struct scenario_opts *opts,
				   struct diag *d, bool *env_error)
{
	static const char *const known[] = { "schemaVersion", "name", "description", "seed",
					     "settings", "serviceTags", "topology", "events",
					     "expectations", "$schema", NULL };
	*env_error = false;
	struct scenario *s = calloc(1, sizeof(*s));
	if (!s) {
		cJSON_Delete(doc);
		*env_error = true;
		return NULL;
	}
	s->file = file;
	s->doc = doc;
	s->ref_root = opts ? opts->ref_root : NULL;
	s->max_events = opts ? opts->max_events : 0;
	struct jin j;
	jin_init(&j, d, file);
	if (!cJSON_IsObject(s->doc)) {
		jin_error(&j, "a scenario is a JSON object");
		scenario_destroy(s);
		return NULL;
	}
	jin_known_keys(&j, s->doc, known);
	uint64_t v = 0;
	if (jin_uint(&j, s->doc, "schemaVersion", true, 0, UINT32_MAX, &v) && v != 1)
		jin_error_at(&j, "schemaVersion", "schema version %llu is not supported (this vnetsim "
						  "reads version 1)",
			     (unsigned long long)v);
	s->name = "";
	s->description = "";
	jin_name(&j, s->doc, "name", false, &s->name);
	jin_string(&j, s->doc, "description", false, &s->description);
	jin_uint(&j, s->doc, "seed", false, 0, UINT64_MAX >> 11, &s->seed);
	const cJSON *settings = NULL, *tags = NULL, *topo = NULL, *events = NULL, *exps = NULL;
	jin_object(&j, s->doc, "settings", false, &settings);
	load_settings(&j, s, settings);

	if (jin_object(&j, s->doc, "serviceTags", false, &tags)) {
		jin_in(&j, "serviceTags", tags, read_service_tags, s);
	} else if (opts && opts->service_tags) {
		s->tags = opts->service_tags;
	} else if (opts && opts->service_tags_file) {
		s->owned_tags[0] = scenario_load_service_tags(opts->service_tags_file, d, env_error);
		s->tags = s->owned_tags[0];
	}
	if (!s->tags) {
		s->owned_tags[1] = svctag_sample();
		s->tags = s->owned_tags[1];
	}
	if (jin_object(&j, s->doc, "topology", true, &topo) && s->tags)
		jin_in(&j, "topology", topo, read_topology, s);
	if (jin_array(&j, s->doc, "events", false, &events))
		load_events(&j, s, events);
	if (jin_array(&j, s->doc, "expectations", false, &exps))
		load_expectations(&j, s, exps);
	/* RULES 2.2: the events' references, judged in time order against the
	 * topology the earlier edits leave; only on a scenario that is
	 * otherwise valid (the replay needs the events whole). */
	if (jin_errors(&j) == 0 && s->topo && !validate_timeline(&j, s))
		*env_error = true;
	if (jin_errors(&j) == 0 && s->topo)
		budget_check(&j, s);
	if (jin_errors(&j) > 0 || !s->topo) {
		scenario_destroy(s);
		return NULL;
	}
	return s;
}
