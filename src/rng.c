/* rng.c - xoshiro256** (Blackman & Vigna) seeded through splitmix64. */
#include "vidclass/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void vc_rng_seed(struct vc_rng *r, uint64_t seed, uint64_t a, uint64_t b)
{
    /* Mix the three keys through splitmix64 so nearby keys give unrelated streams. */
    uint64_t x = seed;
    uint64_t k = splitmix64(&x);
    x = k ^ a;
    k = splitmix64(&x);
    x = k ^ b;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t vc_rng_next(struct vc_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double vc_rng_uniform(struct vc_rng *r)
{
    return (double)(vc_rng_next(r) >> 11) * 0x1.0p-53;
}

double vc_rng_range(struct vc_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * vc_rng_uniform(r);
}
