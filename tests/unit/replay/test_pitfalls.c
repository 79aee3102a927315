/*
 * test_pitfalls.c - the `vnetsim check` warnings (models/replay/pitfalls.h): each
 * pitfall on a minimal scenario, with its JSON path, and the fixed version
 * of the same scenario that must stay silent.  Limits are probed at their
 * boundaries (just below "near", near, at, above).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pitfalls.h"
#include "scenario.h"
#include "diag.h"

/* ---- scenario text ------------------------------------------------------ */

struct text {
	char *s;
	size_t len;
	FILE *f;
};

static void text_begin(struct text *t)
{
	t->s = NULL;
	t->len = 0;
	t->f = open_memstream(&t->s, &t->len);
	cr_assert_not_null(t->f);
}

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
}

static char *text_end(struct text *t)
{
	cr_assert_eq(fclose(t->f), 0);
	return t->s;
}

/* A hub (10.0.0.0/16) with RouteServerSubnet, GatewaySubnet, nva and app
 * subnets, a Route Server "ars" and an NVA NIC at 10.0.1.4; `extra_*`
 * splice more JSON in. */
static char *hub(const char *gw_subnet_extra, const char *nva_subnet_extra,
		 const char *route_tables, const char *nics_extra, const char *conns,
		 const char *events, const char *vnets_extra, const char *hub_peerings)
{
	struct text t;
	text_begin(&t);
	add(&t, "{\"schemaVersion\": 1, \"name\": \"t\",\n"
		"\"serviceTags\": {\"values\": []},\n"
		"\"topology\": {\"virtualNetworks\": [\n"
		" {\"name\": \"hub\", \"location\": \"westeurope\",\n"
		"  \"addressSpace\": {\"addressPrefixes\": [\"10.0.0.0/16\"]},\n"
		"  \"subnets\": [\n"
		"   {\"name\": \"GatewaySubnet\", \"addressPrefix\": \"10.0.255.0/27\"%s},\n"
		"   {\"name\": \"RouteServerSubnet\", \"addressPrefix\": \"10.0.254.0/26\"},\n"
		"   {\"name\": \"nva\", \"addressPrefix\": \"10.0.1.0/24\"%s},\n"
		"   {\"name\": \"app\", \"addressPrefix\": \"10.0.2.0/24\"}],\n"
		"  \"virtualNetworkPeerings\": [%s]}%s],\n"
		" \"routeTables\": [%s],\n"
		" \"networkInterfaces\": [\n"
		"  {\"name\": \"nva-nic\", \"enableIPForwarding\": true, \"ipConfigurations\": "
		"[{\"subnet\": {\"id\": \"hub/nva\"}, \"privateIPAddress\": \"10.0.1.4\"}]},\n"
		"  {\"name\": \"app-nic\", \"ipConfigurations\": [{\"subnet\": {\"id\": "
		"\"hub/app\"}, \"privateIPAddress\": \"10.0.2.4\"}]}%s],\n"
		" \"routeServers\": [{\"name\": \"ars\", \"subnet\": {\"id\": "
		"\"hub/RouteServerSubnet\"},\n"
		"  \"bgpConnections\": [%s]}]},\n"
		"\"events\": [%s]}\n",
	    gw_subnet_extra ? gw_subnet_extra : "", nva_subnet_extra ? nva_subnet_extra : "",
	    hub_peerings ? hub_peerings : "", vnets_extra ? vnets_extra : "",
	    route_tables ? route_tables : "", nics_extra ? nics_extra : "",
	    conns ? conns : "{\"name\": \"nva1\", \"peerIp\": \"10.0.1.4\", \"peerAsn\": 65001}",
	    events ? events : "");
	return text_end(&t);
}

/* ---- running the check -------------------------------------------------- */

struct result {
	struct diag *d;
	size_t n;
};

static struct result check(const char *json)
{
	char path[] = "/tmp/vnetsim-pitfalls-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	size_t len = strlen(json);
	cr_assert_eq(write(fd, json, len), (ssize_t)len);
	close(fd);
	struct result r = { .d = diag_create() };
	bool env = false;
	struct scenario *sc = scenario_load(path, NULL, r.d, &env);
	if (!sc)
		diag_print(r.d, stderr);
	cr_assert_not_null(sc, "the test scenario does not load:\n%s", json);
	size_t before = diag_count(r.d, DIAG_WARNING);
	r.n = pitfalls_check(sc, r.d);
	cr_assert_neq(r.n, (size_t)-1);
	cr_expect_eq(diag_count(r.d, DIAG_WARNING), before + r.n);
	scenario_destroy(sc);
	unlink(path);
	return r;
}

/* The pitfall warnings whose path is `path` and message contains `needle`. */
static size_t count_sev(const struct result *r, enum diag_severity sev, const char *path,
			const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < diag_stored(r->d); i++) {
		const struct diag_entry *e = diag_get(r->d, i);
		if (e->severity == sev && e->path && strcmp(e->path, path) == 0 &&
		    strstr(e->message, needle))
			n++;
	}
	return n;
}

static size_t count(const struct result *r, const char *path, const char *needle)
{
	return count_sev(r, DIAG_WARNING, path, needle);
}

static void dump(const struct result *r)
{
	diag_print(r->d, stderr);
}

/* A scenario where every pitfall is avoided: the NVA subnet overrides
 * 0.0.0.0/0, so nothing is reported. */
#define RT_NVA                                                                                 \
	"{\"name\": \"rt-nva\", \"routes\": [{\"name\": \"inet\", \"addressPrefix\": "        \
	"\"0.0.0.0/0\", \"nextHopType\": \"Internet\"}]}"
#define USE_RT_NVA ", \"routeTable\": {\"id\": \"rt-nva\"}"

Test(pitfalls, clean_scenario_is_silent)
{
	char *j = hub(NULL, USE_RT_NVA, RT_NVA, NULL, NULL, NULL, NULL, NULL);
	struct result r = check(j);
	if (r.n)
		dump(&r);
	cr_expect_eq(r.n, 0);
	diag_destroy(r.d);
	free(j);
}

Test(pitfalls, gateway_subnet_propagation_and_default_route)
{
	char *j = hub(", \"routeTable\": {\"id\": \"rt-gw\"}", USE_RT_NVA,
		      RT_NVA ", {\"name\": \"rt-gw\", \"disableBgpRoutePropagation\": true, "
			     "\"routes\": [{\"name\": \"x\", \"addressPrefix\": \"10.9.0.0/16\", "
			     "\"nextHopType\": \"None\"}, {\"name\": \"def\", \"addressPrefix\": "
			     "\"0.0.0.0/0\", \"nextHopType\": \"None\"}]}",
		      NULL, NULL, NULL, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.topology.virtualNetworks[0].subnets[0].routeTable",
			   "disables BGP route propagation"), 1);
	cr_expect_eq(count(&r, "$.topology.routeTables[1].routes[1]", "0.0.0.0/0"), 1);
	cr_expect_eq(r.n, 2);
	diag_destroy(r.d);
	free(j);
}

Test(pitfalls, appliance_next_hops)
{
	char *j = hub(NULL, USE_RT_NVA,
		      RT_NVA
		      ", {\"name\": \"rt-app\", \"routes\": [{\"name\": \"ok\", \"addressPrefix\": "
		      "\"10.50.0.0/16\", \"nextHopType\": \"VirtualAppliance\", "
		      "\"nextHopIpAddress\": \"10.0.1.4\"},{\"name\": \"nobody\", "
		      "\"addressPrefix\": \"10.51.0.0/16\", \"nextHopType\": \"VirtualAppliance\", "
		      "\"nextHopIpAddress\": \"10.0.1.99\"},{\"name\": \"far\", \"addressPrefix\": "
		      "\"10.52.0.0/16\", \"nextHopType\": \"VirtualAppliance\", "
		      "\"nextHopIpAddress\": \"192.0.2.1\"},{\"name\": \"nofwd\", "
		      "\"addressPrefix\": \"10.53.0.0/16\", \"nextHopType\": \"VirtualAppliance\", "
		      "\"nextHopIpAddress\": \"10.0.2.4\"}]}",
		      NULL, NULL, NULL, NULL, NULL);
	/* rt-app is on no subnet yet: reachability is not judged, holders are. */
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.topology.routeTables[1].routes[0]", ""), 0);
	cr_expect_eq(count(&r, "$.topology.routeTables[1].routes[1]", "no NIC holds 10.0.1.99"), 1);
	cr_expect_eq(count(&r, "$.topology.routeTables[1].routes[2]", "no NIC holds 192.0.2.1"), 1);
	cr_expect_eq(count(&r, "$.topology.routeTables[1].routes[3]", "enableIPForwarding false"),
		     1);
	diag_destroy(r.d);
	free(j);
}

Test(pitfalls, appliance_out_of_reach_and_loop)
{
	/* The NVA subnet routes 10.0.0.0/16 (which holds itself) to itself, and
	 * 10.52.0.0/16 to an address outside every VNet prefix. */
	char *j = hub(NULL, ", \"routeTable\": {\"id\": \"rt\"}",
		      "{\"name\": \"rt\", \"routes\": [{\"name\": \"inet\", \"addressPrefix\": "
		      "\"0.0.0.0/0\", \"nextHopType\": \"Internet\"},{\"name\": \"loop\", "
		      "\"addressPrefix\": \"10.0.0.0/16\", \"nextHopType\": \"VirtualAppliance\", "
		      "\"nextHopIpAddress\": \"10.0.1.4\"},{\"name\": \"far\", \"addressPrefix\": "
		      "\"10.52.0.0/16\", \"nextHopType\": \"VirtualAppliance\", "
		      "\"nextHopIpAddress\": \"192.0.2.1\"}]}",
		      NULL, NULL, NULL, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.topology.routeTables[0].routes[1]", "loops back"), 1);
	cr_expect_eq(count(&r, "$.topology.routeTables[0].routes[2]", "next hop type None"), 1);
	cr_expect_eq(count(&r, "$.topology.routeTables[0].routes[2]", "no NIC holds"), 0);
	diag_destroy(r.d);
	free(j);
}

Test(pitfalls, one_sided_peering)
{
	const char *spoke = ",\n {\"name\": \"spoke\", \"location\": \"westeurope\", "
			    "\"addressSpace\": {\"addressPrefixes\": [\"10.1.0.0/16\"]}, "
			    "\"subnets\": [{\"name\": \"a\", \"addressPrefix\": \"10.1.0.0/24\"}]}";
	char *j =
		hub(NULL, USE_RT_NVA, RT_NVA, NULL, NULL, NULL, spoke,
		    "{\"name\": \"hub-to-spoke\", \"remoteVirtualNetwork\": {\"id\": \"spoke\"}}");
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.topology.virtualNetworks[0].virtualNetworkPeerings[0]",
			   "no peering back"), 1);
	cr_expect_eq(r.n, 1);
	diag_destroy(r.d);
	free(j);
}

static char *with_app_nics(unsigned n)
{
	char nics[256];
	snprintf(nics, sizeof(nics),
		 ", {\"name\": \"vm-*\", \"count\": %u, \"ipConfigurations\": [{\"subnet\": "
		 "{\"id\": \"hub/big\"}}]}",
		 n);
	/* A /16 in its own VNet peered through the hub's Route Server would be
	 * larger to write; one big subnet in the hub is enough. */
	char *j = hub(NULL, USE_RT_NVA, RT_NVA, nics, NULL, NULL, NULL, NULL);
	char *at = strstr(j, "{\"name\": \"app\", \"addressPrefix\": \"10.0.2.0/24\"}");
	cr_assert_not_null(at);
	struct text t;
	text_begin(&t);
	add(&t, "%.*s{\"name\": \"big\", \"addressPrefix\": \"10.0.16.0/20\"}, %s",
	    (int)(at - j), j, at);
	free(j);
	return text_end(&t);
}

Test(pitfalls, route_server_capacity)
{
	/* 2 NICs exist already; capacity at minCapacity 2 is 4,000 VMs. */
	static const struct {
		unsigned extra;
		const char *needle;
	} cases[] = { { 3597, NULL },
		      { 3598, "near its capacity of 4000" },
		      { 3998, "near its capacity of 4000" },
		      { 3999, "exceed its capacity of 4000" } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *j = with_app_nics(cases[i].extra);
		struct result r = check(j);
		size_t got = count(&r, "$.topology.routeServers[0]", "capacity");
		cr_expect_eq(got, cases[i].needle ? 1 : 0, "case %zu", i);
		if (cases[i].needle)
			cr_expect_eq(count(&r, "$.topology.routeServers[0]", cases[i].needle), 1,
				     "case %zu", i);
		diag_destroy(r.d);
		free(j);
	}
}

static char *with_routes(unsigned n, unsigned tags)
{
	struct text t;
	text_begin(&t);
	add(&t, RT_NVA ", {\"name\": \"rt-big\", \"routes\": [");
	for (unsigned i = 0; i < n; i++)
		add(&t,
		    "%s{\"name\": \"r%u\", \"addressPrefix\": \"%s\", \"nextHopType\": \"None\"}",
		    i ? "," : "", i, "");
	char *rts = text_end(&t);
	/* Fill in prefixes: 11.x.y.0/24, unique per route. */
	struct text u;
	text_begin(&u);
	unsigned k = 0;
	for (const char *p = rts; *p; p++) {
		if (strncmp(p, "\"addressPrefix\": \"\"", 19) == 0) {
			if (k < tags)
				add(&u, "\"addressPrefix\": \"Storage%u\"", k);
			else
				add(&u, "\"addressPrefix\": \"11.%u.%u.0/24\"", k / 256, k % 256);
			k++;
			p += 18;
		} else {
			fputc(*p, u.f);
		}
	}
	add(&u, "]}");
	free(rts);
	return text_end(&u);
}

Test(pitfalls, routes_per_table)
{
	static const struct {
		unsigned n;
		bool warn;
	} cases[] = { { 359, false }, { 360, true }, { 400, true } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *rts = with_routes(cases[i].n, 0);
		char *j = hub(NULL, USE_RT_NVA, rts, NULL, NULL, NULL, NULL, NULL);
		struct result r = check(j);
		cr_expect_eq(count(&r, "$.topology.routeTables[1].routes", "near the limit of 400"),
			     cases[i].warn ? 1 : 0, "case %zu", i);
		diag_destroy(r.d);
		free(j);
		free(rts);
	}
}

Test(pitfalls, bgp_peers)
{
	struct text t;
	text_begin(&t);
	for (unsigned i = 0; i < 8; i++)
		add(&t, "%s{\"name\": \"n%u\", \"peerIp\": \"10.0.1.%u\", \"peerAsn\": %u}",
		    i ? "," : "", i, 10 + i, 65001 + i);
	char *conns = text_end(&t);
	char *j = hub(NULL, USE_RT_NVA, RT_NVA, NULL, conns, NULL, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.topology.routeServers[0].bgpConnections", "at the limit of 8"),
		     1);
	diag_destroy(r.d);
	free(j);
	free(conns);
}

Test(pitfalls, nva_own_default_route)
{
	const char *adv = "{\"at\": 0, \"op\": \"advertise\", \"from\": \"ars/nva1\", "
			  "\"prefixes\": [\"10.9.0.0/16\", \"0.0.0.0/0\"]}";
	const char *path = "$.topology.routeServers[0].bgpConnections[0]";
	/* Definite: an event advertises 0.0.0.0/0 and nothing overrides it. */
	char *j = hub(NULL, NULL, NULL, NULL, NULL, adv, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, path, "advertises 0.0.0.0/0 (events[0])"), 1);
	cr_expect_eq(count(&r, path, "possible"), 0);
	diag_destroy(r.d);
	free(j);
	/* Possible: no event says what the NVA advertises: a note. */
	j = hub(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	r = check(j);
	cr_expect_eq(count_sev(&r, DIAG_NOTE, path, "possible: if NVA \"ars/nva1\""), 1);
	cr_expect_eq(count(&r, path, "0.0.0.0/0"), 0, "not a warning");
	diag_destroy(r.d);
	free(j);
	/* Its events advertise routes but no 0.0.0.0/0: nothing to say. */
	j = hub(NULL, NULL, NULL, NULL, NULL,
		"{\"at\": 0, \"op\": \"advertise\", \"from\": \"ars/nva1\", "
		"\"prefixes\": [\"10.9.0.0/16\"]}",
		NULL, NULL);
	r = check(j);
	cr_expect_eq(count_sev(&r, DIAG_NOTE, path, "0.0.0.0/0"), 0);
	cr_expect_eq(count(&r, path, "0.0.0.0/0"), 0);
	diag_destroy(r.d);
	free(j);
	/* Fixed by a 0.0.0.0/0 route on the NVA subnet, or by disabled
	 * propagation there. */
	j = hub(NULL, USE_RT_NVA, RT_NVA, NULL, NULL, adv, NULL, NULL);
	r = check(j);
	cr_expect_eq(count(&r, path, ""), 0);
	diag_destroy(r.d);
	free(j);
	j = hub(NULL, USE_RT_NVA,
		"{\"name\": \"rt-nva\", \"disableBgpRoutePropagation\": true, \"routes\": []}",
		NULL, NULL, adv, NULL, NULL);
	r = check(j);
	cr_expect_eq(count(&r, path, ""), 0);
	diag_destroy(r.d);
	free(j);
}

Test(pitfalls, advertise_to_one_instance)
{
	const char *ev = "{\"at\": 0, \"op\": \"advertise\", \"from\": \"ars/nva1\", \"prefixes\": "
			 "[\"10.9.0.0/16\"], \"to\": [\"IN_1\"]},{\"at\": 1, \"op\": "
			 "\"advertise\", \"from\": \"ars/nva1\", \"prefixes\": [\"10.9.0.0/16\"], "
			 "\"to\": [\"IN_0\", \"IN_1\"]}";
	char *j = hub(NULL, USE_RT_NVA, RT_NVA, NULL, NULL, ev, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.events[0].to", "advertises to IN_1 only"), 1);
	cr_expect_eq(count(&r, "$.events[1].to", ""), 0);
	diag_destroy(r.d);
	free(j);
}

/* An advertise event of n prefixes 12.0.0.0/24, 12.0.1.0/24, ... from
 * offset `first`. */
static void advertise(struct text *t, unsigned at, const char *op, unsigned first, unsigned n)
{
	add(t, "%s{\"at\": %u, \"op\": \"%s\", \"from\": \"ars/nva1\", \"prefixes\": [",
	    at ? "," : "", at, op);
	for (unsigned i = 0; i < n; i++)
		add(t, "%s\"12.%u.%u.0/24\"", i ? "," : "", (first + i) / 256, (first + i) % 256);
	add(t, "]}");
}

Test(pitfalls, prefixes_per_peer)
{
	/* 899 prefixes: quiet; +1 (900): near; withdraw 100 then +200 (1000):
	 * still only the one near warning; +1 (1001): above. */
	struct text t;
	text_begin(&t);
	advertise(&t, 0, "advertise", 0, 899);
	advertise(&t, 1, "advertise", 0, 900); /* re-advertising counts once */
	advertise(&t, 2, "withdraw", 0, 100);
	advertise(&t, 3, "advertise", 900, 200);
	advertise(&t, 4, "advertise", 1100, 1);
	char *ev = text_end(&t);
	char *j = hub(NULL, USE_RT_NVA, RT_NVA, NULL, NULL, ev, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.events[0].prefixes", ""), 0);
	cr_expect_eq(count(&r, "$.events[1].prefixes", "900 distinct prefixes: near its limit of "
							"1000"),
		     1);
	cr_expect_eq(count(&r, "$.events[3].prefixes", ""), 0);
	cr_expect_eq(count(&r, "$.events[4].prefixes", "1001 distinct prefixes to IN_0: above"), 1);
	diag_destroy(r.d);
	free(j);
	free(ev);
}

Test(pitfalls, route_server_total_prefixes)
{
	/* 10 NVAs are not allowed, so use maxRoutes 4000 on three of them:
	 * 3 x 3,400 distinct prefixes + the hub's one prefix > 10,000. */
	struct text c;
	text_begin(&c);
	for (unsigned i = 0; i < 3; i++)
		add(&c, "%s{\"name\": \"n%u\", \"peerIp\": \"10.0.1.%u\", \"peerAsn\": %u, "
			"\"maxRoutes\": 4000}",
		    i ? "," : "", i, 10 + i, 65001 + i);
	char *conns = text_end(&c);
	struct text t;
	text_begin(&t);
	for (unsigned i = 0; i < 3; i++) {
		add(&t,
		    "%s{\"at\": %u, \"op\": \"advertise\", \"from\": \"ars/n%u\", \"prefixes\": [",
		    i ? "," : "", i, i);
		for (unsigned k = 0; k < 3400; k++)
			add(&t, "%s\"%u.%u.%u.0/24\"", k ? "," : "", 20 + i, k / 256, k % 256);
		add(&t, "]}");
	}
	char *ev = text_end(&t);
	char *j = hub(NULL, USE_RT_NVA, RT_NVA, NULL, conns, ev, NULL, NULL);
	struct result r = check(j);
	cr_expect_eq(count(&r, "$.events[1]", "near the limit of 10000"), 0); /* 6,801 */
	cr_expect_eq(count(&r, "$.events[2]", "10201 distinct prefixes"), 1);
	diag_destroy(r.d);
	free(j);
	free(ev);
	free(conns);
}
