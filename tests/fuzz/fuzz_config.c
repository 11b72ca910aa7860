/* fuzz_config - the YAML configuration loader (src/config.c) and every getter, on the keys
 * the tools read. Seeds: configs/ and the bad YAML of tests/bad_inputs/. */
#include "vidclass/config.h"
#include "vidclass/log.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { vc_log_set_level(VC_LOG_ERROR); init = 1; }
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    vc_config *c = NULL;
    if (vc_config_load_string(s, "fuzz.yaml", &c) == 0) {
        const char *sections[] = { "pack", "train", "run", "x" };
        const char *keys[] = { "input", "output", "epochs", "lr", "classes", "resume", "window", "x" };
        for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
            (void)vc_config_has_section(c, sections[i]);
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
                const char *str;
                int64_t iv;
                double dv;
                int b, n;
                const char *const *items;
                (void)vc_config_get_str(c, sections[i], keys[k], &str);
                (void)vc_config_get_int(c, sections[i], keys[k], -5, 100000, &iv);
                (void)vc_config_get_double(c, sections[i], keys[k], 0.0, 1e9, &dv);
                (void)vc_config_get_bool(c, sections[i], keys[k], &b);
                (void)vc_config_get_list(c, sections[i], keys[k], &items, &n);
            }
            (void)vc_config_warn_unknown(c, sections[i], keys, 3);
        }
        vc_config_free(&c);
    }
    free(s);
    return 0;
}
