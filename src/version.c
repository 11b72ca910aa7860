/* version.c - vidclass's version and what it was built and linked with (vidclass/version.h).
 * Build options come from CMake as VC_BUILD_* definitions on this file only; the git
 * revision from a file regenerated at every build (cmake/build_info.cmake). */
#include "vidclass/version.h"
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/status.h"

#include <hdf5.h>
#include <jansson.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswscale/swscale.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define STR2(x) #x
#define STR(x) STR2(x)

const char *vc_build_git_revision(void); /* build_info.c, generated */
char *openblas_get_corename(void);

const char *vc_version(void)
{
    return STR(VIDCLASS_VERSION_MAJOR) "." STR(VIDCLASS_VERSION_MINOR) "." STR(VIDCLASS_VERSION_PATCH);
}

const char *vc_version_git(void) { return vc_build_git_revision(); }

static void lib_version(FILE *f, const char *name, unsigned v)
{
    fprintf(f, " %s %u.%u.%u", name, v >> 16, (v >> 8) & 0xff, v & 0xff);
}

void vc_version_print(FILE *f, const char *tool)
{
    fprintf(f, "%s (vidclass) %s\n", tool ? tool : "vidclass", vc_version());
    fprintf(f, "git revision: %s\n", vc_version_git());
    fprintf(f, "build: %s, %s, flags '%s', sanitizers: %s, -march=native: %s\n", VC_BUILD_TYPE, VC_BUILD_COMPILER,
            VC_BUILD_FLAGS, VC_BUILD_SANITIZE[0] ? VC_BUILD_SANITIZE : "none", VC_BUILD_NATIVE);
#if defined(__x86_64__) || defined(__i386__)
    const char *isa = NULL;
    if (vc_conv_winograd_isa(&isa) != VC_OK)
        isa = vc_last_error();
    fprintf(f, "cpu paths: Winograd F(4x4,3x3) on stages 2-3 and F(2x2,3x3) on 4-5 (VIDCLASS_WINOGRAD=0/2/4 forces "
               "one, or one per stage: 4,4,2,2), transforms %s (avx2 / sse2, the fastest the CPU has; "
               "VIDCLASS_TRANSFORMS forces one)\n", isa);
#endif
    const char *product = NULL;
    if (vc_gemm_choice(VC_PRECISION_FP32, &product) == VC_OK)
        fprintf(f, "products for weights: %s (avx512 / avx2: our AVX-512F or AVX2+FMA kernel on weights packed at "
                   "load, the fastest the CPU has; blas: OpenBLAS; VIDCLASS_GEMM=avx512/avx2/blas forces one)\n",
                product);
    else
        fprintf(f, "products for weights: %s\n", vc_last_error());
    if (vc_gemm_choice(VC_PRECISION_BF16, &product) == VC_OK)
        fprintf(f, "--precision bf16: available, product %s (amx / avx512bf16, the fastest the CPU has; "
                   "VIDCLASS_GEMM=amx/avx512bf16 forces one)\n", product);
    else
        fprintf(f, "--precision bf16: not available: %s\n", vc_last_error());
    if (vc_gemm_choice(VC_PRECISION_INT8, &product) == VC_OK)
        fprintf(f, "--precision int8: available, product %s (amx-int8 / avx512vnni, the fastest the CPU "
                   "has; VIDCLASS_GEMM=amx-int8/avx512vnni forces one)\n", product);
    else
        fprintf(f, "--precision int8: not available: %s\n", vc_last_error());
    fprintf(f, "OpenBLAS: %s (kernels for %s)\n", vc_blas_info(), openblas_get_corename());
    fprintf(f, "FFmpeg: %s:", av_version_info());
    lib_version(f, "libavformat", avformat_version());
    lib_version(f, "libavcodec", avcodec_version());
    lib_version(f, "libavfilter", avfilter_version());
    lib_version(f, "libswscale", swscale_version());
    lib_version(f, "libavutil", avutil_version());
    fputc('\n', f);
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    #ifdef H5_HAVE_PARALLEL
    fprintf(f, "HDF5: %u.%u.%u (parallel)\n", maj, min, rel);
#else
    fprintf(f, "HDF5: %u.%u.%u\n", maj, min, rel);
#endif
    char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    if (MPI_Get_library_version(mpi, &len) == MPI_SUCCESS) {
        char *nl = strchr(mpi, '\n');
        if (nl) *nl = '\0';
        fprintf(f, "MPI: %s\n", mpi);
    }
    fprintf(f, "libyaml: %s, jansson: %s\n", yaml_get_version_string(), jansson_version_str());
}

int vc_version_requested(int argc, char *const *argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "--version") == 0) return 1;
    }
    return 0;
}
