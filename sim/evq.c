/*
 * evq.c - the discrete-event engine: event heap and run loop.
 *
 * Structure (after libuv's timer heap, src/heap-inl.h and src/timer.c):
 *
 *  - slots[]: one record per scheduled event holding what to call (fn, ctx,
 *    arg), its state (free, live, cancelled), whether it is background, and
 *    a generation counter.  Free slots form a list threaded through
 *    next_free, so slot memory is reused and never exceeds the peak number
 *    of events held at once.
 *  - heap[]: an implicit binary min-heap of (time, cls, seq, slot).  The
 *    key is copied into the heap element so sifting never touches slots[].
 *    seq is a per-queue counter incremented on every push, so the key is a
 *    total order and dispatch is deterministic: equal (time, cls) fire in
 *    insertion order.
 *
 * An id is (generation << 32) | (slot + 1).  The generation of a slot is
 * bumped whenever the slot is freed, so a stale id (for an event already run
 * or cancelled) is recognised and evq_cancel returns false.  A stale id
 * would only be mistaken for a new event after the same slot has been
 * reused 2^32 times.
 *
 * Cancellation is lazy: evq_cancel marks the slot and adjusts the live
 * counters in O(1); the heap element is dropped when it reaches the top.
 * So that a pattern of "schedule far ahead, cancel, reschedule" cannot grow
 * the heap without bound, the heap is compacted (cancelled elements removed,
 * heap rebuilt bottom-up in O(n)) once cancelled elements outnumber live
 * ones; that is O(1) amortised per cancel.
 *
 * Invariants: live + cancelled == heap size; live_fg <= live; now never
 * decreases; every heap element refers to a slot that is live or cancelled.
 *
 * Costs: push and step O(log n); cancel O(1) amortised; memory 24 bytes per
 * heap element plus 40 per slot.
 */
#include "evq.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

#define EVQ_NO_SLOT UINT32_MAX
#define EVQ_MAX_SLOTS (UINT32_MAX - 1) /* slot + 1 must fit the low half of an id */
#define EVQ_COMPACT_MIN 64             /* do not bother compacting tiny heaps */

enum evq_state { EVQ_SLOT_FREE, EVQ_SLOT_LIVE, EVQ_SLOT_CANCELLED };

struct evq_node {
	int64_t time;  /* dispatch time, ms */
	uint64_t seq;  /* push order, unique within the queue */
	int cls;       /* lower runs first at equal times */
	uint32_t slot; /* index into slots[] */
};

struct evq_slot {
	evq_fn fn;          /* handler, NULL while free */
	void *ctx;          /* handler context */
	void *arg;          /* handler argument */
	uint32_t gen;       /* bumped each time the slot is freed */
	uint32_t next_free; /* next free slot while free, EVQ_NO_SLOT at the end */
	uint8_t state;      /* enum evq_state */
	uint8_t background; /* EVQ_BACKGROUND: does not keep evq_run alive */
};

struct evq {
	struct evq_node *heap;  /* binary min-heap by (time, cls, seq) */
	size_t n;               /* heap elements, live or cancelled */
	size_t cap;             /* heap elements allocated */
	struct evq_slot *slots; /* event records, indexed by heap[].slot */
	size_t nslots;          /* slots in use or on the free list */
	size_t slots_cap;       /* slots allocated */
	uint32_t free_head;     /* first free slot, EVQ_NO_SLOT when none */
	uint64_t seq;           /* last sequence number handed out */
	int64_t now;            /* time of the event being or last dispatched */
	size_t live;            /* pending, not cancelled */
	size_t live_fg;         /* pending, not cancelled, not background */
	size_t cancelled;       /* cancelled but still in the heap */
};

struct evq *evq_create(void)
{
	struct evq *q = calloc(1, sizeof(*q));

	if (q != NULL)
		q->free_head = EVQ_NO_SLOT;
	return q;
}

void evq_destroy(struct evq *q)
{
	if (q == NULL)
		return;
	free(q->heap);
	free(q->slots);
	free(q);
}

int evq_copy(struct evq *dst, const struct evq *src)
{
	if (VEC_RESERVE(dst->heap, dst->cap, src->n) != 0 ||
	    VEC_RESERVE(dst->slots, dst->slots_cap, src->nslots) != 0)
		return -1;
	if (src->n)
		memcpy(dst->heap, src->heap, src->n * sizeof(*src->heap));
	if (src->nslots)
		memcpy(dst->slots, src->slots, src->nslots * sizeof(*src->slots));
	dst->n = src->n;
	dst->nslots = src->nslots;
	dst->free_head = src->free_head;
	dst->seq = src->seq;
	dst->now = src->now;
	dst->live = src->live;
	dst->live_fg = src->live_fg;
	dst->cancelled = src->cancelled;
	return 0;
}

static bool evq_less(const struct evq_node *a, const struct evq_node *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	if (a->cls != b->cls)
		return a->cls < b->cls;
	return a->seq < b->seq;
}

static void evq_sift_up(struct evq *q, size_t i)
{
	struct evq_node x = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!evq_less(&x, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = x;
}

static void evq_sift_down(struct evq *q, size_t i)
{
	struct evq_node x = q->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= q->n)
			break;
		if (child + 1 < q->n && evq_less(&q->heap[child + 1], &q->heap[child]))
			child++;
		if (!evq_less(&q->heap[child], &x))
			break;
		q->heap[i] = q->heap[child];
		i = child;
	}
	q->heap[i] = x;
}

static void evq_heap_pop(struct evq *q)
{
	q->n--;
	if (q->n > 0) {
		q->heap[0] = q->heap[q->n];
		evq_sift_down(q, 0);
	}
}

static void evq_slot_free(struct evq *q, uint32_t s)
{
	struct evq_slot *slot = &q->slots[s];

	slot->state = EVQ_SLOT_FREE;
	slot->fn = NULL;
	slot->gen++;
	slot->next_free = q->free_head;
	q->free_head = s;
}

/* Returns a free slot index, or EVQ_NO_SLOT when out of memory. */
static uint32_t evq_slot_alloc(struct evq *q)
{
	if (q->free_head != EVQ_NO_SLOT) {
		uint32_t s = q->free_head;
		q->free_head = q->slots[s].next_free;
		return s;
	}
	if (q->nslots == EVQ_MAX_SLOTS)
		return EVQ_NO_SLOT;
	if (VEC_RESERVE(q->slots, q->slots_cap, q->nslots + 1) != 0)
		return EVQ_NO_SLOT;
	uint32_t s = (uint32_t)q->nslots++;
	q->slots[s].gen = 1;
	return s;
}

/* Removes cancelled elements and rebuilds the heap: O(n). */
static void evq_compact(struct evq *q)
{
	size_t j = 0;

	for (size_t i = 0; i < q->n; i++) {
		if (q->slots[q->heap[i].slot].state == EVQ_SLOT_LIVE)
			q->heap[j++] = q->heap[i];
		else
			evq_slot_free(q, q->heap[i].slot);
	}
	q->n = j;
	q->cancelled = 0;
	for (size_t i = q->n / 2; i-- > 0;)
		evq_sift_down(q, i);
}

/* Pops cancelled elements off the top.  Returns true when a live one is
 * left on top. */
static bool evq_skip_cancelled(struct evq *q)
{
	while (q->n > 0) {
		uint32_t s = q->heap[0].slot;
		if (q->slots[s].state == EVQ_SLOT_LIVE)
			return true;
		evq_heap_pop(q);
		evq_slot_free(q, s);
		q->cancelled--;
	}
	return false;
}

uint64_t evq_push(struct evq *q, int64_t time_ms, int cls, unsigned flags, evq_fn fn, void *ctx,
		  void *arg)
{
	assert(fn != NULL);
	if (time_ms < q->now || fn == NULL)
		return 0;
	if (VEC_RESERVE(q->heap, q->cap, q->n + 1) != 0)
		return 0;
	uint32_t s = evq_slot_alloc(q);
	if (s == EVQ_NO_SLOT)
		return 0;

	struct evq_slot *slot = &q->slots[s];
	slot->fn = fn;
	slot->ctx = ctx;
	slot->arg = arg;
	slot->state = EVQ_SLOT_LIVE;
	slot->background = (flags & EVQ_BACKGROUND) != 0;
	slot->next_free = EVQ_NO_SLOT;

	q->heap[q->n] = (struct evq_node){.time = time_ms, .seq = ++q->seq, .cls = cls, .slot = s};
	evq_sift_up(q, q->n++);
	q->live++;
	if (!slot->background)
		q->live_fg++;
	return ((uint64_t)slot->gen << 32) | ((uint64_t)s + 1);
}

bool evq_cancel(struct evq *q, uint64_t id)
{
	uint32_t low = (uint32_t)id;

	if (low == 0 || (size_t)low - 1 >= q->nslots)
		return false;
	struct evq_slot *slot = &q->slots[low - 1];
	if (slot->state != EVQ_SLOT_LIVE || slot->gen != (uint32_t)(id >> 32))
		return false;
	slot->state = EVQ_SLOT_CANCELLED;
	q->live--;
	if (!slot->background)
		q->live_fg--;
	q->cancelled++;
	if (q->cancelled >= EVQ_COMPACT_MIN && q->cancelled > q->live)
		evq_compact(q);
	return true;
}

bool evq_step(struct evq *q)
{
	if (!evq_skip_cancelled(q))
		return false;

	struct evq_node top = q->heap[0];
	evq_heap_pop(q);
	struct evq_slot slot = q->slots[top.slot];
	/* Free before the call: the handler may push (reallocating slots[]),
	 * and cancelling its own id must answer false. */
	evq_slot_free(q, top.slot);
	q->live--;
	if (!slot.background)
		q->live_fg--;
	q->now = top.time;
	slot.fn(slot.ctx, slot.arg, top.time);
	return true;
}

size_t evq_run(struct evq *q, int64_t until_ms)
{
	size_t ran = 0;

	while (q->live_fg > 0 && evq_skip_cancelled(q) && q->heap[0].time <= until_ms) {
		evq_step(q);
		ran++;
	}
	return ran;
}

int64_t evq_now(const struct evq *q)
{
	return q->now;
}

bool evq_next_time(struct evq *q, int64_t *time_ms)
{
	if (!evq_skip_cancelled(q))
		return false;
	*time_ms = q->heap[0].time;
	return true;
}

size_t evq_pending(const struct evq *q)
{
	return q->live;
}

size_t evq_pending_foreground(const struct evq *q)
{
	return q->live_fg;
}
