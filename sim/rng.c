/*
 * rng.c - seeded random numbers on GSL's mt19937 (Matsumoto & Nishimura
 * 1998).  This is the only file that includes GSL headers, so replacing GSL
 * touches nothing else.
 *
 * Determinism: the same seed gives the same stream on every platform GSL
 * supports.  GSL seeds mt19937 with 32 bits only, so the 64-bit seed is
 * folded (low half XOR high half); seeds below 2^32 are passed unchanged and
 * give the reference MT streams.  GSL maps seed 0 to its default 4357, so
 * seeds 0 and 4357 give the same stream.
 *
 * Costs: an rng is about 5 KB (the MT state); each draw is O(1).
 */
#include "rng.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

struct rng {
	gsl_rng *g; /* gsl_rng_mt19937 state */
};

struct rng *rng_create(uint64_t seed)
{
	/* GSL's default error handler calls abort().  Turning it off is
	 * process-wide, but idempotent and what every user of this module
	 * wants, so doing it on each create needs no global flag.  Every GSL
	 * status is then checked where GSL reports one. */
	gsl_set_error_handler_off();

	struct rng *r = malloc(sizeof(*r));
	if (r == NULL)
		return NULL;
	r->g = gsl_rng_alloc(gsl_rng_mt19937);
	if (r->g == NULL) {
		free(r);
		return NULL;
	}
	gsl_rng_set(r->g, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
	return r;
}

void rng_destroy(struct rng *r)
{
	if (r == NULL)
		return;
	gsl_rng_free(r->g);
	free(r);
}

double rng_uniform(struct rng *r)
{
	return gsl_rng_uniform(r->g);
}

/* 64 random bits from two 32-bit mt19937 outputs. */
static uint64_t rng_bits64(struct rng *r)
{
	uint64_t hi = gsl_rng_get(r->g) & 0xffffffffu;
	uint64_t lo = gsl_rng_get(r->g) & 0xffffffffu;

	return (hi << 32) | lo;
}

/*
 * Unbiased in [0, n).  GSL's gsl_rng_uniform_int accepts n up to max - min
 * of the generator (2^32 - 1 for mt19937) and fails above it (status
 * GSL_EINVAL, result 0); larger n use 64-bit draws with rejection of the
 * last incomplete run of n.  n == 0 returns 0.
 */
uint64_t rng_uniform_int(struct rng *r, uint64_t n)
{
	if (n <= 1)
		return 0;
	if (n <= UINT32_MAX)
		return gsl_rng_uniform_int(r->g, (unsigned long)n);

	uint64_t reject_from = UINT64_MAX - (UINT64_MAX % n); /* multiple of n */
	uint64_t x;
	do {
		x = rng_bits64(r);
	} while (x >= reject_from);
	return x % n;
}

/* mean > 0; GSL computes -mean * log1p(-u) and reports no error. */
double rng_exponential(struct rng *r, double mean)
{
	return gsl_ran_exponential(r->g, mean);
}

double rng_flat(struct rng *r, double a, double b)
{
	return gsl_ran_flat(r->g, a, b);
}

double rng_lognormal(struct rng *r, double zeta, double sigma)
{
	return gsl_ran_lognormal(r->g, zeta, sigma);
}
