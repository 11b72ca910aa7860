/*
 * vidclass/record.h - one classified video: the single form a result takes between the
 * classifier, the MPI message from a worker rank to rank 0, the results journal on disk and
 * the rows of the results file (docs/formats.md).
 *
 * The encoding (vc_record_encode / vc_record_decode) is the MPI payload and the journal
 * record's payload alike, in native byte order (a run's ranks and its journal share one
 * architecture):
 *   path: u32 length + bytes | status i32 | error: u32 length + bytes | label i32 |
 *   confidence f32 | fps f64 | duration f64 | n i64 | index i64[n] | time f64[n] |
 *   probs f32[n * classes] | label i32[n] | confidence f32[n]
 * The decoder checks every length against the payload it is given; a short or inconsistent
 * payload is VC_ERR_FORMAT, never a read past the buffer.
 */
#ifndef VIDCLASS_RECORD_H
#define VIDCLASS_RECORD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vc_record {
    char    *path;       /* the input as listed                                     */
    int32_t  status;     /* 0 ok, 1 failed (error says why)                          */
    char    *error;      /* "" if none                                               */
    int32_t  label;      /* the video's label (argmax of the mean probabilities), -1 */
    float    confidence; /* that mean probability                                    */
    double   fps;        /* the stream's average frame rate, 0 if unknown            */
    double   duration;   /* seconds, 0 if unknown                                    */
    int64_t  n;          /* classified frames                                        */
    int64_t *index;      /* [n] frame number among all decoded frames                */
    double  *time;       /* [n] presentation time in seconds                         */
    float   *probs;      /* [n, classes] per-frame softmax                           */
    int32_t *frame_label;      /* [n] smoothed label (-1: below the confidence threshold) */
    float   *frame_confidence; /* [n] smoothed probability of that label             */
    int64_t  cap;        /* rows allocated                                           */
};

/* Room for n frames of `classes` probabilities (grows, keeps the first rows). */
int vc_record_reserve(struct vc_record *r, int64_t n, int classes);

/* A fresh video: path and error copied; status 0, label -1, no frames (arrays kept). */
int vc_record_start(struct vc_record *r, const char *path);

/* Mark failed with a message (copied); the frames classified so far stay. */
int vc_record_fail(struct vc_record *r, const char *message);

/* Free everything and zero the struct. */
void vc_record_free(struct vc_record *r);

/* Bytes vc_record_encode writes. */
size_t vc_record_encoded_size(const struct vc_record *r, int classes);

/* Encode into buf (vc_record_encoded_size bytes). */
void vc_record_encode(const struct vc_record *r, int classes, uint8_t *buf);

/* Decode len bytes into r (arrays grown as needed; strings replaced). */
int vc_record_decode(const uint8_t *buf, size_t len, int classes, struct vc_record *r);

#ifdef __cplusplus
}
#endif
#endif
