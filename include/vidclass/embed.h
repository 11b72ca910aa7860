/*
 * vidclass/embed.h - 2048-d ResNet50 features of images and packs (vidclass-embed).
 *
 * Each input is an image file (any format FFmpeg decodes, detected by content, resized to
 * size x size ignoring aspect ratio) or an HDF5 pack holding /images uint8 [N, S, S, 3]
 * (docs/formats.md). Output HDF5: /features float32 [N, 2048] (global average pool of the
 * last block), /paths vlen UTF-8 [N]; attributes preprocess, weights, image_size,
 * n_failed. Inputs that cannot be decoded are skipped with one warning line each and
 * counted; the output is written to a temporary name and renamed when complete.
 */
#ifndef VIDCLASS_EMBED_H
#define VIDCLASS_EMBED_H

#include <stdint.h>

#include "vidclass/preprocess.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vc_embed_params {
    const char             *weights;    /* Keras ResNet50 notop weights file        */
    enum vc_preprocess_mode preprocess;
    int                     batch;      /* images per forward pass                   */
    int                     size;       /* input side, pixels (224)                  */
    const char             *precision;  /* "fp32" (NULL) or "bf16" (vidclass/gemm.h)  */
    const char             *output;     /* output HDF5 path                          */
    const char *const      *inputs;     /* image files and/or pack files             */
    int                     n_inputs;
    int                     quiet;      /* no progress lines                         */
    int                     force;      /* replace an existing output vidclass did not write */
};
struct vc_embed_params vc_embed_default_params(void);

struct vc_embed_result {
    int64_t n_ok;     /* feature rows written          */
    int64_t n_failed; /* inputs skipped (warned about) */
};

/** Run; VC_OK even if some inputs were skipped (see result->n_failed). */
int vc_embed_run(const struct vc_embed_params *p, struct vc_embed_result *result);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_EMBED_H */
