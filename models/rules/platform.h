/*
 * platform.h - the platform `None` route profiles of SPEC 1.2.3
 * (reference 1.1, AMBIGUITY 1): the lists Azure returned over the years.
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
