/*
 * snapshot.h - what `vnetsim diff` compares: the subnets of one checkpoint
 * with their tables, and the NICs in each subnet, whether the checkpoint
 * comes from a run in memory (models/replay/run.h) or from the results store
 * (tools/cli/store.h).  One comparison code serves every form of diff.
 *
 * Invariants: subnets keep the order of the topology; nics are grouped by
 * subnet (subnet i's NICs are nics[subnets[i].nic_first ..
 * + nic_count)), in the topology's order inside a subnet; names are
 * unique.  A table is an opaque handle that only the snapshot's fill
 * function reads: an eff_table for a run, a stored table id for the
 * store.  Lookups by name are O(1) (hash maps built by snapshot_index).
 */
#ifndef TOOLS_SNAPSHOT_H
#define TOOLS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"
#include "rowdiff.h"

struct arena;
struct strmap;

struct snapshot_subnet {
	const char *id;                /* "vnet/subnet" */
	size_t nic_first, nic_count;   /* into snapshot.nics */
	const void *table;             /* handle for fill; NULL: no table */
};

struct snapshot_nic {
	const char *name;
	size_t subnet;                 /* index into snapshot.subnets */
	bool unprogrammed;             /* beyond Route Server capacity (RULES 1.8) */
};

/* Adds the rows of a table handle (without_rs: the view of a NIC beyond
 * Route Server capacity) to out.  0, -1 out of memory, -3 I/O (reported). */
typedef int (*snapshot_fill_fn)(void *ctx, const void *table, bool without_rs,
				struct rowdiff_set *out);

struct snapshot {
	struct arena *arena;           /* names and arrays */
	struct snapshot_subnet *subnets;
	size_t nsubnets;
	struct snapshot_nic *nics;
	size_t nnics;
	struct strmap *by_subnet, *by_nic; /* id/name -> element */
	snapshot_fill_fn fill;
	void *ctx;
};

/* Empty arrays of the given sizes, to be filled by the caller, then
 * snapshot_index.  NULL out of memory. */
struct snapshot *snapshot_create(size_t nsubnets, size_t nnics, snapshot_fill_fn fill,
				 void *ctx);
int snapshot_index(struct snapshot *s); /* 0, -1 out of memory */
void snapshot_destroy(struct snapshot *s); /* NULL is a no-op */
/* A checkpoint of a run in memory; it must outlive the snapshot. */
struct snapshot *snapshot_from_checkpoint(const struct checkpoint *c);

const struct snapshot_subnet *snapshot_subnet(const struct snapshot *s, const char *id);
const struct snapshot_nic *snapshot_nic(const struct snapshot *s, const char *name);

#endif
