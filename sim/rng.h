/*
 * rng.h - seeded random numbers for sweeps, on GSL (the only file that
 * includes GSL headers).  gsl_set_error_handler_off() is called once so a
 * GSL error never aborts the process.
 * Ownership: one generator per struct rng (no global state), freed by
 * rng_destroy; draws are deterministic for a seed.  Costs: O(1) per draw.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct rng;

struct rng *rng_create(uint64_t seed); /* mt19937, NULL when out of memory */
void rng_destroy(struct rng *r);       /* NULL is a no-op */
double rng_uniform(struct rng *r);     /* [0, 1) */
uint64_t rng_uniform_int(struct rng *r, uint64_t n); /* [0, n), n >= 1 */
double rng_exponential(struct rng *r, double mean);
double rng_flat(struct rng *r, double a, double b);            /* uniform [a, b) */
/* exp(N(zeta, sigma)): median exp(zeta). */
double rng_lognormal(struct rng *r, double zeta, double sigma);

#endif
