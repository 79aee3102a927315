/*
 * expect_reach.c - reach facts as expectations; see expect_reach.h.
 */
#include "expect_reach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonin.h"
#include "run.h"
#include "scenario.h"
#include "trace.h"

bool expect_reach_is(const cJSON *o)
{
	return cJSON_GetObjectItemCaseSensitive(o, "result") != NULL;
}

static bool verdict_parse(const char *s, int *out)
{
	for (int v = TV_DELIVERED; v <= TV_LOOPED; v++)
		if (strcmp(s, trace_verdict_name((enum trace_verdict)v)) == 0) {
			*out = v;
			return true;
		}
	return false;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	qsort(v, n, sizeof *v, u32_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

static bool read_via(struct jin *j, const cJSON *it, size_t i, void *ctx)
{
	struct expectation *x = ctx;
	uint32_t a;
	(void)i;
	if (!jin_ipv4_value(j, it, &a))
		return true;
	if (x->reach_nvia == sizeof x->reach_via / sizeof x->reach_via[0]) {
		jin_error(j, "at most 8 addresses in \"via\"");
		return false;
	}
	x->reach_via[x->reach_nvia++] = a;
	return true;
}

void expect_reach_load(struct jin *j, const struct scenario *s, const cJSON *o,
		       struct expectation *x)
{
	static const char *const known[] = { "at", "from", "to", "result", "via", "comment", NULL };
	jin_known_keys(j, o, known);
	x->reach = true;
	const char *result;
	if (jin_string(j, o, "from", true, &x->reach_from) && s->topo &&
	    !topology_nic(s->topo, x->reach_from) && !topology_subnet(s->topo, x->reach_from))
		jin_error_at(j, "from", "no NIC or subnet (\"vnet/subnet\") named \"%s\"",
			     x->reach_from);
	/* The source is the expectation's target too: reports name it, and
	 * the run checks that it exists at the checkpoint. */
	else if (x->reach_from && s->topo && topology_nic(s->topo, x->reach_from))
		x->nic = x->reach_from;
	else if (x->reach_from)
		x->subnet = x->reach_from;
	jin_ipv4(j, o, "to", true, &x->reach_to);
	if (jin_string(j, o, "result", true, &result) && !verdict_parse(result, &x->reach_result))
		jin_error_at(j, "result",
			     "\"%s\" is not a result: delivered, partly dropped, dropped or looped",
			     result);
	const cJSON *via;
	if (jin_array(j, o, "via", false, &via)) {
		x->reach_has_via = true;
		jin_each(j, "via", via, read_via, x);
		x->reach_nvia = sort_unique(x->reach_via, x->reach_nvia);
	}
}

/* " via [a, b]" into buf; returns the length written (as snprintf). */
static size_t via_text(char *buf, size_t len, const uint32_t *via, size_t n)
{
	size_t k = (size_t)snprintf(buf, len, " via [");
	for (size_t i = 0; i < n && k < len; i++) {
		char a[IPV4_STRLEN];
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", ipv4_format(via[i], a));
	}
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, "]");
	return k;
}

/* The verdict and the via set of the trace, compared with x. */
static void compare(const struct trace *t, const struct expectation *x, char *msg, size_t len)
{
	enum trace_verdict v = trace_verdict(trace_count(t));
	uint32_t via[64];
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->hops[i].end != TRACE_CONTINUES)
			n += trace_path_via(t, i, via + n, sizeof via / sizeof via[0] - n);
	if (n > sizeof via / sizeof via[0])
		n = sizeof via / sizeof via[0];
	n = sort_unique(via, n);
	bool via_ok = !x->reach_has_via ||
		      (n == x->reach_nvia && memcmp(via, x->reach_via, n * sizeof *via) == 0);
	if ((int)v == x->reach_result && via_ok)
		return;
	char to[IPV4_STRLEN];
	size_t k = (size_t)snprintf(msg, len, "reach %s -> %s at \"%s\": expected %s",
				    x->reach_from, ipv4_format(x->reach_to, to), x->at,
				    trace_verdict_name((enum trace_verdict)x->reach_result));
	if (x->reach_has_via && k < len)
		k += via_text(msg + k, len - k, x->reach_via, x->reach_nvia);
	if (k < len)
		k += (size_t)snprintf(msg + k, len - k, ", got %s", trace_verdict_name(v));
	if (k < len)
		via_text(msg + k, len - k, via, n);
}

int expect_reach_check(struct scenario *sc, const struct expectation *x, char *msg, size_t len)
{
	msg[0] = '\0';
	struct diag *d = diag_create();
	struct run *r = d ? run_create(sc, d) : NULL;
	struct trace_env *e = NULL;
	struct trace t = { 0 };
	int rc = r ? 0 : -1;
	if (rc == 0) {
		run_stop_after(r, x->at);
		rc = run_execute(r) == 0 ? 0 : -1;
	}
	const struct checkpoint *c = rc == 0 ? run_checkpoint(r, x->at) : NULL;
	if (rc == 0 && !c) {
		snprintf(msg, len, "checkpoint \"%s\" was never reached", x->at);
	} else if (rc == 0) {
		const struct nic *nic = topology_nic(c->topo, x->reach_from);
		const struct subnet *sn = nic ? nic->subnet : topology_subnet(c->topo, x->reach_from);
		struct trace_env_input in = { c->topo, c->tables, c->nic_unprogrammed,
					      run_speakers(r) };
		if (!sn)
			snprintf(msg, len, "no NIC or subnet \"%s\" at checkpoint \"%s\"",
				 x->reach_from, x->at);
		else if (!(e = trace_env_create(&in)) || trace_run(e, nic, sn, x->reach_to, &t) != 0)
			rc = -1;
		else
			compare(&t, x, msg, len);
	}
	if (rc != 0)
		snprintf(msg, len, "reach %s at \"%s\": could not be checked (out of memory or the "
				   "replay failed)",
			 x->reach_from, x->at);
	trace_fini(&t);
	trace_env_destroy(e);
	run_destroy(r);
	diag_destroy(d);
	return rc;
}
