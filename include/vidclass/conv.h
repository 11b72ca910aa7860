/*
 * vidclass/conv.h - NHWC float32 convolution and pooling kernels.
 *
 * Convolution is im2col + one GEMM: the input patch matrix [rows = N*OH*OW, K = KH*KW*Cin]
 * times the kernel in Keras HWIO layout, which is already a row-major [K, Cout] matrix.
 * A 1x1 stride-1 unpadded convolution uses the input itself as the patch matrix (no copy).
 * Every other shape (including 1x1 stride 2) gathers patches into the caller's workspace in
 * chunks of rows, so the workspace stays small (vc_conv_workspace_floats) whatever the
 * batch size; except that a kernel wider than a pixel on a product that reads rows in
 * pieces (vc_gemm_b_pieces_ok: conv1 on our fp32 product) copies the input once with its
 * zero border into the workspace and multiplies its patches where they lie.
 * Bias, the residual accumulation and ReLU are applied by the product itself
 * (vc_gemm_b_run: in registers with the packed kernel, per chunk with OpenBLAS).
 *
 * Padding is symmetric and zero-valued (Keras ZeroPadding2D / padding="same" for odd k).
 *
 * The convolutions and the pooling functions split their work over the process's compute
 * threads (vc_blas_set_threads; src/pool.c): call them from one thread at a time and never
 * from inside one another's work, as one forward pass at a time per process does.
 */
#ifndef VIDCLASS_CONV_H
#define VIDCLASS_CONV_H

#include "vidclass/gemm.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vc_conv_desc {
    int cin;    /* input channels                  */
    int cout;   /* output channels                 */
    int kh, kw; /* kernel height/width             */
    int stride; /* same stride in both directions  */
    int pad;    /* zero padding on every side      */
};

/** Output extent of a convolution/pooling along one axis: (in + 2*pad - k) / stride + 1. */
int vc_conv_out_dim(int in, int k, int stride, int pad);

/** Rows of the patch matrix gathered per GEMM call (a tuning constant). */
#define VC_CONV_CHUNK_ROWS 4096

/**
 * Workspace (in floats) that vc_conv2d needs for input [n, h, w, cin] with any weights: a
 * chunk of patch rows, and room for the input rounded to bf16 (used when the weights are a
 * bf16 product), or, for a kernel wider than a pixel, the input with its zero border if that
 * is larger (used when the product reads the patches in place: vc_gemm_b_pieces_ok); 0 for
 * the 1x1 stride-1 pad-0 case.
 */
size_t vc_conv_workspace_floats(const struct vc_conv_desc *d, int n, int h, int w);

/** The same for these weights (prepared by vc_gemm_b_create): the rounded input's room only
 *  where they use it. At most vc_conv_workspace_floats. */
size_t vc_conv_workspace_floats_for(const struct vc_conv_desc *d, const vc_gemm_b *kernel, int n, int h, int w);

/** Flags for vc_conv2d. */
enum vc_conv_flags {
    VC_CONV_ACCUMULATE = 1, /* y += conv(x) instead of y = conv(x) (residual add) */
    VC_CONV_RELU       = 2, /* apply max(0, .) after bias (and accumulation)       */
};

/**
 * y[n, oh, ow, cout] = [y +] conv(x, kernel) + bias, then ReLU if requested.
 * x: [n, h, w, cin]; kernel: the HWIO [kh, kw, cin, cout] kernel as one [kh*kw*cin, cout]
 * matrix prepared by vc_gemm_b_create (count 1); bias: [cout] or NULL;
 * y: [n, oh, ow, cout], must not alias x. ws: caller buffer of ws_floats floats, at least
 * vc_conv_workspace_floats(). All buffers are borrowed. Returns VC_OK or VC_ERR_INVALID_ARG.
 */
int vc_conv2d(const struct vc_conv_desc *d, const vc_gemm_b *kernel, const float *bias,
              const float *x, int n, int h, int w, float *y, int flags,
              float *ws, size_t ws_floats);

/* ---- Winograd F(m x m, 3x3), m = 2 or 4, for 3x3 stride-1 pad-1 convolutions ------------
 * Output m x m tiles from alpha x alpha input tiles (alpha = m + 2): V = B^T d B per tile and
 * channel, alpha^2 GEMMs M[xi] = V[xi] (tiles x cin) * U[xi] (cin x cout) with U = G g G^T
 * precomputed from the kernel, then Y = A^T M A. Multiplies per output: 16/4 = 4 for m = 2,
 * 36/16 = 2.25 for m = 4, instead of 9 (2.25x and 4x fewer GEMM flops); the transforms are
 * additions and small constant multiplies. Same flags and result as vc_conv2d up to
 * rounding (m = 4 rounds somewhat more: its transforms have entries up to 8 and 1/24). */

/** 1 if d is a 3x3, stride-1, pad-1 convolution (the shape Winograd handles). */
int vc_conv_winograd_ok(const struct vc_conv_desc *d);

/** Floats of the transformed kernel for tile size m: (m + 2)^2 * cin * cout. */
size_t vc_conv_winograd_kernel_floats(const struct vc_conv_desc *d, int m);

/** u = G g G^T (in double, rounded once) for every (cin, cout) of the HWIO kernel; u laid
 *  out [(m + 2)^2][cin][cout]. */
void vc_conv_winograd_transform_kernel(const struct vc_conv_desc *d, int m, const float *kernel, float *u);

/** The instruction set vc_conv2d_winograd's transforms run in now: "avx2" or "sse2" (8
 *  channels per vector), the fastest the CPU has unless the environment variable
 *  VIDCLASS_TRANSFORMS names one (read at every convolution). VC_ERR_INVALID_ARG for a name
 *  it does not know, VC_ERR_UNSUPPORTED for a set the CPU lacks; *name is NULL then. */
int vc_conv_winograd_isa(const char **name);

/** Workspace floats vc_conv2d_winograd needs for tile size m with `threads` pool threads. */
size_t vc_conv_winograd_workspace_floats(const struct vc_conv_desc *d, int m, int threads);

/** As vc_conv2d, with the kernel transformed for tile size m (2 or 4): u is that transform
 *  prepared by vc_gemm_b_create as (m + 2)^2 matrices of cin x cout. */
int vc_conv2d_winograd(const struct vc_conv_desc *d, int m, const vc_gemm_b *u, const float *bias,
                       const float *x, int n, int h, int w, float *y, int flags,
                       float *ws, size_t ws_floats);

/**
 * Max pooling k x k / stride over x [n, h, w, c] zero-padded by `pad` on every side
 * (Keras ZeroPadding2D followed by MaxPooling2D: padded cells count as 0).
 * y: [n, oh, ow, c].
 */
void vc_maxpool2d(const float *x, int n, int h, int w, int c, int k, int stride, int pad,
                  float *y);

/** Mean over h and w: x [n, h, w, c] -> y [n, c]. */
void vc_global_avgpool(const float *x, int n, int h, int w, int c, float *y);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_CONV_H */
