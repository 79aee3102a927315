/*
 * budget.h - the bound on the work one replay may do (issue 18; README
 * "Limits"): at most max_events engine events per run (file events, BGP
 * timers and messages, route programming), BUDGET_MAX_EVENTS_DEFAULT
 * unless `--max-events N` says otherwise.
 *
 * Enforced twice: budget_estimate, an upper estimate from the settings and
 * the topology, is checked when the scenario is loaded (exit 2 naming the
 * setting, before the run spends memory; `check` reports it), and the
 * replay counts the events it runs and stops at the limit (run.c).  The
 * Monte Carlo studies check each variant's estimate where the variants are
 * generated (models/studies/study_variant.c).
 */
#ifndef REPLAY_BUDGET_H
#define REPLAY_BUDGET_H

#include <stdint.h>

#define BUDGET_MAX_EVENTS_DEFAULT 5000000ull

struct scenario;
struct jin;
struct topology;

/* Engine events a run of s may take at most (an overestimate: every BGP
 * session retries its connection for the whole period, every file event
 * reprograms every subnet); saturates at UINT64_MAX. */
uint64_t budget_estimate(const struct scenario *s);
/* What period_ms of BGP timers costs at most, summed over the sessions of
 * t: hold timers and connect retries (budget_estimate, study variants). */
uint64_t budget_timer_events(const struct topology *t, const struct scenario *s,
			     int64_t period_ms);
/* The limit in force for s (its max_events, or the default). */
uint64_t budget_limit(const struct scenario *s);
/* At the end of loading: an error naming the setting when the estimate is
 * over the limit, a note with it when it is over a tenth of it. */
void budget_check(struct jin *j, const struct scenario *s);

#endif
