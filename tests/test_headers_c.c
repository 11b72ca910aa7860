/* test_headers_c.c - every public header compiles on its own as C11 -pedantic. */
#include "vidclass/conv.h"
#include "vidclass/embed.h"
#include "vidclass/gemm.h"
#include "vidclass/image.h"
#include "vidclass/keras_weights.h"
#include "vidclass/log.h"
#include "vidclass/preprocess.h"
#include "vidclass/resnet50.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"

#include <stdio.h>

int main(void)
{
    printf("test_headers_c: 1 checks, 0 failed\n");
    return 0;
}
