/*
 * vidclass/rng.h - a small portable PRNG (xoshiro256** seeded through splitmix64).
 *
 * Streams are keyed, not sequential: vc_rng_seed(&r, seed, a, b) gives an independent
 * stream for every (seed, a, b), e.g. (seed, epoch, image index) in training, so results
 * do not depend on how work is split across ranks. Only integer arithmetic and exact
 * int->double conversion: the same numbers on every platform.
 */
#ifndef VIDCLASS_RNG_H
#define VIDCLASS_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vc_rng {
    uint64_t s[4];
};

/** Seed a stream from (seed, a, b). */
void vc_rng_seed(struct vc_rng *r, uint64_t seed, uint64_t a, uint64_t b);

/** Next 64 random bits. */
uint64_t vc_rng_next(struct vc_rng *r);

/** Uniform double in [0, 1) with 53 random bits. */
double vc_rng_uniform(struct vc_rng *r);

/** Uniform double in [lo, hi). */
double vc_rng_range(struct vc_rng *r, double lo, double hi);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_RNG_H */
