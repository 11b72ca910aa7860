/*
 * vidclass/profile.h - where the forward pass spends its time, by stage (opt-in).
 *
 * Off by default (one branch per chunk of work). When on, every thread of the pool adds
 * the wall time of each stage it runs, so the figures are thread-seconds: with 2 threads a
 * second of forward pass holds up to 2 s of stages. bench/forward -p prints them as shares.
 */
#ifndef VIDCLASS_PROFILE_H
#define VIDCLASS_PROFILE_H

#ifdef __cplusplus
extern "C" {
#endif

enum vc_prof_stage {
    VC_PROF_IM2COL,   /* patch gathering for k x k and strided convolutions            */
    VC_PROF_GEMM,     /* products (vc_gemm_b_run) with their bias/residual/ReLU epilogue */
    VC_PROF_WINO_IN,  /* Winograd input transform                                       */
    VC_PROF_WINO_OUT, /* Winograd output transform + bias + residual + ReLU            */
    VC_PROF_POOL,     /* max pool and global average pool                               */
    VC_PROF_N
};

struct vc_profile {
    double seconds[VC_PROF_N]; /* thread-seconds per stage */
};

/** Turn stage timing on (1) or off (0) for the whole process; counters keep their values. */
void vc_profile_enable(int on);
/** Zero the counters (call when no forward pass is running). */
void vc_profile_reset(void);
/** Sum of the counters over threads. */
struct vc_profile vc_profile_get(void);
/** Short name of a stage ("im2col", ...). */
const char *vc_profile_stage_name(int stage);

#ifdef __cplusplus
}
#endif
#endif
