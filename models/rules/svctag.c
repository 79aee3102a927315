/*
 * svctag.c - service tag catalogues.  See svctag.h.  Lookups are linear
 * (O(tags)); the public file has ~3,000 tags and lookups happen once per
 * service endpoint or tag route at load time.
 */
#include "svctag.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "diag.h"

static const struct {
	const char *service, *tag;
} SERVICE_TAGS[] = {
	{ "Microsoft.Storage", "Storage" },
	{ "Microsoft.Sql", "Sql" },
	{ "Microsoft.AzureCosmosDB", "AzureCosmosDB" },
	{ "Microsoft.KeyVault", "AzureKeyVault" },
	{ "Microsoft.ServiceBus", "ServiceBus" },
	{ "Microsoft.EventHub", "EventHub" },
	{ "Microsoft.Web", "AppService" },
	{ "Microsoft.ContainerRegistry", "AzureContainerRegistry" },
};

const char *svctag_service_tag(const char *service)
{
	for (size_t i = 0; i < sizeof(SERVICE_TAGS) / sizeof(SERVICE_TAGS[0]); i++)
		if (strcmp(SERVICE_TAGS[i].service, service) == 0)
			return SERVICE_TAGS[i].tag;
	return NULL;
}

void svctag_destroy(struct svctag_catalog *c)
{
	if (!c)
		return;
	arena_destroy(c->arena);
	free(c);
}

struct svctag_catalog *svctag_catalog_create(size_t n, const char *origin)
{
	struct svctag_catalog *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->arena = arena_create();
	c->tags = c->arena ? arena_calloc(c->arena, n ? n : 1, sizeof(*c->tags)) : NULL;
	if (!c->tags) {
		svctag_destroy(c);
		return NULL;
	}
	c->origin = arena_strdup(c->arena, origin);
	return c;
}

const struct svctag *svctag_find(const struct svctag_catalog *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->tags[i].name, name) == 0)
			return &c->tags[i];
	return NULL;
}

const struct svctag *svctag_for_service(const struct svctag_catalog *c, const char *base,
					const char *region)
{
	size_t bl = strlen(base);
	for (size_t i = 0; c && region && i < c->n; i++) {
		const struct svctag *t = &c->tags[i];
		if (strncmp(t->name, base, bl) == 0 && t->name[bl] == '.' &&
		    strcasecmp(t->region, region) == 0)
			return t;
	}
	return svctag_find(c, base);
}

/* The built-in sample: a few real-looking prefixes per service, global and
 * for two regions.  It exists so a scenario without tags still runs; the
 * output says these are sample data, not Azure's published ranges. */
static const struct {
	const char *name, *region, *prefixes;
} SAMPLE[] = {
	{ "Storage", "", "20.38.96.0/19 20.47.0.0/18 20.150.0.0/17 52.239.128.0/17" },
	{ "Storage.WestEurope", "westeurope", "20.38.108.0/23 20.47.7.0/24 20.150.8.0/23 52.239.140.0/22" },
	{ "Storage.EastUS", "eastus", "20.38.98.0/24 20.47.1.0/24 20.150.32.0/23 52.239.152.0/22" },
	{ "Sql", "", "13.65.0.0/24 20.37.0.0/16 40.78.0.0/17 104.40.0.0/17" },
	{ "Sql.WestEurope", "westeurope", "13.69.105.0/24 20.61.99.0/24 40.68.37.0/24 104.40.168.0/21" },
	{ "Sql.EastUS", "eastus", "20.42.65.0/24 20.62.132.0/24 40.71.8.0/24 52.168.116.0/24" },
	{ "AzureKeyVault", "", "13.66.138.88/30 20.38.84.0/27 40.78.196.0/30 52.167.111.160/27" },
	{ "AzureCosmosDB", "", "13.64.69.151/32 13.66.26.107/32 40.74.0.0/27 104.42.195.92/32" },
	{ "ServiceBus", "", "13.66.138.80/28 20.38.80.128/26 40.78.194.16/28 52.161.17.0/24" },
	{ "EventHub", "", "13.66.138.64/28 20.38.81.0/26 40.78.194.32/28 52.165.128.0/24" },
	{ "AppService", "", "13.64.73.110/32 20.37.74.0/25 40.78.195.0/25 104.45.0.0/24" },
	{ "AzureContainerRegistry", "", "13.66.140.72/29 20.37.69.0/26 40.78.198.0/26 52.150.156.0/24" },
};

struct svctag_catalog *svctag_sample(void)
{
	size_t n = sizeof(SAMPLE) / sizeof(SAMPLE[0]);
	struct svctag_catalog *c = svctag_catalog_create(n, "built-in sample");
	if (!c)
		return NULL;
	c->sample = true;
	for (size_t i = 0; i < n; i++) {
		struct svctag *t = &c->tags[c->n++];
		t->name = SAMPLE[i].name;
		t->region = SAMPLE[i].region;
		t->prefixes.v = arena_calloc(c->arena, 8, sizeof(struct prefix));
		char buf[256];
		strncpy(buf, SAMPLE[i].prefixes, sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		char *save = NULL;
		for (char *tok = strtok_r(buf, " ", &save); tok && t->prefixes.v && t->prefixes.n < 8;
		     tok = strtok_r(NULL, " ", &save)) {
			struct prefix p;
			if (prefix_parse(tok, &p) == PREFIX_OK)
				t->prefixes.v[t->prefixes.n++] = p;
		}
	}
	return c;
}
