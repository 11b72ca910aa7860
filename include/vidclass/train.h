/*
 * vidclass/train.h - data-parallel training of the head on a frozen ResNet50 base.
 *
 * Collective over `comm`. The global batch (batch_size, 32) is the same for any rank count:
 * each step, rank r takes a contiguous share of the batch's positions, computes base
 * features and head gradients for them, and one MPI_Allreduce over one flat buffer
 * [gradient | loss sum | hits] gives every rank the batch mean; every rank then applies the
 * same SGD step. Shuffling (seed, epoch), augmentation (seed, epoch or view, pack row),
 * dropout masks (seed, epoch, pack row) and the cached view picked (seed, epoch, pack row)
 * come from keyed RNG streams, never from the rank: 1, 2 or 4 ranks train the same head up
 * to floating-point summation order.
 *
 * augment_views = 0: a fresh augmentation of every training image every epoch (the
 * tutorial's way: one ResNet50 pass per image per epoch). V >= 1: base features of V
 * augmented views per training image and of the clean test images are computed once, in
 * parallel, into an HDF5 cache keyed by the SHA-256 of the weights and the pack, the
 * preprocessing, V, the seed, the image size and the augmentation settings; later runs
 * with the same key reuse it, anything else recomputes it.
 *
 * Validation (clean test split, features computed once: the base is frozen) runs after
 * every epoch. Outputs in `output`: model.h5, report.txt, history.csv, plot.png,
 * checkpoint.h5 (after every epoch; resume continues from it to the same result).
 */
#ifndef VIDCLASS_TRAIN_H
#define VIDCLASS_TRAIN_H

#include <mpi.h>
#include <stdint.h>

#include "vidclass/augment.h"
#include "vidclass/preprocess.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vc_train_params {
    const char             *pack;          /* vidclass-pack output                     */
    const char             *weights;       /* Keras ResNet50 notop weights             */
    const char             *output;        /* output directory                         */
    const char             *cache;         /* feature cache file (NULL: output/features_cache.h5) */
    const char *const      *classes;       /* optional: must equal the pack's classes  */
    int                     n_classes;
    int                     epochs;        /* 25                                       */
    int                     batch_size;    /* 32 (global)                              */
    uint64_t                seed;          /* 42                                       */
    int                     augment_views; /* 0 = no cache                             */
    double                  lr;            /* 1e-4                                     */
    double                  momentum;      /* 0.9                                      */
    double                  decay;         /* < 0: lr / epochs (the tutorial's)        */
    double                  dropout;       /* 0.5                                      */
    int                     hidden;        /* 512                                      */
    enum vc_preprocess_mode preprocess;    /* caffe                                    */
    int                     forward_batch; /* images per ResNet50 pass (16)            */
    int                     resume;        /* continue from output/checkpoint.h5       */
    int                     quiet;         /* no progress lines                        */
    struct vc_augment_params augment;
};
struct vc_train_params vc_train_default_params(void);

struct vc_train_result {
    int    epochs_run;   /* epochs trained in this call */
    double loss, accuracy, val_loss, val_accuracy; /* last epoch */
};

/** Collective. On error nothing in `output` is overwritten unless training had started
 *  (then the last checkpoint stays valid). */
int vc_train_run(const struct vc_train_params *p, MPI_Comm comm, struct vc_train_result *result);

#ifdef __cplusplus
}
#endif
#endif
