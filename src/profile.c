/* profile.c - opt-in per-stage timing of the forward pass (see vidclass/profile.h). */
#include "vidclass/profile.h"
#include "profile_internal.h"

#include <string.h>

#define MAX_THREADS 64

int vc_prof_on;
/* one row per pool thread (cache-line padded): threads never write the same line */
static struct { double s[VC_PROF_N]; char pad[64]; } g_rows[MAX_THREADS];

void vc_profile_enable(int on) { vc_prof_on = on; }

void vc_profile_reset(void) { memset(g_rows, 0, sizeof g_rows); }

void vc_prof_add(int thread, int stage, double seconds)
{
    if (thread >= 0 && thread < MAX_THREADS) g_rows[thread].s[stage] += seconds;
}

struct vc_profile vc_profile_get(void)
{
    struct vc_profile p;
    memset(&p, 0, sizeof p);
    for (int t = 0; t < MAX_THREADS; t++)
        for (int s = 0; s < VC_PROF_N; s++) p.seconds[s] += g_rows[t].s[s];
    return p;
}

const char *vc_profile_stage_name(int stage)
{
    static const char *const names[VC_PROF_N] = { "im2col", "gemm", "wino-in", "wino-out", "pool" };
    return stage >= 0 && stage < VC_PROF_N ? names[stage] : "?";
}
