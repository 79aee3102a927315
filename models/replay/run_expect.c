/*
 * run_expect.c - a scenario's expectations checked against the replay's
 * checkpoints (RULES 2.3).  Part of the replay (run_int.h).
 *
 * What it models: an expectation names a checkpoint and a NIC or subnet,
 * then either a destination with the next hop it must get (RULES 1.7,
 * through eff_next_hop) or the whole effective-route table it must show.
 * Tables are compared as multisets of rows under the conformance rule:
 * source, state, sorted prefixes, next hop type and sorted next hop
 * addresses, plus the name when the expected row gives one.  Row order
 * never matters (RULES 2.3).
 *
 * Invariants: read-only on the run; each failure is reported once through
 * the caller's function with a message naming the first difference.
 * Ownership: scratch keys and rows are malloc'd per comparison and freed.
 * Costs: a table comparison O(rows * expected rows) string comparisons
 * (tables under test are small); a next hop O(log rows).  Keys hold at most
 * KEY_MAX_ITEMS prefixes or addresses and KEY_LEN bytes.
 */
#include "run_int.h"

#include "expect_reach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Canonical key of a row for the multiset comparison of RULES 2.3 (the
 * conformance rule: source, state, sorted prefixes, type, sorted IPs). */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void key_from_strings(char *buf, size_t len, const char *src, const char *state,
			     const char **pfx, size_t np, const char *type, const char **ips,
			     size_t nip, const char *name)
{
	qsort(pfx, np, sizeof(*pfx), str_cmp);
	qsort(ips, nip, sizeof(*ips), str_cmp);
	size_t o = (size_t)snprintf(buf, len, "%s %s [", src, state);
	for (size_t i = 0; i < np && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", pfx[i]);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, "] %s [", type);
	for (size_t i = 0; i < nip && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", ips[i]);
	if (o < len)
		snprintf(buf + o, len - o, "]%s%s", name ? " name=" : "", name ? name : "");
}

#define KEY_LEN 4096
#define KEY_MAX_ITEMS 256

static void key_of_row(const struct route_row *row, bool with_name, char *buf)
{
	char pf[KEY_MAX_ITEMS][PREFIX_STRLEN], ip[IPV4_STRLEN];
	const char *pp[KEY_MAX_ITEMS], *ipp[1];
	size_t np = row->nprefixes < KEY_MAX_ITEMS ? row->nprefixes : KEY_MAX_ITEMS;
	for (size_t i = 0; i < np; i++)
		pp[i] = prefix_format(row->prefixes[i], pf[i]);
	ipp[0] = row->has_nh_ip ? ipv4_format(row->nh_ip, ip) : NULL;
	key_from_strings(buf, KEY_LEN, route_source_name(row->source),
			 row->active ? "Active" : "Invalid", pp, np, nh_type_name(row->nh), ipp,
			 row->has_nh_ip, with_name ? row->name : NULL);
}

static bool key_of_json(const cJSON *o, char *buf, bool *with_name)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(o, "addressPrefix");
	const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "nextHopType");
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(o, "nextHopIpAddress");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
	if (!cJSON_IsString(src) || !cJSON_IsString(st) || !cJSON_IsArray(ap) ||
	    !cJSON_IsString(ty) || (ip && !cJSON_IsArray(ip)))
		return false;
	const char *pp[KEY_MAX_ITEMS], *ipp[KEY_MAX_ITEMS];
	size_t np = 0, nip = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, ap)
	{
		if (!cJSON_IsString(it) || np == KEY_MAX_ITEMS)
			return false;
		pp[np++] = it->valuestring;
	}
	cJSON_ArrayForEach(it, ip)
	{
		if (!cJSON_IsString(it) || nip == KEY_MAX_ITEMS)
			return false;
		ipp[nip++] = it->valuestring;
	}
	*with_name = cJSON_IsString(nm);
	key_from_strings(buf, KEY_LEN, src->valuestring, st->valuestring, pp, np, ty->valuestring,
			 ipp, nip, *with_name ? nm->valuestring : NULL);
	return true;
}

/* Multiset comparison; writes the first difference to msg. */
static bool compare_routes(const struct eff_table *t, bool without_rs, const cJSON *expected,
			   char *msg, size_t len)
{
	size_t n = eff_row_count(t, without_rs), ne = (size_t)cJSON_GetArraySize(expected);
	struct route_row *rows = calloc(n ? n : 1, sizeof(*rows));
	bool *used = calloc(n ? n : 1, sizeof(*used));
	char *a = malloc(KEY_LEN), *b = malloc(KEY_LEN);
	bool ok = rows && used && a && b;
	if (!ok)
		snprintf(msg, len, "out of memory");
	struct eff_iter it = { 0 };
	for (size_t i = 0; ok && i < n; i++)
		eff_row(t, without_rs, &it, &rows[i]);
	const cJSON *e;
	size_t k = 0;
	cJSON_ArrayForEach(e, expected)
	{
		if (!ok)
			break;
		bool with_name;
		if (!key_of_json(e, a, &with_name)) {
			snprintf(msg, len, "expected row %zu is not an effective route row", k);
			ok = false;
			break;
		}
		bool found = false;
		for (size_t i = 0; i < n && !found; i++) {
			if (used[i])
				continue;
			key_of_row(&rows[i], with_name, b);
			if (strcmp(a, b) == 0)
				found = used[i] = true;
		}
		if (!found) {
			snprintf(msg, len, "missing row: %s", a);
			ok = false;
		}
		k++;
	}
	for (size_t i = 0; ok && i < n; i++)
		if (!used[i]) {
			key_of_row(&rows[i], true, b);
			snprintf(msg, len, "unexpected row: %s (%zu rows, %zu expected)", b, n, ne);
			ok = false;
		}
	free(rows);
	free(used);
	free(a);
	free(b);
	return ok;
}

size_t run_check_expectations(const struct run *r,
			      void (*fail)(void *ctx, const struct expectation *x, const char *msg),
			      void *ctx)
{
	size_t failed = 0;
	char msg[KEY_LEN + 128];
	for (size_t i = 0; i < r->sc->nexpectations; i++) {
		const struct expectation *x = &r->sc->expectations[i];
		const struct checkpoint *c = run_checkpoint(r, x->at);
		bool without_rs = false;
		const struct eff_table *t = NULL;
		msg[0] = '\0';
		if (!c)
			snprintf(msg, sizeof(msg), "checkpoint \"%s\" was never reached", x->at);
		else if (x->nic && !(t = checkpoint_nic_table(c, x->nic, &without_rs)))
			snprintf(msg, sizeof(msg), "no NIC \"%s\" at checkpoint \"%s\"", x->nic, x->at);
		else if (x->subnet && !(t = checkpoint_subnet_table(c, x->subnet)))
			snprintf(msg, sizeof(msg), "no subnet \"%s\" at checkpoint \"%s\"", x->subnet,
				 x->at);
		else if (x->reach)
			expect_reach_check(r->sc, x, msg, sizeof(msg)); /* RULES 1.11 */
		if (t && x->has_destination) {
			struct next_hop nh = eff_next_hop(t, x->destination, without_rs);
			char d[IPV4_STRLEN], want[IPV4_STRLEN], got[IPV4_STRLEN];
			ipv4_format(x->destination, d);
			if (!nh.found || nh.nh != x->nh ||
			    (x->has_nh_ip && (!nh.has_nh_ip || nh.nh_ip != x->nh_ip)))
				snprintf(msg, sizeof(msg),
					 "next hop for %s at \"%s\": expected %s%s%s, got %s%s%s", d,
					 x->at, nh_type_name(x->nh), x->has_nh_ip ? " " : "",
					 x->has_nh_ip ? ipv4_format(x->nh_ip, want) : "",
					 nh.found ? nh_type_name(nh.nh) : "no route",
					 nh.has_nh_ip ? " " : "",
					 nh.has_nh_ip ? ipv4_format(nh.nh_ip, got) : "");
		} else if (t && x->routes) {
			char m2[KEY_LEN + 64];
			if (!compare_routes(t, without_rs, x->routes, m2, sizeof(m2)))
				snprintf(msg, sizeof(msg), "routes at \"%s\": %s", x->at, m2);
		}
		if (msg[0]) {
			failed++;
			fail(ctx, x, msg);
		}
	}
	return failed;
}

