/* test_weights.h - generated ResNet50 weights for the C tests (deterministic per seed). */
#ifndef VIDCLASS_TEST_WEIGHTS_H
#define VIDCLASS_TEST_WEIGHTS_H

#include "test_util.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"

/* Write weights with p's settings, counting a failure as a failed check. */
static inline int gen_weights(const char *path, const struct vc_resnet50_gen_params *p)
{
    int rc = vc_resnet50_generate_weights(path, p);
    CHECK(rc == VC_OK, "generate %s: %s", path, vc_last_error());
    return rc;
}

#endif
