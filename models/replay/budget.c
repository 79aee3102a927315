/*
 * budget.c - see budget.h.
 */
#include "budget.h"

#include <stdbool.h>

#include "diag.h"
#include "jsonin.h"
#include "scenario.h"
#include "topology.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/* BGP sessions: two Route Server instances per bgpConnection, two gateway
 * instances per BGP-enabled gateway and per connection. */
static uint64_t sessions(const struct topology *t)
{
	uint64_t n = 0;
	for (size_t i = 0; i < t->nrss; i++)
		n += 2 * (uint64_t)t->rss[i]->nconns;
	return n + 2 * ((uint64_t)t->ngws + (uint64_t)t->nconns);
}

uint64_t budget_timer_events(const struct topology *t, const struct scenario *s,
			     int64_t period_ms)
{
	const struct settings *st = &s->settings;
	uint64_t period = period_ms > 0 ? (uint64_t)period_ms : 0, per = 2;
	/* Keepalives are not events (run_bgp.c): a session costs its hold
	 * timer and, while it is down (a peer over its prefix limit stays
	 * down for good), a connect retry every bgpConnectRetrySeconds. */
	if (st->connect_retry_ms > 0)
		per = sat_add(per, period / (uint64_t)st->connect_retry_ms);
	return sat_mul(sessions(t), per);
}

uint64_t budget_estimate(const struct scenario *s)
{
	if (!s->topo)
		return 0;
	int64_t period = s->settings.horizon_ms;
	if (period < 0)
		period = s->nevents ? s->events[s->nevents - 1].at_ms : 0;
	uint64_t subnets = (uint64_t)s->topo->nsubnets + 1;
	uint64_t e = sat_mul((uint64_t)s->nevents + 1, subnets);
	return sat_add(e, budget_timer_events(s->topo, s, period));
}

uint64_t budget_limit(const struct scenario *s)
{
	return s->max_events ? s->max_events : BUDGET_MAX_EVENTS_DEFAULT;
}

void budget_check(struct jin *j, const struct scenario *s)
{
	uint64_t est = budget_estimate(s), limit = budget_limit(s);
	bool horizon = s->settings.horizon_ms >= 0;
	const char *path = horizon ? "$.settings.horizonSeconds" : NULL;
	if (est > limit)
		diag_add(j->diag, DIAG_ERROR, j->file, path,
			 "this replay may take about %llu engine events (BGP connect retries every "
			 "bgpConnectRetrySeconds over %s), more than the limit of "
			 "%llu: shorten it, or raise the limit with --max-events N "
			 "(README \"Limits\")",
			 (unsigned long long)est, horizon ? "horizonSeconds" : "the last event's time",
			 (unsigned long long)limit);
	else if (est > limit / 10)
		diag_add(j->diag, DIAG_NOTE, j->file, path,
			 "this replay may take up to about %llu engine events (the limit is %llu, "
			 "--max-events N)",
			 (unsigned long long)est, (unsigned long long)limit);
}
