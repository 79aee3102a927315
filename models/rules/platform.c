/*
 * platform.c - platform None profiles, verbatim from RULES 1.2.3.
 */
#include "platform.h"

#include <string.h>

static const char *const DOC[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
				   "100.64.0.0/10", NULL };
static const char *const OBS2019[] = { "10.0.0.0/8", "100.64.0.0/10", "192.168.0.0/16", NULL };
static const char *const OBS2021[] = { "10.0.0.0/8", "100.64.0.0/10", "192.168.0.0/16",
				       "25.33.80.0/20", "25.41.3.0/25", NULL };
#define OBS2022_LIST                                                                          \
	"10.0.0.0/8", "100.64.0.0/10", "25.48.0.0/12", "25.4.0.0/14", "198.18.0.0/15",       \
		"157.59.0.0/16", "192.168.0.0/16", "25.33.0.0/16", "40.109.0.0/16",           \
		"104.147.0.0/16", "104.146.0.0/17", "40.108.0.0/17", "23.103.0.0/18",         \
		"25.41.0.0/20", "20.35.252.0/22"
static const char *const OBS2022[] = { OBS2022_LIST, NULL };
static const char *const OBS2023[] = { OBS2022_LIST, "172.16.0.0/12", NULL };
static const char *const OBS2024[] = {
	"10.0.0.0/8",     "127.0.0.0/8",    "100.64.0.0/10",  "172.16.0.0/12",  "25.176.0.0/13",
	"25.152.0.0/14",  "25.184.0.0/14",  "25.4.0.0/14",    "25.148.0.0/15",  "198.18.0.0/15",
	"25.150.0.0/16",  "25.156.0.0/16",  "25.159.0.0/16",  "40.109.0.0/16",  "192.168.0.0/16",
	"104.147.0.0/16", "157.59.0.0/16",  "40.108.0.0/17",  "104.146.0.0/17", "23.103.0.0/18",
	"20.35.252.0/22", NULL
};

static const struct {
	const char *name;
	const char *const *list;
} PROFILES[] = {
	{ "DOC", DOC },         { "OBS2019", OBS2019 }, { "OBS2021", OBS2021 },
	{ "OBS2022", OBS2022 }, { "OBS2023", OBS2023 }, { "OBS2024", OBS2024 },
};

const char *const *platform_none_profile(const char *name)
{
	for (size_t i = 0; i < sizeof(PROFILES) / sizeof(PROFILES[0]); i++)
		if (strcmp(PROFILES[i].name, name) == 0)
			return PROFILES[i].list;
	return NULL;
}

const char *platform_profile_names(void) { return "DOC, OBS2019, OBS2021, OBS2022, OBS2023, OBS2024"; }
