/*
 * vidclass/head.h - the classification head and its optimizer.
 *
 * AveragePooling 7x7 + Flatten of the 7x7x2048 map = the 2048-d global average (the
 * features from vc_resnet50_features), then Dense(hidden) ReLU -> Dropout(rate) ->
 * Dense(classes) softmax, categorical cross-entropy. All parameters live in ONE flat
 * float buffer, laid out [W1 (in x hidden, row-major) | b1 | W2 (hidden x classes) | b2],
 * and gradients use the same layout, so data-parallel training sums them with a single
 * MPI_Allreduce. Keras names: W1/b1 = dense/kernel, dense/bias; W2/b2 = dense_1/...
 */
#ifndef VIDCLASS_HEAD_H
#define VIDCLASS_HEAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vc_head_shape {
    int in;      /* 2048 */
    int hidden;  /* 512  */
    int classes; /* N    */
};

/** Number of floats in the flat parameter (and gradient) buffer. */
size_t vc_head_param_count(const struct vc_head_shape *s);

/** Offsets of W1, b1, W2, b2 in the flat buffer. */
struct vc_head_offsets { size_t w1, b1, w2, b2; };
struct vc_head_offsets vc_head_offsets_of(const struct vc_head_shape *s);

/** Keras defaults: Glorot-uniform kernels (limit sqrt(6/(fan_in+fan_out))), zero biases,
 *  drawn from the portable RNG keyed by seed. */
void vc_head_init(const struct vc_head_shape *s, uint64_t seed, float *params);

/** Floats of workspace the functions below need for a batch of n. */
size_t vc_head_workspace_floats(const struct vc_head_shape *s, int n);

/** Inference: probs [n, classes] (softmax), no dropout. */
void vc_head_predict(const struct vc_head_shape *s, const float *params, const float *x,
                     int n, float *probs, float *ws);

/**
 * Training forward + backward over a part of a global batch.
 * x [n, in], labels [n], mask [n, hidden] (dropout multipliers: 0 or 1/(1-rate); NULL =
 * no dropout). Adds scale * sum_i dL_i/dparams to grad (scale = 1 / global batch size, so
 * the sum over ranks is the batch mean). Adds sum_i L_i to *loss_sum and the number of
 * argmax hits to *correct. L_i = -log softmax(z)_{y_i}.
 */
void vc_head_train_batch(const struct vc_head_shape *s, const float *params, const float *x,
                         const int32_t *labels, int n, const float *mask, float scale,
                         float *grad, double *loss_sum, int64_t *correct, float *ws);

/** Dropout multipliers for one sample: each of `hidden` units kept with prob 1-rate
 *  (value 1/(1-rate)) or dropped (0), from a stream keyed by (seed, epoch, index). */
void vc_head_dropout_mask(int hidden, double rate, uint64_t seed, uint64_t epoch,
                          uint64_t index, float *mask);

/**
 * Keras legacy SGD with momentum and time decay, one step:
 *   lr_t = lr / (1 + decay * iteration);  v = momentum * v - lr_t * g;  p += v
 * (iteration counts completed steps, starting at 0).
 */
void vc_sgd_step(float *params, const float *grad, float *velocity, size_t n, double lr,
                 double momentum, double decay, int64_t iteration);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_HEAD_H */
