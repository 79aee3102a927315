/*
 * test_evq.c - the event heap and run loop.
 *
 * The determinism rule first: dispatch order is (time, class, insertion),
 * checked on tables and then against a sorted oracle on random schedules
 * with random cancellations (enough of them to trigger the heap's
 * compaction).  Then the run loop: horizons, background events, handlers
 * that push or cancel while being dispatched, stale ids.  Last, out of
 * memory (failalloc.h): a push that cannot grow the heap or the event
 * records fails alone, and every event pushed before runs in order.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "evq.h"
#include "failalloc.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

/* Dispatch log shared by the handlers of one test. */
struct log {
	int tag[4096];     /* arg of each event, in dispatch order */
	int64_t at[4096];  /* now_ms passed to the handler */
	size_t n;
	struct evq *q;     /* for handlers that act on the queue */
};

static void record(void *ctx, void *arg, int64_t now_ms)
{
	struct log *l = ctx;

	cr_assert_lt(l->n, NELEM(l->tag));
	cr_assert_eq(now_ms, evq_now(l->q), "handler time and evq_now disagree");
	l->tag[l->n] = (int)(intptr_t)arg;
	l->at[l->n] = now_ms;
	l->n++;
}

static void *tag(int t)
{
	return (void *)(intptr_t)t;
}

Test(evq, destroy_null)
{
	evq_destroy(NULL);
}

Test(evq, empty_queue)
{
	struct evq *q = evq_create();
	int64_t t = 123;

	cr_assert_not_null(q);
	cr_expect_eq(evq_now(q), 0);
	cr_expect(!evq_step(q));
	cr_expect_eq(evq_run(q, INT64_MAX), 0);
	cr_expect(!evq_next_time(q, &t));
	cr_expect_eq(t, 123);
	cr_expect_eq(evq_pending(q), 0);
	cr_expect_eq(evq_pending_foreground(q), 0);
	cr_expect(!evq_cancel(q, 0));
	cr_expect(!evq_cancel(q, 1));
	cr_expect(!evq_cancel(q, UINT64_MAX));
	evq_destroy(q);
}

/* Pushed in scrambled order; tag = expected dispatch position. */
Test(evq, order_time_class_sequence)
{
	static const struct {
		int64_t time;
		int cls;
		int expect_pos;
	} ev[] = {
		{10, 1, 5}, {0, 0, 0},  {10, 0, 2}, {5, 1, 1},  {10, 1, 6}, {10, 0, 3},
		{20, -1, 7}, {10, 0, 4}, {20, 0, 8}, {INT64_MAX, 0, 10}, {20, 0, 9},
	};
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	for (size_t i = 0; i < NELEM(ev); i++)
		cr_assert_neq(evq_push(q, ev[i].time, ev[i].cls, EVQ_FOREGROUND, record, &l,
				       tag(ev[i].expect_pos)),
			      0);
	cr_expect_eq(evq_pending(q), NELEM(ev));
	cr_expect_eq(evq_run(q, INT64_MAX), NELEM(ev));
	cr_assert_eq(l.n, NELEM(ev));
	for (size_t i = 0; i < l.n; i++)
		cr_expect_eq(l.tag[i], (int)i, "position %zu ran tag %d", i, l.tag[i]);
	cr_expect_eq(evq_now(q), INT64_MAX);
	cr_expect_eq(evq_pending(q), 0);
	evq_destroy(q);
}

Test(evq, equal_times_fire_in_insertion_order)
{
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	for (int i = 0; i < 1000; i++)
		cr_assert_neq(evq_push(q, 42, 0, EVQ_FOREGROUND, record, &l, tag(i)), 0);
	cr_expect_eq(evq_run(q, INT64_MAX), 1000);
	for (int i = 0; i < 1000; i++)
		cr_expect_eq(l.tag[i], i);
	evq_destroy(q);
}

Test(evq, push_in_the_past_is_refused)
{
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	cr_expect_eq(evq_push(q, -1, 0, EVQ_FOREGROUND, record, &l, tag(0)), 0);
	cr_expect_eq(evq_push(q, INT64_MIN, 0, EVQ_FOREGROUND, record, &l, tag(0)), 0);
	cr_assert_neq(evq_push(q, 20, 0, EVQ_FOREGROUND, record, &l, tag(1)), 0);
	cr_expect(evq_step(q));
	cr_expect_eq(evq_now(q), 20);
	cr_expect_eq(evq_push(q, 19, 0, EVQ_FOREGROUND, record, &l, tag(2)), 0);
	cr_expect_neq(evq_push(q, 20, 0, EVQ_FOREGROUND, record, &l, tag(3)), 0);
	cr_expect_eq(evq_pending(q), 1);
	evq_destroy(q);
}

Test(evq, cancel)
{
	struct log l = {0};
	struct evq *q = evq_create();
	uint64_t id[5];
	int64_t t;

	l.q = q;
	for (int i = 0; i < 5; i++) {
		id[i] = evq_push(q, 10 * (i + 1), 0, EVQ_FOREGROUND, record, &l, tag(i));
		cr_assert_neq(id[i], 0);
		for (int k = 0; k < i; k++)
			cr_assert_neq(id[i], id[k]);
	}
	cr_expect(evq_cancel(q, id[0]));
	cr_expect(!evq_cancel(q, id[0]), "second cancel of the same id");
	cr_expect(evq_cancel(q, id[3]));
	cr_expect_eq(evq_pending(q), 3);
	cr_expect_eq(evq_pending_foreground(q), 3);
	cr_assert(evq_next_time(q, &t));
	cr_expect_eq(t, 20, "next time must skip the cancelled head");
	cr_expect_eq(evq_run(q, INT64_MAX), 3);
	cr_assert_eq(l.n, 3);
	cr_expect_eq(l.tag[0], 1);
	cr_expect_eq(l.tag[1], 2);
	cr_expect_eq(l.tag[2], 4);
	cr_expect(!evq_cancel(q, id[1]), "cancel after dispatch");
	cr_expect(!evq_cancel(q, id[4]));
	evq_destroy(q);
}

/* A slot is reused after its event ran: the old id must not cancel the new
 * event. */
Test(evq, stale_id_after_reuse)
{
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	uint64_t a = evq_push(q, 1, 0, EVQ_FOREGROUND, record, &l, tag(1));
	cr_assert(evq_step(q));
	uint64_t b = evq_push(q, 2, 0, EVQ_FOREGROUND, record, &l, tag(2));
	cr_assert_neq(b, 0);
	cr_expect_neq(a, b);
	cr_expect(!evq_cancel(q, a));
	cr_expect_eq(evq_pending(q), 1);
	cr_expect(evq_cancel(q, b));
	cr_expect_eq(evq_pending(q), 0);
	evq_destroy(q);
}

Test(evq, run_until_horizon)
{
	struct log l = {0};
	struct evq *q = evq_create();
	int64_t t;

	l.q = q;
	for (int i = 1; i <= 3; i++)
		evq_push(q, 10 * i, 0, EVQ_FOREGROUND, record, &l, tag(i));
	cr_expect_eq(evq_run(q, 9), 0);
	cr_expect_eq(evq_now(q), 0);
	cr_expect_eq(evq_run(q, 20), 2, "the horizon is inclusive");
	cr_expect_eq(evq_now(q), 20);
	cr_assert(evq_next_time(q, &t));
	cr_expect_eq(t, 30);
	cr_expect_eq(evq_run(q, INT64_MAX), 1);
	cr_expect_eq(evq_now(q), 30);
	cr_expect_eq(evq_run(q, INT64_MAX), 0);
	evq_destroy(q);
}

Test(evq, background_events_do_not_keep_run_alive)
{
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	evq_push(q, 10, 0, EVQ_BACKGROUND, record, &l, tag(10));
	evq_push(q, 15, 0, EVQ_FOREGROUND, record, &l, tag(15));
	evq_push(q, 20, 0, EVQ_BACKGROUND, record, &l, tag(20));
	evq_push(q, 30, 0, EVQ_BACKGROUND, record, &l, tag(30));
	cr_expect_eq(evq_pending(q), 4);
	cr_expect_eq(evq_pending_foreground(q), 1);
	/* background events before the last foreground one still run, in order */
	cr_expect_eq(evq_run(q, INT64_MAX), 2);
	cr_assert_eq(l.n, 2);
	cr_expect_eq(l.tag[0], 10);
	cr_expect_eq(l.tag[1], 15);
	cr_expect_eq(evq_now(q), 15);
	cr_expect_eq(evq_pending(q), 2);
	cr_expect_eq(evq_pending_foreground(q), 0);
	/* only background left: run does nothing, step still can */
	cr_expect_eq(evq_run(q, INT64_MAX), 0);
	cr_expect(evq_step(q));
	cr_expect_eq(l.tag[2], 20);
	evq_destroy(q);
}

Test(evq, cancelled_foreground_does_not_keep_run_alive)
{
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	evq_push(q, 10, 0, EVQ_BACKGROUND, record, &l, tag(1));
	uint64_t fg = evq_push(q, 20, 0, EVQ_FOREGROUND, record, &l, tag(2));
	cr_assert(evq_cancel(q, fg));
	cr_expect_eq(evq_pending_foreground(q), 0);
	cr_expect_eq(evq_run(q, INT64_MAX), 0);
	cr_expect_eq(l.n, 0);
	evq_destroy(q);
}

/* ---- handlers acting on the queue while dispatched ---------------------- */

struct chain {
	struct log log;
	int remaining;     /* re-pushes left */
	uint64_t victim;   /* id to cancel from a handler */
	uint64_t self;     /* id of the event being dispatched */
	bool self_cancel;  /* result of cancelling self from inside */
};

/* At time t pushes, in this order: a class-1 event at t, a class-0 event at
 * t, and itself at t + 5 while remaining > 0. */
static void chain_fn(void *ctx, void *arg, int64_t now)
{
	struct chain *c = ctx;
	int id = (int)(intptr_t)arg;

	record(&c->log, arg, now);
	if (id >= 1000)
		return;
	cr_assert_neq(evq_push(c->log.q, now, 1, EVQ_FOREGROUND, chain_fn, c, tag(1000 + 2 * id)),
		      0);
	cr_assert_neq(evq_push(c->log.q, now, 0, EVQ_FOREGROUND, chain_fn, c, tag(1001 + 2 * id)),
		      0);
	if (c->remaining-- > 0)
		cr_assert_neq(evq_push(c->log.q, now + 5, 0, EVQ_FOREGROUND, chain_fn, c,
				       tag(id + 1)),
			      0);
}

Test(evq, handlers_push_during_dispatch)
{
	struct chain c = {.remaining = 3};
	struct evq *q = evq_create();

	c.log.q = q;
	evq_push(q, 0, 0, EVQ_FOREGROUND, chain_fn, &c, tag(0));
	/* A pending class-1 event at 0 that must run after the pushed class-0 one. */
	evq_push(q, 0, 1, EVQ_FOREGROUND, record, &c.log, tag(-1));
	size_t ran = evq_run(q, INT64_MAX);

	/* 4 chain events, each pushing 2 more, plus the tag -1 event */
	cr_expect_eq(ran, 4 + 8 + 1);
	static const struct {
		int tag;
		int64_t at;
	} want[] = {
		{0, 0},     {1001, 0}, {-1, 0}, {1000, 0}, /* class 0 first, then class 1 by seq */
		{1, 5},     {1003, 5}, {1002, 5},
		{2, 10},    {1005, 10}, {1004, 10},
		{3, 15},    {1007, 15}, {1006, 15},
	};
	cr_assert_eq(c.log.n, NELEM(want));
	for (size_t i = 0; i < NELEM(want); i++) {
		cr_expect_eq(c.log.tag[i], want[i].tag, "position %zu: tag %d", i, c.log.tag[i]);
		cr_expect_eq(c.log.at[i], want[i].at, "position %zu", i);
	}
	evq_destroy(q);
}

static void cancel_fn(void *ctx, void *arg, int64_t now)
{
	struct chain *c = ctx;

	record(&c->log, arg, now);
	cr_expect(evq_cancel(c->log.q, c->victim));
	c->self_cancel = evq_cancel(c->log.q, c->self);
}

Test(evq, handler_cancels_during_dispatch)
{
	struct chain c = {0};
	struct evq *q = evq_create();

	c.log.q = q;
	c.self = evq_push(q, 5, 0, EVQ_FOREGROUND, cancel_fn, &c, tag(1));
	c.victim = evq_push(q, 5, 0, EVQ_FOREGROUND, record, &c.log, tag(2));
	evq_push(q, 6, 0, EVQ_FOREGROUND, record, &c.log, tag(3));
	cr_expect_eq(evq_run(q, INT64_MAX), 2);
	cr_assert_eq(c.log.n, 2);
	cr_expect_eq(c.log.tag[0], 1);
	cr_expect_eq(c.log.tag[1], 3);
	cr_expect(!c.self_cancel, "an event being dispatched is no longer pending");
	evq_destroy(q);
}

/* ---- oracle: random schedules and cancellations ------------------------- */

struct ev_rec {
	int64_t time;
	int cls;
	int seq;
	uint64_t id;
	bool cancelled;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct ev_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

Test(evq, random_schedule_matches_sorted_oracle)
{
	enum { N = 4000 };
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct ev_rec *ev = calloc(N, sizeof(*ev));
		struct log *l = calloc(1, sizeof(*l));
		struct evq *q = evq_create();
		uint64_t s = seed;
		size_t live = 0;

		cr_assert(ev != NULL && l != NULL && q != NULL);
		l->q = q;
		for (int i = 0; i < N; i++) {
			ev[i].time = (int64_t)(next(&s) % 50);
			ev[i].cls = (int)(next(&s) % 3);
			ev[i].seq = i;
			ev[i].id = evq_push(q, ev[i].time, ev[i].cls, EVQ_FOREGROUND, record, l,
					    tag(i));
			cr_assert_neq(ev[i].id, 0);
			/* Cancel a live event 4 times out of 5, so cancelled entries
			 * outnumber live ones and the heap compacts, again and
			 * again; now and then retry an id already cancelled. */
			if (next(&s) % 5 != 0) {
				int k = (int)(next(&s) % (uint64_t)(i + 1));
				for (int probe = 0; probe <= i && ev[k].cancelled; probe++)
					k = k == i ? 0 : k + 1;
				cr_assert_eq(evq_cancel(q, ev[k].id), !ev[k].cancelled, "cancel %d",
					     k);
				ev[k].cancelled = true;
			} else if (next(&s) % 4 == 0) {
				int k = (int)(next(&s) % (uint64_t)(i + 1));
				cr_assert_eq(evq_cancel(q, ev[k].id), !ev[k].cancelled, "cancel %d",
					     k);
				ev[k].cancelled = true;
			}
		}
		for (int i = 0; i < N; i++)
			live += !ev[i].cancelled;
		cr_expect_eq(evq_pending(q), live);
		qsort(ev, N, sizeof(*ev), ev_cmp);
		cr_expect_eq(evq_run(q, INT64_MAX), live);
		cr_assert_eq(l->n, live);
		size_t j = 0;
		for (int i = 0; i < N; i++) {
			if (ev[i].cancelled)
				continue;
			cr_assert_eq(l->tag[j], ev[i].seq, "seed %llu position %zu",
				     (unsigned long long)seed, j);
			cr_assert_eq(l->at[j], ev[i].time);
			j++;
		}
		evq_destroy(q);
		free(l);
		free(ev);
	}
}

/* Interleaved pushes, steps and cancels with a live model of the pending
 * set: the next event run is always the minimum of (time, class, seq). */
Test(evq, interleaved_push_step_cancel)
{
	enum { N = 3000 };
	struct ev_rec *ev = calloc(N, sizeof(*ev));
	struct log *l = calloc(1, sizeof(*l));
	bool *pending = calloc(N, sizeof(*pending));
	struct evq *q = evq_create();
	uint64_t s = 99;
	int pushed = 0;

	cr_assert(ev != NULL && l != NULL && pending != NULL && q != NULL);
	l->q = q;
	while (pushed < N || evq_pending(q) > 0) {
		uint64_t x = next(&s) % 10;
		if (x < 5 && pushed < N) {
			int i = pushed++;
			ev[i] = (struct ev_rec){.time = evq_now(q) + (int64_t)(next(&s) % 20),
						.cls = (int)(next(&s) % 2),
						.seq = i};
			ev[i].id = evq_push(q, ev[i].time, ev[i].cls, EVQ_FOREGROUND, record, l,
					    tag(i));
			cr_assert_neq(ev[i].id, 0);
			pending[i] = true;
		} else if (x < 7 && pushed > 0) {
			int k = (int)(next(&s) % (uint64_t)pushed);
			cr_assert_eq(evq_cancel(q, ev[k].id), pending[k]);
			pending[k] = false;
		} else {
			int best = -1;
			for (int i = 0; i < pushed; i++)
				if (pending[i] && (best < 0 || ev_cmp(&ev[i], &ev[best]) < 0))
					best = i;
			size_t before = l->n;
			cr_assert_eq(evq_step(q), best >= 0);
			if (best >= 0) {
				cr_assert_eq(l->n, before + 1);
				cr_assert_eq(l->tag[before], best);
				pending[best] = false;
				l->n = 0; /* keep the log small; only the last entry matters */
			}
		}
	}
	evq_destroy(q);
	free(pending);
	free(l);
	free(ev);
}

/* A retry timer rescheduled over and over (push far ahead, cancel, push
 * again) while foreground work runs: the cancelled entries pile up, the heap
 * compacts, and order and counts stay right throughout. */
static void retry_fn(void *ctx, void *arg, int64_t now)
{
	(void)ctx;
	(void)arg;
	(void)now;
	cr_assert_fail("a cancelled retry ran");
}

Test(evq, reschedule_churn_compacts)
{
	struct log *l = calloc(1, sizeof(*l));
	struct evq *q = evq_create();
	uint64_t retry = 0;
	int fg = 0;

	cr_assert(l != NULL && q != NULL);
	l->q = q;
	for (int round = 0; round < 200; round++) {
		for (int k = 0; k < 50; k++) {
			if (retry != 0)
				cr_assert(evq_cancel(q, retry));
			retry = evq_push(q, evq_now(q) + 1000000, 0, EVQ_BACKGROUND, retry_fn, NULL,
					 NULL);
			cr_assert_neq(retry, 0);
			evq_push(q, evq_now(q) + k % 7, k % 2, EVQ_FOREGROUND, record, l,
				 tag(fg++));
		}
		cr_expect_eq(evq_pending(q), 51);
		cr_expect_eq(evq_pending_foreground(q), 50);
		int64_t before = evq_now(q);
		cr_expect_eq(evq_run(q, INT64_MAX), 50);
		cr_expect_geq(evq_now(q), before);
		cr_expect_eq(evq_pending(q), 1, "only the retry is left");
		/* within a round: sorted by (time, class, push order) */
		for (size_t i = 1; i < l->n; i++) {
			int a = l->tag[i - 1] % 50, b = l->tag[i] % 50;
			int64_t ta = a % 7, tb = b % 7;
			bool ordered = ta < tb ||
				       (ta == tb && (a % 2 < b % 2 || (a % 2 == b % 2 && a < b)));
			cr_assert(ordered, "round %d position %zu: %d before %d", round, i, a, b);
		}
		l->n = 0;
	}
	cr_assert(evq_cancel(q, retry));
	cr_expect_eq(evq_pending(q), 0);
	evq_destroy(q);
	free(l);
}

/* Events still pending at destroy are released (ASan checks the leak). */
Test(evq, destroy_with_pending_events)
{
	struct log l = {0};
	struct evq *q = evq_create();

	l.q = q;
	for (int i = 0; i < 100; i++)
		evq_push(q, i, 0, i % 2 ? EVQ_BACKGROUND : EVQ_FOREGROUND, record, &l, tag(i));
	evq_destroy(q);
}

/* ---- out of memory ----------------------------------------------------- */

Test(evq_oom, a_failed_push_loses_no_pending_event)
{
	long fail_at;
	for (fail_at = 0;; fail_at++) {
		struct evq *q = evq_create();
		static struct log l;
		l = (struct log){ .q = q };
		size_t pushed = 0;
		cr_assert_not_null(q);
		failalloc_after(fail_at);
		/* Times run backwards so that every push moves the heap. */
		while (pushed < 1000 &&
		       evq_push(q, 10000 - (int64_t)pushed, 0, EVQ_FOREGROUND, record, &l,
				tag((int)pushed)) != 0)
			pushed++;
		failalloc_after(-1);
		cr_assert_eq(evq_pending(q), pushed);
		cr_assert_eq(evq_run(q, INT64_MAX), pushed);
		for (size_t i = 0; i < pushed; i++)
			cr_assert_eq(l.tag[i], (int)(pushed - 1 - i), "event %zu", i);
		cr_assert_neq(evq_push(q, 20000, 0, EVQ_FOREGROUND, record, &l, tag(-1)), 0,
			      "the queue grows again");
		evq_destroy(q);
		if (pushed == 1000)
			break; /* fail_at is past the last growth */
	}
	cr_assert_gt(fail_at, 6, "only %ld growths met", fail_at);
}
