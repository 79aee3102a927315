/*
 * test_speaker.c - BGP sessions and RIBs of the Azure side
 * (models/rules/speaker.c; RULES 1.8 and 1.9 limits, 2.2 session events).
 *
 * Peers come from a real topology (speakers_sync): a hub with a Route Server
 * (nva1 limited to 3 routes so limits are cheap to reach, nva2 default 1,000,
 * nva3 raised to 4,000), an active-active VPN gateway with one BGP
 * connection and an ExpressRoute gateway with a Standard and a Premium
 * connection.
 */
#include <criterion/criterion.h>

#include "bgp.h"
#include "failalloc.h"
#include "speaker.h"
#include "helpers.h"

#define HUB_VNET                                                                               \
	"{ 'name': 'hub', 'location': 'westeurope',"                                           \
	"  'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                            \
	"  'subnets': [ { 'name': 'GatewaySubnet', 'addressPrefix': '10.0.255.0/27' },"        \
	"               { 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' },"    \
	"               { 'name': 'nva', 'addressPrefix': '10.0.1.0/24' } ] }"
#define GATEWAYS                                                                               \
	"'virtualNetworkGateways': ["                                                          \
	"  { 'name': 'vpngw', 'virtualNetwork': { 'id': 'hub' }, 'gatewayType': 'Vpn',"        \
	"    'sku': { 'name': 'VpnGw2' }, 'activeActive': true, 'enableBgp': true },"          \
	"  { 'name': 'ergw', 'virtualNetwork': { 'id': 'hub' }, 'gatewayType': 'ExpressRoute',"\
	"    'sku': { 'name': 'ErGw1AZ' } } ]"
#define CONN_BRANCH_VPN                                                                        \
	"{ 'name': 'branch', 'virtualNetworkGateway': { 'id': 'vpngw' },"                      \
	"  'connectionType': 'IPsec', 'enableBgp': true, 'peerAsn': 65100 }"
#define CONN_BRANCH_ER                                                                         \
	"{ 'name': 'branch', 'virtualNetworkGateway': { 'id': 'ergw' },"                       \
	"  'connectionType': 'ExpressRoute', 'nextHopIpAddresses': ['10.24.132.70'] }"
#define CONN_ER                                                                                \
	"{ 'name': 'er-std', 'virtualNetworkGateway': { 'id': 'ergw' },"                       \
	"  'connectionType': 'ExpressRoute', 'sku': 'Standard',"                               \
	"  'nextHopIpAddresses': ['10.24.132.60'] },"                                          \
	"{ 'name': 'er-prem', 'virtualNetworkGateway': { 'id': 'ergw' },"                      \
	"  'connectionType': 'ExpressRoute', 'sku': 'Premium',"                                \
	"  'nextHopIpAddresses': ['10.24.132.61'] }"
#define NVA1(max) "{ 'name': 'nva1', 'peerIp': '10.0.1.4', 'peerAsn': 65001, 'maxRoutes': " max " }"
#define NVA2 "{ 'name': 'nva2', 'peerIp': '10.0.1.5', 'peerAsn': 65002 }"
#define NVA3 "{ 'name': 'nva3', 'peerIp': '10.0.1.6', 'peerAsn': 65003, 'maxRoutes': 4000 }"
#define NVA4 "{ 'name': 'nva4', 'peerIp': '10.0.1.7', 'peerAsn': 65004 }"
#define RS(conns)                                                                              \
	"'routeServers': [ { 'name': 'ars', 'subnet': { 'id': 'hub/RouteServerSubnet' },"      \
	"  'bgpConnections': [ " conns " ] } ]"

static const char *const TOPO_BASE =
	"{ 'virtualNetworks': [ " HUB_VNET " ], " GATEWAYS ","
	"  'connections': [ " CONN_BRANCH_VPN ", " CONN_ER " ],"
	RS(NVA1("3") ", " NVA2 ", " NVA3) " }";

/* nva2 and the branch connection removed, nva4 added, nva1 raised to 10. */
static const char *const TOPO_CHANGED =
	"{ 'virtualNetworks': [ " HUB_VNET " ], " GATEWAYS ","
	"  'connections': [ " CONN_ER " ],"
	RS(NVA1("10") ", " NVA3 ", " NVA4) " }";

/* The branch connection moved to the ExpressRoute gateway. */
static const char *const TOPO_MOVED =
	"{ 'virtualNetworks': [ " HUB_VNET " ], " GATEWAYS ","
	"  'connections': [ " CONN_BRANCH_ER ", " CONN_ER " ],"
	RS(NVA1("3") ", " NVA2 ", " NVA3) " }";

struct fx {
	struct tload tl;
	struct speakers *s;
};

static void fx_init(struct fx *f)
{
	tload(&f->tl, TOPO_BASE, NULL);
	f->s = speakers_create();
	cr_assert_not_null(f->s);
	cr_assert_eq(speakers_sync(f->s, f->tl.t), 0);
}

static void fx_fini(struct fx *f)
{
	speakers_destroy(f->s);
	tload_free(&f->tl);
}

static struct peer *peer(const struct fx *f, const char *id)
{
	struct peer *p = speakers_peer(f->s, id);
	cr_assert_not_null(p, "no peer %s", id);
	return p;
}

/* One UPDATE: n prefixes sharing an AS path. */
struct update {
	struct rib_route r[16];
	uint32_t path[4];
	size_t n;
};

/* Fills the caller's u: its routes point into u->path, so u is not
 * returned by value (the copy's routes would point into a dead frame). */
static void upd(struct update *u, const char *const *prefixes, size_t n, uint32_t asn)
{
	memset(u, 0, sizeof(*u));
	cr_assert(n <= NELEM(u->r));
	u->path[0] = asn;
	for (size_t i = 0; i < n; i++)
		u->r[i] = (struct rib_route){ .prefix = P(prefixes[i]), .as_path = u->path, .as_len = 1 };
	u->n = n;
}

static unsigned adv(struct fx *f, struct peer *p, unsigned mask, const char *const *prefixes,
		    size_t n)
{
	struct update u;
	upd(&u, prefixes, n, 65001);
	return peer_advertise(f->s, p, mask, u.r, u.n);
}

/* Advertises n distinct /24s from 100.0.0.0 up, in batches. */
static unsigned adv_many(struct fx *f, struct peer *p, size_t first, size_t n)
{
	static uint32_t path[1] = { 65100 };
	struct rib_route *r = calloc(n ? n : 1, sizeof(*r));
	cr_assert_not_null(r);
	for (size_t i = 0; i < n; i++)
		r[i] = (struct rib_route){ .prefix = { .addr = IP(100, 0, 0, 0) + (uint32_t)((first + i) << 8),
						       .len = 24 },
					   .as_path = path, .as_len = 1 };
	unsigned d = peer_advertise(f->s, p, 3, r, n);
	free(r);
	return d;
}

static bool rib_sorted(const struct rib *r)
{
	for (size_t i = 1; i < r->n; i++)
		if (prefix_compare(r->v[i - 1].prefix, r->v[i].prefix) >= 0)
			return false;
	return true;
}

/* ---- creation -------------------------------------------------------------- */

Test(speaker, destroy_null)
{
	speakers_destroy(NULL);
}

Test(speaker, empty_speakers)
{
	struct speakers *s = speakers_create();
	cr_assert_not_null(s);
	cr_expect_eq(speakers_count(s), 0);
	cr_expect_null(speakers_at(s, 0));
	cr_expect_null(speakers_peer(s, "ars/nva1"));
	speakers_destroy(s);
}

Test(speaker, sync_creates_peers_with_kind_and_limit)
{
	static const struct {
		const char *id, *owner;
		enum peer_kind kind;
		unsigned ninst;
		uint32_t limit;
	} want[] = {
		/* Route Server peers first (topology order), then connections. */
		{ "ars/nva1", "ars", PEER_NVA, 2, 3 },     /* maxRoutes */
		{ "ars/nva2", "ars", PEER_NVA, 2, 1000 },  /* default */
		{ "ars/nva3", "ars", PEER_NVA, 2, 4000 },  /* raised */
		{ "branch", "vpngw", PEER_VPN, 1, SPEAKER_VPN_LIMIT },
		{ "er-std", "ergw", PEER_ER, 1, SPEAKER_ER_LIMIT },
		{ "er-prem", "ergw", PEER_ER, 1, SPEAKER_ER_PREMIUM_LIMIT },
	};
	struct fx f;
	fx_init(&f);
	cr_expect_eq(SPEAKER_VPN_LIMIT, 4000);
	cr_expect_eq(SPEAKER_ER_LIMIT, 4000);
	cr_expect_eq(SPEAKER_ER_PREMIUM_LIMIT, 10000);
	cr_assert_eq(speakers_count(f.s), NELEM(want));
	for (size_t i = 0; i < NELEM(want); i++) {
		const struct peer *p = speakers_at(f.s, i);
		cr_assert_not_null(p);
		cr_expect_str_eq(p->id, want[i].id, "peer %zu", i);
		cr_expect_str_eq(p->owner, want[i].owner, "%s", want[i].id);
		cr_expect_eq(p->kind, want[i].kind, "%s", want[i].id);
		cr_expect_eq(p->ninst, want[i].ninst, "%s", want[i].id);
		cr_expect_eq(p->limit, want[i].limit, "%s: limit %u", want[i].id, p->limit);
		cr_expect(p->present && p->admin_up, "%s", want[i].id);
		for (unsigned k = 0; k < p->ninst; k++)
			cr_expect(p->session[k] && !p->dropped[k], "%s IN_%u established", want[i].id, k);
		cr_expect_eq(p->flaps, 0);
		cr_expect_eq(speakers_peer(f.s, want[i].id), p);
	}
	cr_expect_null(speakers_at(f.s, NELEM(want)));
	cr_expect_null(speakers_peer(f.s, "nva1"), "NVAs are named <routeServer>/<conn>");
	cr_expect_null(speakers_peer(f.s, "ars"));
	/* Syncing the same topology again changes nothing. */
	cr_expect_eq(speakers_sync(f.s, f.tl.t), 0);
	cr_expect_eq(speakers_count(f.s), NELEM(want));
	fx_fini(&f);
}

/* ---- the RIB --------------------------------------------------------------- */

Test(speaker, rib_upsert_replace_withdraw)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva2");
	static const char *const first[] = { "10.3.0.0/16", "10.2.0.0/16", "0.0.0.0/0" };
	cr_expect_eq(adv(&f, p, 3, first, 3), 0);
	for (unsigned k = 0; k < 2; k++) {
		cr_expect_eq(p->sent[k].n, 3);
		cr_expect_eq(p->in[k].n, 3);
		cr_expect(rib_sorted(&p->in[k]) && rib_sorted(&p->sent[k]), "RIBs sorted by prefix");
	}
	cr_expect(prefix_equal(p->in[0].v[0].prefix, P("0.0.0.0/0")));
	cr_expect(prefix_equal(p->in[0].v[2].prefix, P("10.3.0.0/16")));

	/* Replace: same prefix, new attributes (implicit withdraw). */
	uint32_t path[3] = { 65002, 65002, 65002 };
	uint32_t comm[1] = { BGP_COMM_NO_ADVERTISE };
	struct rib_route r = { .prefix = P("10.2.0.0/16"), .as_path = path, .as_len = 3,
			       .communities = comm, .ncommunities = 1, .next_hop = A("10.0.1.100") };
	cr_expect_eq(peer_advertise(f.s, p, 3, &r, 1), 0);
	/* The RIB owns copies: scribbling over the caller's arrays is harmless. */
	path[0] = path[1] = path[2] = 1;
	comm[0] = 0;
	for (unsigned k = 0; k < 2; k++) {
		cr_expect_eq(p->in[k].n, 3, "a replace adds no route");
		const struct rib_route *got = rib_find(&p->in[k], P("10.2.0.0/16"));
		cr_assert_not_null(got);
		cr_expect_eq(got->as_len, 3);
		cr_expect_eq(got->as_path[0], 65002);
		cr_expect_eq(got->as_path[2], 65002);
		cr_expect_eq(got->ncommunities, 1);
		cr_expect_eq(got->communities[0], BGP_COMM_NO_ADVERTISE);
		cr_expect_eq(got->next_hop, A("10.0.1.100"));
		cr_expect_eq(rib_find(&p->sent[k], P("10.2.0.0/16"))->as_len, 3);
	}
	cr_expect_null(rib_find(&p->in[0], P("10.2.0.0/17")), "exact match only");
	cr_expect_null(rib_find(&p->in[0], P("10.0.0.0/8")));

	/* Withdraw: a known and an unknown prefix. */
	const struct prefix w[] = { P("10.3.0.0/16"), P("192.0.2.0/24") };
	peer_withdraw(p, w, 2);
	for (unsigned k = 0; k < 2; k++) {
		cr_expect_eq(p->in[k].n, 2);
		cr_expect_eq(p->sent[k].n, 2, "withdrawn from what the peer sent too");
		cr_expect_null(rib_find(&p->in[k], P("10.3.0.0/16")));
	}
	const struct prefix rest[] = { P("0.0.0.0/0"), P("10.2.0.0/16") };
	peer_withdraw(p, rest, 2);
	cr_expect_eq(p->in[0].n + p->in[1].n + p->sent[0].n + p->sent[1].n, 0);
	peer_withdraw(p, rest, 2); /* from an empty RIB */
	cr_expect_eq(p->in[0].n, 0);
	fx_fini(&f);
}

Test(speaker, rib_find_on_empty_rib)
{
	struct rib r = { 0 };
	cr_expect_null(rib_find(&r, P("0.0.0.0/0")));
}

Test(speaker, advertise_to_one_instance)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva2");
	static const char *const a[] = { "192.168.1.0/24" };
	cr_expect_eq(adv(&f, p, 1, a, 1), 0);
	cr_expect_eq(p->in[0].n, 1);
	cr_expect_eq(p->sent[0].n, 1);
	cr_expect_eq(p->in[1].n, 0, "IN_1 not addressed");
	cr_expect_eq(p->sent[1].n, 0);
	cr_expect_eq(adv(&f, p, 2, a, 1), 0);
	cr_expect_eq(p->in[1].n, 1);
	/* A gateway connection has one session: the mask does not apply. */
	struct peer *c = peer(&f, "branch");
	cr_expect_eq(adv(&f, c, 2, a, 1), 0);
	cr_expect_eq(c->in[0].n, 1);
	fx_fini(&f);
}

/* ---- limits ---------------------------------------------------------------- */

Test(speaker, limit_exactly_at_the_limit_stays_up)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva1"); /* limit 3 */
	static const char *const three[] = { "10.10.0.0/16", "10.11.0.0/16", "10.12.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, three, 3), 0);
	cr_expect(p->session[0] && p->session[1]);
	cr_expect_eq(p->in[0].n, 3);
	/* Re-advertising what is held counts distinct prefixes: still 3. */
	cr_expect_eq(adv(&f, p, 3, three, 3), 0);
	cr_expect_eq(p->in[1].n, 3);
	cr_expect_eq(p->flaps, 0);
	fx_fini(&f);
}

Test(speaker, limit_counts_held_plus_new_distinct)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva1"); /* limit 3 */
	static const char *const held[] = { "10.10.0.0/16", "10.11.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, held, 2), 0);
	/* 2 held + 1 new (listed twice) + 1 already held = 3 distinct. */
	static const char *const upd1[] = { "10.12.0.0/16", "10.12.0.0/16", "10.10.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, upd1, 3), 0, "3 distinct prefixes is at the limit");
	cr_expect_eq(p->in[0].n, 3);
	fx_fini(&f);

	fx_init(&f);
	p = peer(&f, "ars/nva1");
	cr_expect_eq(adv(&f, p, 3, held, 2), 0);
	/* 2 held + 2 new = 4: over, although the UPDATE alone has 2. */
	static const char *const upd2[] = { "10.12.0.0/16", "10.13.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, upd2, 2), 3, "both sessions dropped");
	fx_fini(&f);
}

Test(speaker, one_more_drops_the_session_and_withdraws_everything)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva1"); /* limit 3 */
	static const char *const three[] = { "10.10.0.0/16", "10.11.0.0/16", "10.12.0.0/16" };
	static const char *const fourth[] = { "10.13.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, three, 3), 0);
	unsigned dropped = adv(&f, p, 3, fourth, 1);
	cr_expect_eq(dropped, 3, "bit per instance: %u", dropped);
	for (unsigned k = 0; k < 2; k++) {
		cr_expect(!p->session[k], "IN_%u down", k);
		cr_expect(p->dropped[k], "IN_%u marked as a limit drop", k);
		cr_expect_eq(p->in[k].n, 0, "IN_%u: every route of the session withdrawn", k);
		cr_expect_eq(p->sent[k].n, 4, "what the peer sent is remembered");
	}
	cr_expect_eq(p->flaps, 2, "one flap per dropped session");
	cr_expect(p->admin_up, "a limit drop is not an administrative down");
	/* While dropped, UPDATEs are remembered only. */
	static const char *const fifth[] = { "10.14.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, fifth, 1), 0);
	cr_expect_eq(p->in[0].n, 0);
	cr_expect_eq(p->sent[0].n, 5);
	/* Other peers are unaffected. */
	cr_expect(peer(&f, "ars/nva2")->session[0]);
	fx_fini(&f);
}

Test(speaker, limit_drop_on_one_instance_only)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva1");
	static const char *const three[] = { "10.10.0.0/16", "10.11.0.0/16", "10.12.0.0/16" };
	static const char *const fourth[] = { "10.13.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, three, 3), 0);
	cr_expect_eq(adv(&f, p, 2, fourth, 1), 2, "only IN_1 over the limit");
	cr_expect(p->session[0]);
	cr_expect_eq(p->in[0].n, 3);
	cr_expect(!p->session[1]);
	cr_expect_eq(p->in[1].n, 0);
	cr_expect_eq(p->flaps, 1);
	fx_fini(&f);
}

Test(speaker, reestablish_replays_and_drops_again_while_over)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva1"); /* limit 3 */
	static const char *const four[] = { "10.10.0.0/16", "10.11.0.0/16", "10.12.0.0/16",
					    "10.13.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, four, 4), 3);
	cr_expect_eq(p->flaps, 2);
	/* Retry while still over: drops again, a flap. */
	cr_expect(!peer_session_up(p, 0));
	cr_expect(!p->session[0]);
	cr_expect(p->dropped[0]);
	cr_expect_eq(p->in[0].n, 0);
	cr_expect_eq(p->flaps, 3);
	/* The peer withdraws one: the next retry replays the other three. */
	const struct prefix w = P("10.13.0.0/16");
	peer_withdraw(p, &w, 1);
	cr_expect(peer_session_up(p, 0));
	cr_expect(p->session[0]);
	cr_expect(!p->dropped[0]);
	cr_expect_eq(p->in[0].n, 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect(prefix_equal(p->in[0].v[i].prefix, p->sent[0].v[i].prefix));
	cr_expect_eq(p->flaps, 3, "a successful retry is not a flap");
	cr_expect(!p->session[1], "IN_1 still waits for its own retry");
	cr_expect(peer_session_up(p, 1));
	cr_expect_eq(p->in[1].n, 3);
	/* Instances that do not exist. */
	cr_expect(!peer_session_up(p, 2));
	cr_expect(!peer_session_up(peer(&f, "branch"), 1), "a connection has one session");
	fx_fini(&f);
}

Test(speaker, session_down_keeps_what_was_sent)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva2");
	static const char *const a[] = { "10.20.0.0/16", "10.21.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, a, 2), 0);
	peer_session_down(p, 1);
	cr_expect(!p->session[1]);
	cr_expect_eq(p->in[1].n, 0);
	cr_expect_eq(p->sent[1].n, 2);
	cr_expect(p->session[0]);
	cr_expect_eq(p->in[0].n, 2, "the other instance keeps its routes");
	cr_expect(!p->dropped[1], "not a limit drop");
	peer_session_down(p, 7); /* out of range: ignored */
	cr_expect(p->session[0]);
	/* Routes sent while the session is down arrive when it comes back. */
	static const char *const b[] = { "10.22.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, b, 1), 0);
	cr_expect_eq(p->in[1].n, 0);
	cr_expect_eq(p->in[0].n, 3);
	cr_expect(peer_session_up(p, 1));
	cr_expect_eq(p->in[1].n, 3);
	fx_fini(&f);
}

Test(speaker, routes_sent_while_admin_down_are_replayed)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva2");
	p->admin_up = false; /* what the run does on peerDown */
	static const char *const a[] = { "10.30.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, a, 1), 0);
	cr_expect_eq(p->in[0].n + p->in[1].n, 0);
	cr_expect_eq(p->sent[0].n, 1);
	p->admin_up = true;
	cr_expect(peer_session_up(p, 0) && peer_session_up(p, 1));
	cr_expect_eq(p->in[0].n, 1);
	cr_expect_eq(p->in[1].n, 1);
	fx_fini(&f);
}

/* RULES 2.2: a crashed peer (admin down, sessions held until the hold
 * timer) sends nothing: its withdraw changes only what it re-sends when it
 * comes back. */
Test(speaker, withdraw_from_a_down_peer_keeps_the_held_routes)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva2");
	static const char *const a[] = { "10.31.0.0/16", "10.32.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, a, 2), 0);
	p->admin_up = false; /* what the run does on a silent peerDown */
	struct prefix w = P("10.31.0.0/16");
	peer_withdraw(p, &w, 1);
	cr_expect_eq(p->in[0].n, 2, "held until the hold timer");
	cr_expect_eq(p->in[1].n, 2);
	cr_expect_eq(p->sent[0].n, 1, "not re-sent when it comes back");
	p->admin_up = true;
	cr_expect(peer_session_up(p, 0) && peer_session_up(p, 1));
	cr_expect_eq(p->in[0].n, 1);
	cr_expect_null(rib_find(&p->in[1], w));
	/* Up again, a withdraw reaches the Azure side at once. */
	w = P("10.32.0.0/16");
	peer_withdraw(p, &w, 1);
	cr_expect_eq(p->in[0].n + p->in[1].n, 0);
	fx_fini(&f);
}

/* ---- instances ------------------------------------------------------------- */

Test(speaker, instance_up_down_state)
{
	struct fx f;
	fx_init(&f);
	cr_expect(speakers_instance_up(f.s, "ars", 0));
	cr_expect(speakers_instance_up(f.s, "ars", 1));
	cr_expect(speakers_instance_up(f.s, "never-heard-of", 1), "unknown owners are up");
	cr_expect(!speakers_instance_up(f.s, "ars", 2), "there is no IN_2");
	cr_expect_eq(speakers_set_instance(f.s, "ars", 2, false), -1);
	cr_expect_eq(speakers_set_instance(f.s, "ars", 1, false), 0);
	cr_expect(!speakers_instance_up(f.s, "ars", 1));
	cr_expect(speakers_instance_up(f.s, "ars", 0));
	cr_expect(speakers_instance_up(f.s, "vpngw", 1), "per owner");
	/* An UPDATE to a down instance is remembered, not installed. */
	struct peer *p = peer(&f, "ars/nva2");
	static const char *const a[] = { "10.40.0.0/16" };
	cr_expect_eq(adv(&f, p, 3, a, 1), 0);
	cr_expect_eq(p->in[0].n, 1);
	cr_expect_eq(p->in[1].n, 0);
	cr_expect_eq(p->sent[1].n, 1);
	cr_expect_eq(speakers_set_instance(f.s, "ars", 1, true), 0);
	cr_expect(speakers_instance_up(f.s, "ars", 1));
	cr_expect_eq(speakers_set_instance(f.s, "ars", 1, true), 0, "idempotent");
	fx_fini(&f);
}

/* RULES 1.9: a gateway connection's session stays up while one gateway
 * instance lives, and that instance processes the UPDATEs: with vpngw's
 * IN_0 down an UPDATE from "branch" is installed at once. */
Test(speaker, gateway_session_lives_on_either_instance)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "branch");
	cr_expect(speakers_session_host_up(f.s, p, 0));
	cr_expect_eq(speakers_set_instance(f.s, "vpngw", 0, false), 0);
	cr_expect(speakers_session_host_up(f.s, p, 0), "IN_1 carries the session");
	static const char *const a[] = { "10.50.0.0/16" };
	cr_expect_eq(adv(&f, p, 1, a, 1), 0);
	cr_expect_eq(p->in[0].n, 1, "processed by the live instance");
	cr_expect_eq(speakers_set_instance(f.s, "vpngw", 1, false), 0);
	cr_expect(!speakers_session_host_up(f.s, p, 0), "no instance left");
	/* NVAs peer with each Route Server instance on its own. */
	struct peer *nva = peer(&f, "ars/nva2");
	cr_expect_eq(speakers_set_instance(f.s, "ars", 0, false), 0);
	cr_expect(!speakers_session_host_up(f.s, nva, 0));
	cr_expect(speakers_session_host_up(f.s, nva, 1));
	fx_fini(&f);
}

/* ---- limits per kind ------------------------------------------------------- */

Test(speaker, limits_per_kind_at_and_over)
{
	static const struct {
		const char *id;
		size_t limit;
	} cases[] = {
		{ "ars/nva2", 1000 },   /* Route Server default */
		{ "ars/nva3", 4000 },   /* maxRoutes 4000 */
		{ "branch", 4000 },     /* VPN BGP session */
		{ "er-std", 4000 },     /* ExpressRoute Standard */
		{ "er-prem", 10000 },   /* ExpressRoute Premium */
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct fx f;
		fx_init(&f);
		struct peer *p = peer(&f, cases[i].id);
		cr_expect_eq(adv_many(&f, p, 0, cases[i].limit), 0, "%s: %zu routes is at the limit",
			     cases[i].id, cases[i].limit);
		cr_expect_eq(p->in[0].n, cases[i].limit, "%s", cases[i].id);
		unsigned d = adv_many(&f, p, cases[i].limit, 1);
		cr_expect_neq(d & 1u, 0, "%s: one more drops the session", cases[i].id);
		cr_expect_eq(p->in[0].n, 0, "%s", cases[i].id);
		fx_fini(&f);
	}
}

/* ---- sync ------------------------------------------------------------------ */

Test(speaker, sync_removes_and_adds_peers)
{
	struct fx f;
	fx_init(&f);
	static const char *const a[] = { "10.50.0.0/16" };
	struct peer *nva2 = peer(&f, "ars/nva2");
	struct peer *branch = peer(&f, "branch");
	cr_expect_eq(adv(&f, nva2, 3, a, 1), 0);
	cr_expect_eq(adv(&f, branch, 1, a, 1), 0);

	struct tload changed;
	tload(&changed, TOPO_CHANGED, NULL);
	cr_assert_eq(speakers_sync(f.s, changed.t), 0);
	cr_expect_eq(speakers_count(f.s), 7, "nva4 added; removed peers keep their slot");
	cr_expect(!nva2->present);
	cr_expect_eq(nva2->in[0].n + nva2->in[1].n + nva2->sent[0].n + nva2->sent[1].n, 0,
		     "a removed peer loses its routes");
	cr_expect(!branch->present);
	cr_expect_eq(branch->in[0].n + branch->sent[0].n, 0);
	struct peer *nva4 = peer(&f, "ars/nva4");
	cr_expect(nva4->present);
	cr_expect_eq(nva4->kind, PEER_NVA);
	cr_expect_eq(nva4->limit, 1000);
	cr_expect_eq(speakers_at(f.s, 6), nva4, "new peers are appended");
	cr_expect_eq(peer(&f, "ars/nva1")->limit, 10, "limits follow the topology");
	cr_expect(peer(&f, "er-prem")->present);

	/* Back to the first topology: the same peer objects come back. */
	cr_assert_eq(speakers_sync(f.s, f.tl.t), 0);
	cr_expect_eq(speakers_count(f.s), 7);
	cr_expect_eq(peer(&f, "ars/nva2"), nva2);
	cr_expect(nva2->present);
	cr_expect(!peer(&f, "ars/nva4")->present);
	cr_expect_eq(peer(&f, "ars/nva1")->limit, 3);
	tload_free(&changed);
	fx_fini(&f);
}

Test(speaker, sync_connection_moved_to_another_gateway_kind)
{
	struct fx f;
	fx_init(&f);
	struct peer *branch = peer(&f, "branch");
	static const char *const a[] = { "10.60.0.0/16" };
	cr_expect_eq(adv(&f, branch, 1, a, 1), 0);
	struct tload moved;
	tload(&moved, TOPO_MOVED, NULL);
	cr_assert_eq(speakers_sync(f.s, moved.t), 0);
	cr_expect_eq(speakers_peer(f.s, "branch"), branch);
	cr_expect_eq(branch->kind, PEER_ER);
	cr_expect_str_eq(branch->owner, "ergw");
	cr_expect_eq(branch->limit, SPEAKER_ER_LIMIT);
	cr_expect_eq(branch->in[0].n + branch->sent[0].n, 0, "a moved connection starts over");
	cr_expect_eq(speakers_count(f.s), 6);
	tload_free(&moved);
	fx_fini(&f);
}

/* An UPDATE whose routes do not fit (realloc fails growing the RIBs)
 * says so (SPEAKER_NOMEM, no session dropped) and loses none of the
 * routes already held: the arrays stay, their counts
 * and routes intact, and the copies made for the new routes are freed
 * (ASan: no leak).  Once memory is back the peer's next UPDATE lands. */
Test(speaker, out_of_memory_keeps_the_ribs)
{
	struct fx f;
	fx_init(&f);
	struct peer *p = peer(&f, "ars/nva3"); /* limit 4,000 */
	enum { N = 40 };
	uint32_t path[1] = { 65003 };
	struct rib_route r[N];
	for (size_t i = 0; i < N; i++)
		r[i] = (struct rib_route){ .prefix = { IP(20, 0, i, 0), 24 }, .as_path = path,
					   .as_len = 1, .next_hop = IP(10, 0, 1, 6) };
	cr_assert_eq(peer_advertise(f.s, p, 3, r, 16), 0);
	failalloc_after(0);
	cr_assert_eq(peer_advertise(f.s, p, 3, r + 16, N - 16), SPEAKER_NOMEM,
		     "out of memory said, and no limit drop");
	cr_assert_gt(failalloc_calls(), 0, "the RIBs never tried to grow");
	failalloc_after(-1);
	const struct rib *ribs[] = { &p->sent[0], &p->sent[1], &p->in[0], &p->in[1] };
	for (size_t k = 0; k < NELEM(ribs); k++) {
		cr_assert_leq(ribs[k]->n, ribs[k]->cap, "RIB %zu", k);
		cr_assert_geq(ribs[k]->n, 16, "RIB %zu lost routes", k);
		for (size_t i = 0; i < 16; i++) {
			const struct rib_route *got = rib_find(ribs[k], r[i].prefix);
			cr_assert_not_null(got, "RIB %zu: route %zu gone", k, i);
			cr_assert(got->as_len == 1 && got->as_path[0] == 65003);
		}
	}
	cr_assert_eq(peer_advertise(f.s, p, 3, r, N), 0);
	for (size_t k = 0; k < NELEM(ribs); k++)
		cr_assert_eq(ribs[k]->n, N, "RIB %zu after memory came back", k);
	fx_fini(&f);
}
