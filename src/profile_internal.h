/* profile_internal.h - the forward pass's stage timers (vidclass internal). */
#ifndef VIDCLASS_PROFILE_INTERNAL_H
#define VIDCLASS_PROFILE_INTERNAL_H

#include "vidclass/log.h"
#include "vidclass/profile.h"

extern int vc_prof_on;
void vc_prof_add(int thread, int stage, double seconds);

/* PROF_MARK(t) then PROF_ADD(thread, stage, t): adds the time since the mark, restarts it. */
#define PROF_MARK(t) double t = vc_prof_on ? vc_time_now() : 0.0
#define PROF_ADD(thread, stage, t)                                              \
    do {                                                                        \
        if (vc_prof_on) {                                                       \
            double now_ = vc_time_now();                                        \
            vc_prof_add((thread), (stage), now_ - (t));                         \
            (t) = now_;                                                         \
        }                                                                       \
    } while (0)

#endif
