/*
 * topo_derive.c - connected and global peerings, routing domains.  See
 * topo_derive.h.
 */
#include "topo_derive.h"

#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "jsonin.h"

static struct peering *peering_to(struct vnet *from, const struct vnet *to)
{
	for (size_t i = 0; i < from->npeerings; i++)
		if (from->peerings[i].remote == to)
			return &from->peerings[i];
	return NULL;
}

/* A peering as a (from, to) pair of VNets, for finding the way back. */
struct link {
	uintptr_t from, to;
	struct peering *p;
};

static int link_cmp(const void *a, const void *b)
{
	const struct link *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* Every peering as a link sorted by (from, to), so that the peering back
 * is found in O(log P).  Which of two peerings between the same VNets is
 * found does not matter: existence and the first one's flags are what is
 * read, and the loader refuses two peerings to one remote.  v is NULL when
 * out of memory: peering_back then scans. */
struct links {
	struct link *v;
	size_t n;
};

static struct links links_of(const struct topology *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nvnets; i++)
		n += t->vnets[i]->npeerings;
	/* Sized once from the count: nothing grows. */
	struct links l = { malloc((n ? n : 1) * sizeof(struct link)), 0 };
	for (size_t i = 0; l.v && i < t->nvnets; i++)
		for (size_t k = 0; k < t->vnets[i]->npeerings; k++)
			l.v[l.n++] = (struct link){ (uintptr_t)t->vnets[i],
						    (uintptr_t)t->vnets[i]->peerings[k].remote,
						    &t->vnets[i]->peerings[k] };
	if (l.v)
		qsort(l.v, l.n, sizeof(*l.v), link_cmp);
	return l;
}

/* The peering of from to `to`, or NULL. */
static struct peering *peering_back(const struct links *l, struct vnet *from, const struct vnet *to)
{
	if (!l->v)
		return peering_to(from, to);
	struct link key = { (uintptr_t)from, (uintptr_t)to, NULL };
	const struct link *x = bsearch(&key, l->v, l->n, sizeof(*l->v), link_cmp);
	return x ? x->p : NULL;
}

struct derive {                        /* the context domain_hub hands back */
	struct topo_reader *r;
	const struct links *links;
};

static const struct peering *back_of(const struct peering *p, void *ctx)
{
	const struct derive *d = ctx;
	return peering_back(d->links, p->remote, p->local);
}

/* The diagnostic of a note, the path at the peering. */
static bool report_transit(struct jin *j, const cJSON *none, size_t k, void *ctx)
{
	const struct domain_transit_note *n = ctx;
	const struct peering *p = &n->vnet->peerings[k];
	const struct vnet *v = n->vnet, *r = p->remote;
	(void)none;
	switch (n->why) {
	case DOMAIN_TRANSIT_USED:
		break;
	case DOMAIN_TRANSIT_SECOND:
		jin_error(j, "useRemoteGateways is set on two peerings (\"%s\" and \"%s\"): a virtual "
			     "network uses one remote gateway",
			  n->earlier->name, p->name);
		break;
	case DOMAIN_TRANSIT_OWN_GATEWAY:
		jin_error(j, "useRemoteGateways cannot be set: \"%s\" has its own gateway or Route "
			     "Server",
			  v->name);
		break;
	case DOMAIN_TRANSIT_NOT_ALLOWED:
		jin_error(j, "useRemoteGateways needs allowGatewayTransit on the remote peering "
			     "\"%s/%s\"",
			  r->name, n->back->name);
		break;
	case DOMAIN_TRANSIT_NO_GATEWAY:
		jin_error(j, "useRemoteGateways: \"%s\" has no gateway or Route Server", r->name);
		break;
	case DOMAIN_TRANSIT_NOT_CONNECTED:
		jin_warn(j, "useRemoteGateways has no effect: \"%s\" has no peering back to \"%s\", so "
			    "this peering is Initiated, not Connected",
			 r->name, v->name);
		break;
	}
	return true;
}

static bool in_vnet(struct jin *j, const cJSON *none, size_t i, void *ctx)
{
	const struct domain_transit_note *n = ctx;
	(void)none;
	(void)i;
	return jin_in_elem(j, "virtualNetworkPeerings", n->peering, NULL, report_transit, ctx);
}

/* A domain_note_fn: the path is entered only for a peering with something
 * to say (peering edits derive again every time). */
static void note_transit(const struct domain_transit_note *n, void *ctx)
{
	const struct derive *d = ctx;
	struct domain_transit_note copy = *n;
	jin_in_elem(d->r->j, "virtualNetworks", n->vnet->index, NULL, in_vnet, &copy);
}

void topo_derive(struct topo_reader *r)
{
	struct topology *t = r->t;
	struct links links = links_of(t);
	for (size_t i = 0; i < t->nvnets; i++) {
		struct vnet *v = t->vnets[i];
		for (size_t k = 0; k < v->npeerings; k++) {
			struct peering *p = &v->peerings[k];
			p->connected = peering_back(&links, p->remote, v) != NULL;
			p->global = strcmp(v->location, p->remote->location) != 0;
		}
	}
	struct derive d = { r, &links };
	for (size_t i = 0; i < t->nvnets; i++)
		t->vnets[i]->domain = domain_hub(t->vnets[i], back_of, note_transit, &d);
	free(links.v);
}
