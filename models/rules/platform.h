/*
 * platform.h - the platform `None` route profiles of RULES 1.2.3
 * (RULES E1.1, RULES E9.1): the lists Azure returned over the years.
 *
 * Pure and static: the lists are constant data the caller never frees,
 * looked up by exact (case-sensitive) profile name in O(profiles).  The
 * None rewrite against a VNet's address space is the effective tables'
 * (effective.c), which take a list already parsed into prefixes.
 */
#ifndef RULES_PLATFORM_H
#define RULES_PLATFORM_H

#include <stddef.h>

#include "prefix.h"

#define PLATFORM_DEFAULT_PROFILE "DOC"

/* The prefixes of a profile as CIDR strings, NULL-terminated; NULL when
 * the name is unknown. */
const char *const *platform_none_profile(const char *name);
/* "DOC, OBS2019, ..." for messages. */
const char *platform_profile_names(void);

#endif
