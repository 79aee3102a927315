/*
 * vec.c - growable arrays.  See vec.h.
 */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>

void *vec_grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t n = *cap >= 16 ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (elem && n > SIZE_MAX / elem)
		return NULL;
	void *q = realloc(p, n * elem);
	if (!q)
		return NULL;
	*cap = n;
	return q;
}
