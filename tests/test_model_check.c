/* test_model_check - compare trained models, driven by tests/test_train.sh.
 *   test_model_check same A.h5 B.h5 TOL   max|a-b| / max|a| over all head parameters <= TOL
 *   test_model_check meta A.h5 N          loads, N classes, provenance recorded
 */
#include "test_util.h"
#include "vidclass/head.h"
#include "vidclass/model.h"
#include "vidclass/status.h"

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "same") == 0) {
        vc_model *a = NULL, *b = NULL;
        CHECK(vc_model_load(argv[2], &a) == VC_OK, "%s: %s", argv[2], vc_last_error());
        CHECK(vc_model_load(argv[3], &b) == VC_OK, "%s: %s", argv[3], vc_last_error());
        if (a && b) {
            size_t P = vc_head_param_count(vc_model_shape(a));
            CHECK(P == vc_head_param_count(vc_model_shape(b)), "shapes differ");
            double e = max_rel_err(vc_model_params(b), vc_model_params(a), P);
            printf("%s vs %s: max relative difference %.3g (tolerance %s)\n", argv[2], argv[3], e, argv[4]);
            CHECK(e <= atof(argv[4]), "models differ by %.3g", e);
        }
        vc_model_free(&a);
        vc_model_free(&b);
    } else if (argc == 4 && strcmp(argv[1], "meta") == 0) {
        vc_model *m = NULL;
        CHECK(vc_model_load(argv[2], &m) == VC_OK, "%s: %s", argv[2], vc_last_error());
        if (m) {
            const struct vc_model_meta *meta = vc_model_meta(m);
            CHECK(meta->n_classes == atoi(argv[3]), "%d classes", meta->n_classes);
            CHECK(strlen(meta->base_weights_sha256) == 64, "no base weights SHA-256");
            CHECK(meta->base_weights[0] == '/', "base weights path not absolute: %s", meta->base_weights);
            CHECK(vc_model_shape(m)->hidden == 512 && vc_model_shape(m)->in == 2048, "head shape");
            printf("%s: %d classes (%s, ...), preprocess %s, image size %d, base %s sha256 %.12s...\n", argv[2],
                   meta->n_classes, meta->class_names[0], vc_preprocess_name(meta->preprocess), meta->image_size,
                   meta->base_weights, meta->base_weights_sha256);
        }
        vc_model_free(&m);
    } else {
        fprintf(stderr, "usage: test_model_check same A B TOL | meta A N\n");
        return 2;
    }
    return test_finish("test_model_check");
}
