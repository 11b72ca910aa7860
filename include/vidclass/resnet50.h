/*
 * vidclass/resnet50.h - the Keras ResNet50 (include_top=False) base network on the CPU.
 *
 * Graph, exactly keras/applications/resnet.py ResNet50: conv1_pad (3) -> conv1_conv 7x7/2
 * -> conv1_bn -> relu -> pool1_pad (1) -> pool1_pool max 3x3/2 -> stages conv2..conv5 with
 * 3, 4, 6, 3 bottleneck blocks convS_blockB_{0,1,2,3}_{conv,bn}; block 1 of each stage has
 * the projection shortcut (_0_); the stride of stages 3..5 sits on the first 1x1 conv and
 * on the shortcut (v1). Every BN is folded into the conv before it at load time.
 * Output: [n, oh, ow, 2048] (7x7x2048 at 224x224).
 *
 * Weights layouts, recognised from the layer names (docs/formats.md):
 *   tf.keras  tf.keras / Keras 3 applications (conv1_conv, conv2_block1_1_bn, ...), BN
 *             epsilon 1.001e-5, pool1_pad before the max pool;
 *   keras2.2  standalone Keras 2.2 / keras_applications <= 1.0.8 and the original
 *             deep-learning-models v0.2 files (conv1, bn_conv1, res2a_branch2a,
 *             bn2a_branch1, ...), BN epsilon 1e-3 (Keras's default), and no padding
 *             before the max pool unless the file lists a pool1_pad layer.
 * Inside a layer the tensors are taken in weight_names order (kernel, bias; gamma, beta,
 * moving_mean, moving_variance), as Keras's loader does, so their spelling does not
 * matter ("kernel:0", "kernel", Keras 1's "conv1_W:0"). A whole-model file's model_config
 * states each BatchNormalization's epsilon; that value wins over the layout's default.
 *
 * Input: NHWC float32, already preprocessed (vidclass/preprocess.h). Any h, w >= 32.
 *
 *     vc_resnet50 *net = NULL;
 *     if (vc_resnet50_load("resnet50_notop.h5", NULL, &net) != VC_OK) ...vc_last_error()...
 *     vc_resnet50_features(net, x, n, 224, 224, feat);   // feat: [n, 2048]
 *     vc_resnet50_free(&net);
 *
 * A handle is not thread-safe: it owns one workspace, allocated on the first forward pass
 * and grown only when a larger (n, h, w) arrives, then reused.
 */
#ifndef VIDCLASS_RESNET50_H
#define VIDCLASS_RESNET50_H

#include <stddef.h>
#include <stdint.h>

#include "vidclass/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VC_RESNET50_FEATURES 2048
#define VC_RESNET50_BN_EPSILON 1.001e-5

typedef struct vc_resnet50 vc_resnet50;

/* ---- the manifest: every Keras layer of the graph, in Keras order ------------------- */

enum vc_layer_kind {
    VC_LAYER_INPUT,
    VC_LAYER_PAD,
    VC_LAYER_CONV,   /* weights: kernel [kh,kw,cin,cout], bias [cout]                 */
    VC_LAYER_BN,     /* weights: gamma, beta, moving_mean, moving_variance [channels] */
    VC_LAYER_RELU,
    VC_LAYER_POOL,
    VC_LAYER_ADD,
};

struct vc_resnet50_layer {
    const char        *name;     /* Keras layer name, e.g. "conv3_block1_0_conv" */
    enum vc_layer_kind kind;
    int kh, kw, cin, cout, stride, pad; /* conv geometry (CONV only)              */
    int channels;                       /* BN channels (BN only)                   */
};

/** Number of layers in the manifest (175, weightless ones included). */
int vc_resnet50_layer_count(void);

/** Layer i of the manifest (0 <= i < count). Borrowed, static. */
const struct vc_resnet50_layer *vc_resnet50_layer_at(int i);

/* ---- the network ------------------------------------------------------------------- */

/** How to prepare a loaded network. */
struct vc_resnet50_params {
    enum vc_precision precision; /* products in fp32 (default) or bf16 (vidclass/gemm.h) */
};
struct vc_resnet50_params vc_resnet50_default_params(void);

/**
 * Load a Keras weights file (see vidclass/keras_weights.h), fold every BatchNorm and prepare
 * the weights for the products of params->precision (NULL: vc_resnet50_default_params()).
 * Fails with a message naming the file, dataset and expected vs found shape on any
 * missing, mis-shaped or non-float tensor, or when this CPU cannot run that precision.
 * On success *out is owned by the caller.
 */
int vc_resnet50_load(const char *path, const struct vc_resnet50_params *params, vc_resnet50 **out);

/** Free and set *net = NULL. NULL-safe. */
void vc_resnet50_free(vc_resnet50 **net);

/** What a loaded network was read as. */
struct vc_resnet50_desc {
    const char *layout;          /* "tf.keras" or "keras2.2"                                 */
    double      bn_epsilon;      /* the layout's default epsilon                             */
    int         pool_pad;        /* 1: zero padding of 1 before the 3x3/2 max pool           */
    int         eps_from_config; /* BN layers whose epsilon came from the file's model_config */
    double      eps_min, eps_max; /* range of the epsilons actually used                     */
    enum vc_precision precision; /* of the products                                          */
    const char *product;         /* the product's kernel (vc_gemm_b_kind), static            */
};
struct vc_resnet50_desc vc_resnet50_describe(const vc_resnet50 *net);

/** Spatial size of the output map of the tf.keras graph (pool1_pad) for an h x w input. */
void vc_resnet50_output_hw(int h, int w, int *oh, int *ow);

/** The same for this network (its pooling padding may differ: keras2.2 layout). */
void vc_resnet50_map_hw(const vc_resnet50 *net, int h, int w, int *oh, int *ow);

/**
 * Called after conv1_relu, pool1_pool and every convS_blockB_out with the NHWC
 * activation (borrowed, valid during the call only). For tests and debugging.
 */
typedef void (*vc_resnet50_tap_fn)(const char *name, const float *data, int n, int h,
                                   int w, int c, void *user);

/**
 * Forward pass. x: [n, h, w, 3] preprocessed. out: caller buffer [n, oh, ow, 2048]
 * (vc_resnet50_output_hw), or NULL when only taps are wanted. tap may be NULL.
 */
int vc_resnet50_forward(vc_resnet50 *net, const float *x, int n, int h, int w, float *out,
                        vc_resnet50_tap_fn tap, void *user);

/** Forward pass then global average pool: feat is [n, 2048]. */
int vc_resnet50_features(vc_resnet50 *net, const float *x, int n, int h, int w, float *feat);

/** Multiply-adds x2 for one image of h x w, counted as direct convolutions (about 7.7e9 at
 *  224x224): the usual way to quote a ResNet50's cost, and the basis of "GFLOP/s" figures. */
double vc_resnet50_flops(int h, int w);

/** The multiply-adds x2 this loaded network's GEMMs really execute for one image of h x w:
 *  its Winograd layers counted at their tile size, padding of partial tiles included
 *  (about 5.44e9 at 224x224 with the default per-stage choice). */
double vc_resnet50_gemm_flops(const vc_resnet50 *net, int h, int w);

/** Seconds spent so far in GEMM, in im2col/elementwise/pooling (cumulative). */
struct vc_resnet50_timing {
    double total;
    double conv;      /* vc_conv2d calls: im2col + GEMM + bias/ReLU/residual */
    double pool;      /* max pool and global average pool                    */
    int64_t images;
};
struct vc_resnet50_timing vc_resnet50_get_timing(const vc_resnet50 *net);

/** Bytes currently held in the workspace. */
size_t vc_resnet50_workspace_bytes(const vc_resnet50 *net);

/* ---- deterministic generated weights ------------------------------------------------ */

enum vc_resnet50_gen_layout {
    VC_GEN_TF_KERAS = 0, /* conv1_conv, conv2_block1_1_bn, ...                              */
    VC_GEN_KERAS22  = 1, /* conv1, bn_conv1, res2a_branch2a, ... (max pool without padding) */
    VC_GEN_KERAS22_POOLPAD = 2, /* the same with a pool1_pad layer (keras_applications 1.0.8) */
};

struct vc_resnet50_gen_params {
    uint64_t    seed;
    int         vlen_strings; /* 0: fixed-length attributes (Keras default), 1: vlen */
    const char *root_group;   /* NULL: at "/"; "model_weights": as model.save() does  */
    int         name_suffix;  /* 1: "kernel:0" names, 0: Keras 3 "kernel"            */
    enum vc_resnet50_gen_layout layout;
    int         keras1_names; /* 1: weight names as Keras 1 spelled them ("conv1_W:0",
                                 "bn_conv1_running_std:0"), no "layer/" prefix        */
};
struct vc_resnet50_gen_params vc_resnet50_gen_default_params(void);

/**
 * Write a pseudo-random ResNet50 weights file in the Keras layout. He-uniform kernels,
 * small conv biases, BN statistics that keep activations finite and input-dependent
 * through all 16 blocks. Same seed -> identical dataset bytes (portable integer RNG), and
 * the same tensor values in every layout (only names and the graph's details differ).
 */
int vc_resnet50_generate_weights(const char *path, const struct vc_resnet50_gen_params *p);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_RESNET50_H */
