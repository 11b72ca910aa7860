/* gemm_kernel_amx.c - the AMX register tiles: bf16 (AMX-BF16) and int8 (AMX-INT8, at the end)
 * (gemm_kernel.h). The bf16 tile:
 * 32 rows x 32 columns of C in four 16 x 16 float32 tile registers (tmm0-3), A's two 16-row
 * halves in tmm4-5 and the panel's two 16-column halves in tmm6-7, all 16 rows x 64 bytes.
 * Per 32 values of k: four tile loads and four tdpbf16ps, each 16 x 16 x 32 multiply-adds
 * (8192, against 16 for one fp32 FMA). The panel layout is the one vdpbf16ps reads: its
 * row r (128 bytes) holds the 32 column pairs of k = 2r, 2r + 1, so a B tile is 16 such
 * rows, 64 bytes each (columns 0-15, or 16-31 at +64), at a stride of 128 bytes. The
 * accumulators go through a small buffer to the AVX-512 epilogue.
 * Linux gives a process the 8 KB of tile state only on request (arch_prctl
 * ARCH_REQ_XCOMP_PERM, kernel 5.16+); whichever of vc_tile_amx_supported and
 * vc_tile_amx_int8_supported runs first asks, once. */
#define _GNU_SOURCE
#include "gemm_epilogue_avx512.h"
#include "gemm_kernel.h"

#include <cpuid.h>
#include <immintrin.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MR 32
#define NR 32
#define ARCH_REQ_XCOMP_PERM 0x1023 /* <asm/prctl.h>, not in every libc's headers */
#define XFEATURE_XTILEDATA 18

static int g_bf16, g_int8; /* the tiles' multiplies the CPU has, once Linux granted the tile state */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void request_tiles(void)
{
    /* CPUID leaf 7: EDX bit 22 AMX-BF16, bit 24 AMX-TILE, bit 25 AMX-INT8 (asked directly:
     * clang 14's __builtin_cpu_supports does not know the AMX names); the epilogues and the
     * rounding of A need AVX-512F (and bf16's AVX512_BF16) */
    unsigned a, b, c, d;
    __builtin_cpu_init();
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(d & (1u << 24)) || !__builtin_cpu_supports("avx512f"))
        return;
    /* the permission is the process's: every thread, created before or after, may use tiles */
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0)
        return;
    g_bf16 = (d & (1u << 22)) && __builtin_cpu_supports("avx512bf16");
    g_int8 = (d & (1u << 25)) != 0;
}

int vc_tile_amx_supported(void)
{
    pthread_once(&g_once, request_tiles);
    return g_bf16;
}

int vc_tile_amx_int8_supported(void)
{
    pthread_once(&g_once, request_tiles);
    return g_int8;
}

/* LDTILECFG's 64-byte operand: palette 1, eight tiles of 16 rows x 64 bytes. */
struct tile_config {
    uint8_t  palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t  rows[16];
};

__attribute__((target("amx-tile")))
void vc_tile_amx_begin(void)
{
    struct tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) {
        cfg.colsb[t] = 64;
        cfg.rows[t] = 16;
    }
    /* GCC 12's _tile_loadconfig tells the compiler it reads only 8 bytes of cfg, which then
     * drops the stores of the rest (and LDTILECFG faults on palette 1 with no tiles): a
     * barrier makes every store land first */
    __asm__ __volatile__("" : : "r"(&cfg) : "memory");
    _tile_loadconfig(&cfg);
}

__attribute__((target("amx-tile")))
void vc_tile_amx_end(void)
{
    _tile_release(); /* back to the init state: no 8 KB to save at every context switch */
}

/* The tile loop both tiles share, in bytes: per step, 64 bytes of each of A's rows (32 bf16
 * or 64 int8 values of k) and 16 rows of the panel (2048 bytes, a B tile's row stride 128);
 * the 32 x 32 sums (float32 or int32, 4 bytes each) land in acc. int8 picks the product
 * instruction; inlined with a constant, each tile keeps one. */
static inline __attribute__((always_inline, target("amx-tile,amx-bf16,amx-int8"))) void
tile_loop(int int8, int kbytes, const unsigned char *a, size_t as, const unsigned char *bp, int mr, void *acc)
{
    const size_t bs = 128, cs = NR * 4; /* B tile and acc row strides, bytes */
    const unsigned char *a1 = a + 16 * as;
    unsigned char *c = acc;
    _tile_zero(0);
    _tile_zero(1);
    if (mr > 16) {
        _tile_zero(2);
        _tile_zero(3);
        for (int kk = 0; kk < kbytes; kk += 64, bp += 16 * bs) {
            _tile_loadd(4, a + kk, as);
            _tile_loadd(5, a1 + kk, as);
            _tile_loadd(6, bp, bs);
            _tile_loadd(7, bp + 64, bs);
            if (int8) {
                _tile_dpbusd(0, 4, 6);
                _tile_dpbusd(1, 4, 7);
                _tile_dpbusd(2, 5, 6);
                _tile_dpbusd(3, 5, 7);
            } else {
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
                _tile_dpbf16ps(2, 5, 6);
                _tile_dpbf16ps(3, 5, 7);
            }
        }
        _tile_stored(2, c + 16 * cs, cs);
        _tile_stored(3, c + 16 * cs + 64, cs);
    } else { /* one row half: half the loads and products */
        for (int kk = 0; kk < kbytes; kk += 64, bp += 16 * bs) {
            _tile_loadd(4, a + kk, as);
            _tile_loadd(6, bp, bs);
            _tile_loadd(7, bp + 64, bs);
            if (int8) {
                _tile_dpbusd(0, 4, 6);
                _tile_dpbusd(1, 4, 7);
            } else {
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
            }
        }
    }
    _tile_stored(0, c, cs);
    _tile_stored(1, c + 64, cs);
}

__attribute__((target("amx-tile,amx-bf16,amx-int8,avx512f,avx512bf16")))
void vc_tile_amx_32x32(int kc, const uint16_t *restrict a, size_t rs, const uint16_t *restrict bp,
                       float *restrict c, int ldc, int mr, int nr, const struct vc_tile_ops *op)
{
    float acc[MR][NR] __attribute__((aligned(64)));
    tile_loop(0, kc * 2, (const unsigned char *)a, rs * sizeof(uint16_t), (const unsigned char *)bp, mr, acc);
    __mmask16 m0, m1;
    vc_avx512_col_masks(nr, &m0, &m1);
    __m512 bias0, bias1;
    vc_avx512_bias(op, m0, m1, &bias0, &bias1);
    for (int i = 0; i < mr; i++)
        vc_avx512_store_row(c + (size_t)i * ldc, _mm512_load_ps(acc[i]), _mm512_load_ps(acc[i] + 16), m0, m1, bias0,
                            bias1, op);
}

/* The int8 tile: the bf16 tile's arrangement (tile_loop) with bytes. A tile register holds 16
 * rows x 64 bytes: 64 values of k of A's rows, or 16 rows of the panel (k quads) of 16
 * columns x 4 bytes, which is the layout vpdpbusd reads (gemm_kernel.h): columns 0-15 at bp,
 * 16-31 at bp + 64, a stride of 128 bytes. Per 64 values of k: four loads and four tdpbusd
 * (u8 x s8, 16 x 16 x 64 multiply-adds into int32 each). The exact sums are scaled back to
 * float as the VNNI tile does (gemm_kernel_avx512vnni.c) and end in the AVX-512 epilogue. */
__attribute__((target("amx-tile,amx-bf16,amx-int8,avx512f")))
void vc_tile_amx_int8_32x32(int kc, const uint8_t *restrict a, size_t rs, const int8_t *restrict bp,
                            float *restrict c, int ldc, int mr, int nr, const struct vc_tile_ops *op,
                            const struct vc_int8_scales *sc)
{
    int32_t acc[MR][NR] __attribute__((aligned(64)));
    tile_loop(1, kc, a, rs, (const unsigned char *)bp, mr, acc);
    __mmask16 m0, m1;
    vc_avx512_col_masks(nr, &m0, &m1);
    __m512 bias0, bias1;
    vc_avx512_bias(op, m0, m1, &bias0, &bias1);
    struct vc_avx512_int8_cols k;
    vc_avx512_int8_cols(sc, &k);
    for (int i = 0; i < mr; i++) {
        __m512 x0, x1;
        vc_avx512_int8_row(sc, &k, i, _mm512_load_si512(acc[i]), _mm512_load_si512(acc[i] + 16), &x0, &x1);
        vc_avx512_store_row(c + (size_t)i * ldc, x0, x1, m0, m1, bias0, bias1, op);
    }
}
