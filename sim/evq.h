/*
 * evq.h - the discrete-event engine: a binary heap of events ordered by
 * (time, class, sequence), and the run loop that dispatches them.
 *
 * Time is integer milliseconds.  At equal times a lower class runs first
 * (models use class 0 for changes, 1 for checkpoints, so a checkpoint sees
 * everything that happened at its time); within a class, insertion order
 * (libuv's timer heap rule).  This is the determinism rule of the product.
 *
 * The engine knows nothing about networks: an event is a handler, a
 * context and an argument.  Events pushed with EVQ_BACKGROUND (periodic
 * retries) do not keep a run alive: evq_run stops when only background
 * events remain.  Cancellation is lazy (a cancelled entry is skipped when
 * it reaches the top), so evq_cancel is O(log n) amortised.
 *
 * Ownership: the queue owns its heap and event records; ctx and arg are
 * the caller's and never freed here (evq_destroy drops pending events
 * without calling them).  Costs: push and pop O(log n), memory O(pending
 * events plus cancelled ones not yet reached, compacted when they pile up).
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evq;

typedef void (*evq_fn)(void *ctx, void *arg, int64_t now_ms);

enum evq_flags { EVQ_FOREGROUND = 0, EVQ_BACKGROUND = 1 };

struct evq *evq_create(void);
void evq_destroy(struct evq *q); /* NULL is a no-op */
/* Schedules fn(ctx, arg, time) at time_ms (>= evq_now).  Returns an id > 0
 * for evq_cancel, or 0 when out of memory or time_ms is in the past. */
uint64_t evq_push(struct evq *q, int64_t time_ms, int cls, unsigned flags, evq_fn fn, void *ctx,
		  void *arg);
/* True when the event was pending and is now cancelled. */
bool evq_cancel(struct evq *q, uint64_t id);
/* Makes dst the same queue as src: the same pending events, sequence
 * counter, clock and ids, so what runs next and in which order is the
 * same (a sweep worker keeps a copy of the baseline's queue and copies it
 * back between variants).  0, or -1 out of memory (dst unchanged). */
int evq_copy(struct evq *dst, const struct evq *src);
/* Runs the next event.  Returns false when none is pending. */
bool evq_step(struct evq *q);
/* Runs events while a foreground event is pending and the next time is
 * <= until_ms (use INT64_MAX for no horizon).  Returns events run. */
size_t evq_run(struct evq *q, int64_t until_ms);
int64_t evq_now(const struct evq *q);
/* Time of the next live event; false when none. */
bool evq_next_time(struct evq *q, int64_t *time_ms);
size_t evq_pending(const struct evq *q);            /* live events */
size_t evq_pending_foreground(const struct evq *q); /* live, not background */

#endif
