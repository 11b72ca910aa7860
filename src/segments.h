/*
 * segments.h - a video's segments: the runs of equal smoothed label in its classified
 * frames, with their times (vidclass internal; docs/formats.md "Segments").
 *
 * A segment covers frames start .. end (rows of the record, end inclusive), from
 * time[start] to the next classified frame's time (the last one: to the video's end, its
 * duration when known, else the last frame's time + 1/fps). Its confidence is the mean
 * smoothed probability of its label over the frames that carry that label.
 *
 * With min_seconds > 0, runs shorter than that are merged, the shortest first (the earlier
 * among equals), into the
 * longer of their neighbours (the earlier one on a tie), taking its label, and neighbours
 * that then share a label become one; a video with a single run keeps it however short.
 * The segments always cover every classified frame exactly once, in order.
 */
#ifndef VIDCLASS_SEGMENTS_H
#define VIDCLASS_SEGMENTS_H

#include <stdint.h>

#include "vidclass/record.h"

struct vc_segment {
    int32_t label;      /* -1: below the confidence threshold ("unknown") */
    int64_t start, end; /* record rows, end inclusive                       */
    double  t0, t1;     /* seconds                                           */
    float   confidence;
};

/* The segments of r into *segs (grown as needed; *cap its room), their count in *n. */
int vc_segments_of(const struct vc_record *r, double min_seconds, struct vc_segment **segs, int64_t *n, int64_t *cap);

#endif
