/*
 * snapshot.c - a checkpoint's subnets, tables and NICs.  See snapshot.h.
 */
#include "snapshot.h"

#include <stdlib.h>

#include "arena.h"
#include "strmap.h"

struct snapshot *snapshot_create(size_t nsubnets, size_t nnics, snapshot_fill_fn fill,
				 void *ctx)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->arena = arena_create();
	s->by_subnet = strmap_create();
	s->by_nic = strmap_create();
	if (s->arena) {
		s->subnets = arena_calloc(s->arena, nsubnets ? nsubnets : 1, sizeof(*s->subnets));
		s->nics = arena_calloc(s->arena, nnics ? nnics : 1, sizeof(*s->nics));
	}
	if (!s->arena || !s->by_subnet || !s->by_nic || !s->subnets || !s->nics) {
		snapshot_destroy(s);
		return NULL;
	}
	s->nsubnets = nsubnets;
	s->nnics = nnics;
	s->fill = fill;
	s->ctx = ctx;
	return s;
}

int snapshot_index(struct snapshot *s)
{
	for (size_t i = 0; i < s->nsubnets; i++)
		if (strmap_put(s->by_subnet, s->subnets[i].id, &s->subnets[i]) < 0)
			return -1;
	for (size_t i = 0; i < s->nnics; i++)
		if (strmap_put(s->by_nic, s->nics[i].name, &s->nics[i]) < 0)
			return -1;
	return 0;
}

void snapshot_destroy(struct snapshot *s)
{
	if (!s)
		return;
	strmap_destroy(s->by_subnet);
	strmap_destroy(s->by_nic);
	arena_destroy(s->arena);
	free(s);
}

static int fill_eff(void *ctx, const void *table, bool without_rs, struct rowdiff_set *out)
{
	(void)ctx;
	return rowdiff_set_add_table(out, table, without_rs);
}

struct snapshot *snapshot_from_checkpoint(const struct checkpoint *c)
{
	const struct topology *t = c->topo;
	size_t nnics = 0;
	for (size_t i = 0; i < t->nsubnets; i++)
		nnics += t->subnets[i]->nic_count;
	struct snapshot *s = snapshot_create(t->nsubnets, nnics, fill_eff, NULL);
	if (!s)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < t->nsubnets; i++) {
		const struct subnet *sn = t->subnets[i];
		s->subnets[i] = (struct snapshot_subnet){ .id = sn->id, .nic_first = k,
							  .nic_count = sn->nic_count,
							  .table = c->tables[i] };
		for (size_t j = 0; j < sn->nic_count; j++, k++) {
			const struct nic *n = t->subnet_nics[sn->nic_first + j];
			s->nics[k] = (struct snapshot_nic){
				.name = n->name, .subnet = i,
				.unprogrammed = c->nic_unprogrammed &&
						c->nic_unprogrammed[n - t->nics] };
		}
	}
	if (snapshot_index(s) != 0) {
		snapshot_destroy(s);
		return NULL;
	}
	return s;
}

const struct snapshot_subnet *snapshot_subnet(const struct snapshot *s, const char *id)
{
	return strmap_get(s->by_subnet, id);
}

const struct snapshot_nic *snapshot_nic(const struct snapshot *s, const char *name)
{
	return strmap_get(s->by_nic, name);
}
