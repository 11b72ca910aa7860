/* consumer.c - a site's own program against an installed libvidclass (tests/test_install.sh
 * builds it with pkg-config and with find_package). Exit 0 when the library behaves. */
#include <vidclass/resultsfile.h>
#include <vidclass/smooth.h>
#include <vidclass/status.h>
#include <vidclass/version.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", VIDCLASS_VERSION_MAJOR, VIDCLASS_VERSION_MINOR, VIDCLASS_VERSION_PATCH);
    if (strcmp(vc_version(), want) != 0) {
        fprintf(stderr, "consumer: library %s, headers %s\n", vc_version(), want);
        return 1;
    }
    /* the tutorial's rolling average over 2 frames of 2 classes */
    vc_smoother *s = NULL;
    const float p[3][2] = { { 1, 0 }, { 0, 1 }, { 0, 1 } };
    float mean[2] = { 0 };
    if (vc_smoother_init(2, 2, &s) != VC_OK) return 1;
    for (int i = 0; i < 3; i++) vc_smoother_push(s, p[i], mean);
    vc_smoother_free(&s);
    if (fabsf(mean[0]) > 1e-6f || fabsf(mean[1] - 1.0f) > 1e-6f) {
        fprintf(stderr, "consumer: smoothed %g %g, want 0 1\n", mean[0], mean[1]);
        return 1;
    }
    /* errors come back as codes with a message */
    if (vc_results_export("/nonexistent/results.h5", 0, 0, stdout) == VC_OK || !strstr(vc_last_error(), "nonexistent")) {
        fprintf(stderr, "consumer: no error for a missing file: %s\n", vc_last_error());
        return 1;
    }
    printf("consumer: vidclass %s (%s) works\n", vc_version(), vc_version_git());
    return 0;
}
