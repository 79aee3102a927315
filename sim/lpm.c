/*
 * lpm.c - longest-prefix-match table, IPv4 prefix -> 32-bit value.
 *
 * Two structures, one derived from the other (the DPDK lib/lpm idea):
 *
 * 1. The rules, the truth.  rules[] holds (prefix, value) records; freed
 *    records are reused through a free list, so a rule keeps its index for
 *    its whole life.  A hash table on (address, length) (open addressing,
 *    linear probing, backward-shift deletion, load <= 1/2) finds a rule by
 *    its prefix for replace and remove, and len_count[] says which lengths
 *    exist, so "the longest rule strictly shorter than p that covers p" is
 *    at most 32 hash probes.
 *
 * 2. The lookup trie: a multibit trie with controlled prefix expansion
 *    (V. Srinivasan and G. Varghese, "Fast address lookups using
 *    controlled prefix expansion", ACM TOCS 17(1), 1999), the same idea as
 *    DPDK's DIR-24-8 with smaller strides.  The root consumes the first
 *    root_bits of the address (8, or 16 for big tables), every lower level
 *    8 more: strides 8-8-8-8 or 16-8-8.  A slot is one uint32_t:
 *
 *	0                  no rule covers this slot's range
 *	r + 1              leaf: rules[r] is the longest rule covering the
 *	                   whole range of the slot
 *	LPM_CHILD | n      the range is split further in node n (256 slots)
 *
 *    A rule of length L is expanded at the first level whose cumulative
 *    bits reach L: it fills 2^(bits - L) consecutive slots there, except
 *    where a longer rule already holds a slot, and the same recursively
 *    inside child nodes under those slots.  A new node starts as 256 copies
 *    of the leaf it replaces, since that rule covers the whole of its range.
 *    So every leaf holds the best rule for its range and a lookup is at most
 *    four dependent loads (three for the 16-bit root) plus one to read the
 *    value from rules[]:
 *
 *	s = root[addr >> (32 - root_bits)]
 *	while s is a child: s = node[s][next 8 bits of addr]
 *
 *    Updates are local: insert and remove touch the slots under the rule's
 *    range only (for remove, slots that named the rule get the next shorter
 *    covering rule), and remove frees the nodes on the rule's path that
 *    became uniform.  Trie invariant: the node under a slot of level j
 *    exists iff some rule longer than level j's cumulative bits lies inside
 *    the slot's range; equivalently no node is uniform (256 equal leaves).
 *    The trie is rebuilt from the rules only to change the root size (when
 *    the rule count reaches LPM_BIG_AT, back when it falls below a quarter
 *    of it, so a table hovering at the threshold does not rebuild on every
 *    change) or to compact the node pool; see lpm_maintain.
 *
 * Costs.  lookup: O(1), at most 5 memory reads, no allocation.  insert and
 * remove: O(32 + slots under the rule's range), i.e. up to 2^(bits - L)
 * slots plus the nodes below them; a /0 or /1 visits the whole trie.  A
 * root switch or a compaction (see lpm_maintain) rebuilds the trie from the
 * rules in O(trie size), amortised over the changes that caused it.
 * Memory: 16 bytes per rule plus 8 to 16 for the hash (both at their
 * high-water mark until the table is emptied), a 1 KiB root (256 KiB with
 * the 16-bit root, only from LPM_BIG_AT rules) and 1 KiB per node; the
 * node pool is compacted once free nodes outnumber used ones.  A rule of length L needs at most
 * ceil((L - root_bits) / 8) nodes, shared with the other rules in the same
 * ranges.  Measured: 20 /24 subnets of one /16 take 6 KiB, 20 random host
 * routes (the worst case for 20 rules) 66 KiB, 10,000 random prefixes of
 * uniformly random length about 9 MiB.
 */
#include "lpm.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

#define LPM_CHILD 0x80000000u       /* slot refers to a child node */
#define LPM_INDEX 0x7fffffffu       /* node index or rule index + 1 */
#define LPM_NONE UINT32_MAX         /* no node / no rule */
#define LPM_ROOT UINT32_MAX         /* node id naming the root table */
#define LPM_STRIDE 8                /* bits per level below the root */
#define LPM_NODE_SLOTS (1u << LPM_STRIDE)
#define LPM_ROOT_SMALL 8            /* root bits while small: 1 KiB root */
#define LPM_ROOT_BIG 16             /* root bits while big: 256 KiB root */
#define LPM_BIG_AT 4096             /* rules from which the 16-bit root pays */
#define LPM_MAX_LEVELS 4            /* root plus three levels with the 8-bit root */
#define LPM_COMPACT_MIN 16          /* free nodes tolerated before compacting */
#define LPM_MAX_RULES (LPM_INDEX - 1) /* rule index + 1 must fit in LPM_INDEX */

struct lpm_rule {
	uint32_t addr;      /* network address, host bits zero */
	uint32_t value;     /* the caller's value */
	uint32_t next_free; /* next free record while free, LPM_NONE at the end */
	uint8_t len;        /* prefix length 0..32 */
	uint8_t used;       /* 1 while the rule exists */
};

struct lpm_trie {
	uint32_t *root;     /* 1 << root_bits slots */
	unsigned root_bits; /* LPM_ROOT_SMALL or LPM_ROOT_BIG */
	uint32_t *nodes;    /* node n is nodes[256 n .. 256 n + 255] */
	size_t nnodes;      /* nodes in use or on the free list */
	size_t slots_cap;   /* slots allocated in nodes (LPM_NODE_SLOTS a node) */
	uint32_t free_node; /* first free node, LPM_NONE when none; linked through slot 0 */
	size_t nfree;       /* nodes on the free list */
};

struct lpm {
	struct lpm_trie trie;    /* derived lookup structure */
	struct lpm_rule *rules;  /* rule records, indexed by leaf - 1 */
	size_t nrules;           /* records in use or on the free list */
	size_t rules_cap;        /* records allocated */
	uint32_t free_rule;      /* first free record, LPM_NONE when none */
	size_t count;            /* rules that exist */
	uint32_t *hash;          /* rule index + 1 by (addr, len), 0 empty; NULL when no rules */
	unsigned hash_bits;      /* hash has 1 << hash_bits entries */
	uint32_t len_count[33];  /* rules per prefix length */
};

/* ---- the trie ---------------------------------------------------------- */

static uint32_t *lpm_table(const struct lpm_trie *tr, uint32_t node)
{
	return node == LPM_ROOT ? tr->root : tr->nodes + ((size_t)node << LPM_STRIDE);
}

/* Address bits consumed once level `level` (0 = root) has been indexed. */
static unsigned lpm_bits(const struct lpm_trie *tr, unsigned level)
{
	return tr->root_bits + LPM_STRIDE * level;
}

/* Slot of addr in a table of level `level`. */
static size_t lpm_index(const struct lpm_trie *tr, unsigned level, uint32_t addr)
{
	unsigned width = level == 0 ? tr->root_bits : LPM_STRIDE;

	return (addr >> (32 - lpm_bits(tr, level))) & ((1u << width) - 1);
}

static int lpm_trie_init(struct lpm_trie *tr, unsigned root_bits)
{
	memset(tr, 0, sizeof(*tr));
	tr->root = calloc((size_t)1 << root_bits, sizeof(uint32_t));
	if (tr->root == NULL)
		return -1;
	tr->root_bits = root_bits;
	tr->free_node = LPM_NONE;
	return 0;
}

static void lpm_trie_fini(struct lpm_trie *tr)
{
	free(tr->root);
	free(tr->nodes);
	memset(tr, 0, sizeof(*tr));
}

/* A node whose 256 slots are copies of `fill`.  LPM_NONE when out of memory. */
static uint32_t lpm_node_alloc(struct lpm_trie *tr, uint32_t fill)
{
	uint32_t n;

	if (tr->free_node != LPM_NONE) {
		n = tr->free_node;
		tr->free_node = lpm_table(tr, n)[0];
		tr->nfree--;
	} else {
		/* A node index must fit in LPM_INDEX, its slot count in size_t. */
		if (tr->nnodes >= LPM_INDEX || tr->nnodes >= SIZE_MAX / LPM_NODE_SLOTS - 4)
			return LPM_NONE;
		/* Room for whole nodes, 4 at first, then doubling. */
		size_t need = (tr->nnodes < 4 ? 4 : tr->nnodes + 1) * LPM_NODE_SLOTS;
		if (VEC_RESERVE(tr->nodes, tr->slots_cap, need) != 0)
			return LPM_NONE;
		n = (uint32_t)tr->nnodes++;
	}
	uint32_t *tab = lpm_table(tr, n);
	for (unsigned i = 0; i < LPM_NODE_SLOTS; i++)
		tab[i] = fill;
	return n;
}

static void lpm_node_free(struct lpm_trie *tr, uint32_t n)
{
	lpm_table(tr, n)[0] = tr->free_node;
	tr->free_node = n;
	tr->nfree++;
}

/* Puts `leaf` (a rule of length len) into the n slots at tab, and under them,
 * wherever the current rule is not longer. */
static void lpm_fill_add(struct lpm_trie *tr, const struct lpm_rule *rules, uint32_t *tab,
			 size_t n, uint32_t leaf, uint8_t len)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t s = tab[i];
		if (s & LPM_CHILD)
			lpm_fill_add(tr, rules, lpm_table(tr, s & LPM_INDEX), LPM_NODE_SLOTS, leaf,
				     len);
		else if (s == 0 || rules[s - 1].len <= len)
			tab[i] = leaf;
	}
}

/* Replaces leaf `old` by `repl` in the n slots at tab and under them. */
static void lpm_fill_remove(const struct lpm_trie *tr, uint32_t *tab, size_t n, uint32_t old,
			    uint32_t repl)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t s = tab[i];
		if (s & LPM_CHILD)
			lpm_fill_remove(tr, lpm_table(tr, s & LPM_INDEX), LPM_NODE_SLOTS, old,
					repl);
		else if (s == old)
			tab[i] = repl;
	}
}

/*
 * Expands rules[ri] into the trie.  Nodes on its path are created first; if
 * that fails nothing visible has changed (a new node only repeats its parent
 * leaf), so -1 leaves the trie valid for the other rules.
 */
static int lpm_trie_add(struct lpm_trie *tr, const struct lpm_rule *rules, uint32_t ri)
{
	const struct lpm_rule *r = &rules[ri];
	uint32_t node = LPM_ROOT;
	unsigned level = 0;

	while (r->len > lpm_bits(tr, level)) {
		size_t i = lpm_index(tr, level, r->addr);
		uint32_t s = lpm_table(tr, node)[i];
		if (!(s & LPM_CHILD)) {
			uint32_t c = lpm_node_alloc(tr, s); /* may move tr->nodes */
			if (c == LPM_NONE)
				return -1;
			s = LPM_CHILD | c;
			lpm_table(tr, node)[i] = s;
		}
		node = s & LPM_INDEX;
		level++;
	}
	size_t first = lpm_index(tr, level, r->addr);
	size_t n = (size_t)1 << (lpm_bits(tr, level) - r->len);
	lpm_fill_add(tr, rules, lpm_table(tr, node) + first, n, ri + 1, r->len);
	return 0;
}

static bool lpm_node_uniform(const uint32_t *tab)
{
	if (tab[0] & LPM_CHILD)
		return false;
	for (unsigned i = 1; i < LPM_NODE_SLOTS; i++)
		if (tab[i] != tab[0])
			return false;
	return true;
}

/*
 * Takes rules[ri] out of the trie: its slots get `repl` (the next shorter
 * covering rule's leaf, or 0), then nodes on its path that became uniform
 * are folded back into their parent slot, deepest first.  Only path nodes
 * can become uniform: a node below the rule's range exists for a longer
 * rule, which is still there.
 */
static void lpm_trie_remove(struct lpm_trie *tr, const struct lpm_rule *rules, uint32_t ri,
			    uint32_t repl)
{
	const struct lpm_rule *r = &rules[ri];
	uint32_t path[LPM_MAX_LEVELS];
	unsigned level = 0;

	path[0] = LPM_ROOT;
	while (r->len > lpm_bits(tr, level)) {
		uint32_t s = lpm_table(tr, path[level])[lpm_index(tr, level, r->addr)];
		assert(s & LPM_CHILD); /* the rule's own insert created it */
		if (!(s & LPM_CHILD))
			return;
		path[++level] = s & LPM_INDEX;
	}
	size_t first = lpm_index(tr, level, r->addr);
	size_t n = (size_t)1 << (lpm_bits(tr, level) - r->len);
	lpm_fill_remove(tr, lpm_table(tr, path[level]) + first, n, ri + 1, repl);

	for (; level > 0; level--) {
		const uint32_t *tab = lpm_table(tr, path[level]);
		if (!lpm_node_uniform(tab))
			break;
		lpm_table(tr, path[level - 1])[lpm_index(tr, level - 1, r->addr)] = tab[0];
		lpm_node_free(tr, path[level]);
	}
}

/* ---- the rules and their hash ------------------------------------------ */

static size_t lpm_hash_slot(uint32_t addr, uint8_t len, unsigned bits)
{
	uint64_t k = ((uint64_t)addr << 6) | len; /* len < 64: the key is unique */

	return (size_t)((k * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - bits));
}

/* Index of the rule for addr/len, or LPM_NONE. */
static uint32_t lpm_hash_find(const struct lpm *t, uint32_t addr, uint8_t len)
{
	if (t->hash == NULL)
		return LPM_NONE;
	size_t mask = ((size_t)1 << t->hash_bits) - 1;
	for (size_t i = lpm_hash_slot(addr, len, t->hash_bits);; i = (i + 1) & mask) {
		uint32_t e = t->hash[i];
		if (e == 0)
			return LPM_NONE;
		const struct lpm_rule *r = &t->rules[e - 1];
		if (r->addr == addr && r->len == len)
			return e - 1;
	}
}

/* Places rule ri in h (which has room and does not hold it). */
static void lpm_hash_place(uint32_t *h, unsigned bits, const struct lpm_rule *r, uint32_t ri)
{
	size_t mask = ((size_t)1 << bits) - 1;
	size_t i = lpm_hash_slot(r->addr, r->len, bits);

	while (h[i] != 0)
		i = (i + 1) & mask;
	h[i] = ri + 1;
}

/* Makes room for one more rule in the hash, keeping the load <= 1/2. */
static int lpm_hash_reserve(struct lpm *t)
{
	if (t->hash != NULL && (t->count + 1) * 2 <= ((size_t)1 << t->hash_bits))
		return 0;
	unsigned bits = t->hash == NULL ? 4 : t->hash_bits + 1;
	uint32_t *h = calloc((size_t)1 << bits, sizeof(*h));
	if (h == NULL)
		return -1;
	for (size_t i = 0; t->hash != NULL && i < ((size_t)1 << t->hash_bits); i++)
		if (t->hash[i] != 0)
			lpm_hash_place(h, bits, &t->rules[t->hash[i] - 1], t->hash[i] - 1);
	free(t->hash);
	t->hash = h;
	t->hash_bits = bits;
	return 0;
}

/* Removes rule ri, which is in the hash (Knuth's algorithm R: shift back
 * the entries after it that would otherwise become unreachable). */
static void lpm_hash_delete(struct lpm *t, uint32_t ri)
{
	size_t mask = ((size_t)1 << t->hash_bits) - 1;
	const struct lpm_rule *r = &t->rules[ri];
	size_t i = lpm_hash_slot(r->addr, r->len, t->hash_bits);

	while (t->hash[i] != ri + 1)
		i = (i + 1) & mask;
	t->hash[i] = 0;
	for (size_t j = (i + 1) & mask; t->hash[j] != 0; j = (j + 1) & mask) {
		const struct lpm_rule *o = &t->rules[t->hash[j] - 1];
		size_t home = lpm_hash_slot(o->addr, o->len, t->hash_bits);
		/* Entry j stays when its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (stays)
			continue;
		t->hash[i] = t->hash[j];
		t->hash[j] = 0;
		i = j;
	}
}

static uint32_t lpm_rule_alloc(struct lpm *t)
{
	if (t->free_rule != LPM_NONE) {
		uint32_t ri = t->free_rule;
		t->free_rule = t->rules[ri].next_free;
		return ri;
	}
	if (t->nrules == LPM_MAX_RULES)
		return LPM_NONE;
	if (VEC_RESERVE(t->rules, t->rules_cap, t->nrules + 1) != 0)
		return LPM_NONE;
	return (uint32_t)t->nrules++;
}

static void lpm_rule_free(struct lpm *t, uint32_t ri)
{
	t->rules[ri].used = 0;
	t->rules[ri].next_free = t->free_rule;
	t->free_rule = ri;
}

/* ---- root size and compaction ------------------------------------------ */

/* Builds a fresh trie with the given root from the rules and swaps it in.
 * On failure the current trie stays, which is still correct. */
static int lpm_rebuild(struct lpm *t, unsigned root_bits)
{
	struct lpm_trie nt;

	if (lpm_trie_init(&nt, root_bits) < 0)
		return -1;
	for (size_t i = 0; i < t->nrules; i++) {
		if (t->rules[i].used && lpm_trie_add(&nt, t->rules, (uint32_t)i) < 0) {
			lpm_trie_fini(&nt);
			return -1;
		}
	}
	lpm_trie_fini(&t->trie);
	t->trie = nt;
	return 0;
}

/*
 * After an insert or remove: switches the root size when the rule count
 * crossed a threshold, and compacts the node pool (a rebuild allocates only
 * the nodes in use) once free nodes outnumber used ones, so memory follows
 * the table down after mass removals; the rebuild's cost is paid for by the
 * removals that freed those nodes.  A failed rebuild is ignored: the current
 * trie gives correct answers.
 */
static void lpm_maintain(struct lpm *t)
{
	const struct lpm_trie *tr = &t->trie;

	if (tr->root_bits == LPM_ROOT_SMALL && t->count >= LPM_BIG_AT)
		(void)lpm_rebuild(t, LPM_ROOT_BIG);
	else if (tr->root_bits == LPM_ROOT_BIG && t->count < LPM_BIG_AT / 4)
		(void)lpm_rebuild(t, LPM_ROOT_SMALL);
	else if (tr->nfree > LPM_COMPACT_MIN && tr->nfree > tr->nnodes - tr->nfree)
		(void)lpm_rebuild(t, tr->root_bits);
}

/* ---- the API ----------------------------------------------------------- */

struct lpm *lpm_create(void)
{
	struct lpm *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if (lpm_trie_init(&t->trie, LPM_ROOT_SMALL) < 0) {
		free(t);
		return NULL;
	}
	t->free_rule = LPM_NONE;
	return t;
}

void lpm_destroy(struct lpm *t)
{
	if (t == NULL)
		return;
	lpm_trie_fini(&t->trie);
	free(t->rules);
	free(t->hash);
	free(t);
}

/* Lengths above 32 are treated as 32 (struct prefix promises 0..32). */
static struct prefix lpm_normalize(struct prefix p)
{
	assert(p.len <= 32);
	if (p.len > 32)
		p.len = 32;
	p.addr &= prefix_mask(p.len);
	return p;
}

int lpm_insert(struct lpm *t, struct prefix p, uint32_t value)
{
	p = lpm_normalize(p);
	uint32_t ri = lpm_hash_find(t, p.addr, p.len);
	if (ri != LPM_NONE) {
		t->rules[ri].value = value; /* leaves name the record: nothing else moves */
		return 0;
	}

	if (lpm_hash_reserve(t) < 0)
		return -1;
	ri = lpm_rule_alloc(t);
	if (ri == LPM_NONE)
		return -1;
	t->rules[ri] = (struct lpm_rule){
		.addr = p.addr, .value = value, .next_free = LPM_NONE, .len = p.len, .used = 1};
	if (lpm_trie_add(&t->trie, t->rules, ri) < 0) {
		lpm_rule_free(t, ri);
		return -1;
	}
	lpm_hash_place(t->hash, t->hash_bits, &t->rules[ri], ri);
	t->count++;
	t->len_count[p.len]++;
	lpm_maintain(t);
	return 0;
}

bool lpm_remove(struct lpm *t, struct prefix p)
{
	p = lpm_normalize(p);
	uint32_t ri = lpm_hash_find(t, p.addr, p.len);
	if (ri == LPM_NONE)
		return false;

	/* The rule that takes over: the longest strictly shorter one covering p. */
	uint32_t repl = 0;
	for (int l = p.len - 1; l >= 0; l--) {
		if (t->len_count[l] == 0)
			continue;
		uint32_t c = lpm_hash_find(t, p.addr & prefix_mask((uint8_t)l), (uint8_t)l);
		if (c != LPM_NONE) {
			repl = c + 1;
			break;
		}
	}

	lpm_trie_remove(&t->trie, t->rules, ri, repl);
	lpm_hash_delete(t, ri);
	lpm_rule_free(t, ri);
	t->count--;
	t->len_count[p.len]--;
	if (t->count == 0)
		lpm_clear(t); /* give back everything, rules and hash included */
	else
		lpm_maintain(t);
	return true;
}

/* The leaf addr reaches: rule index + 1, or 0 when no rule matches.  The
 * hot path of every next-hop query; inlined into both lookups. */
static inline uint32_t lpm_leaf(const struct lpm *t, uint32_t addr)
{
	const uint32_t *nodes = t->trie.nodes;
	unsigned shift = 32 - t->trie.root_bits;
	uint32_t s = t->trie.root[addr >> shift];

	while (s & LPM_CHILD) {
		shift -= LPM_STRIDE;
		s = nodes[((size_t)(s & LPM_INDEX) << LPM_STRIDE) | ((addr >> shift) & 0xffu)];
	}
	return s;
}

bool lpm_lookup(const struct lpm *t, uint32_t addr, uint32_t *value)
{
	uint32_t s = lpm_leaf(t, addr);

	if (s == 0)
		return false;
	*value = t->rules[s - 1].value;
	return true;
}

bool lpm_lookup_prefix(const struct lpm *t, uint32_t addr, struct prefix *matched,
		       uint32_t *value)
{
	uint32_t s = lpm_leaf(t, addr);

	if (s == 0)
		return false;
	const struct lpm_rule *r = &t->rules[s - 1];
	if (matched != NULL)
		*matched = (struct prefix){.addr = r->addr, .len = r->len};
	if (value != NULL)
		*value = r->value;
	return true;
}

size_t lpm_rule_count(const struct lpm *t)
{
	return t->count;
}

/* Returns the table to its just-created state.  Cannot fail: if the small
 * root cannot be allocated the big one is kept, emptied. */
void lpm_clear(struct lpm *t)
{
	struct lpm_trie nt;

	if (lpm_trie_init(&nt, LPM_ROOT_SMALL) == 0) {
		lpm_trie_fini(&t->trie);
		t->trie = nt;
	} else {
		free(t->trie.nodes);
		t->trie.nodes = NULL;
		t->trie.nnodes = 0;
		t->trie.slots_cap = 0;
		t->trie.free_node = LPM_NONE;
		t->trie.nfree = 0;
		memset(t->trie.root, 0, ((size_t)1 << t->trie.root_bits) * sizeof(uint32_t));
	}
	free(t->rules);
	free(t->hash);
	t->rules = NULL;
	t->nrules = 0;
	t->rules_cap = 0;
	t->free_rule = LPM_NONE;
	t->count = 0;
	t->hash = NULL;
	t->hash_bits = 0;
	memset(t->len_count, 0, sizeof(t->len_count));
}
