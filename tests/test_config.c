/* test_config.c - YAML config parsing: values, lists, located errors, unknown keys. */
#include "test_util.h"
#include "vidclass/config.h"
#include "vidclass/status.h"

static void expect_error(const char *yaml, const char *frag)
{
    vc_config *c = NULL;
    int rc = vc_config_load_string(yaml, "t.yaml", &c);
    printf("error case -> %s\n", vc_last_error());
    CHECK(rc == VC_ERR_CONFIG && c == NULL, "accepted: %s", yaml);
    CHECK(strstr(vc_last_error(), frag) != NULL, "message '%s' lacks '%s'", vc_last_error(), frag);
    vc_config_free(&c);
}

int main(void)
{
    const char *yaml =
        "# a comment\n"
        "pack:\n"
        "  input: datasets/sports\n"
        "  classes: [football, tennis]\n"
        "  size: 64\n"
        "  test_fraction: 0.3\n"
        "  quiet: yes\n"
        "  colour: blue\n"
        "train:\n"
        "  epochs: -3\n"
        "  classes:\n"
        "    - a\n"
        "    - b\n"
        "    - c\n"
        "empty:\n";
    vc_config *c = NULL;
    CHECK(vc_config_load_string(yaml, "t.yaml", &c) == VC_OK, "load: %s", vc_last_error());
    if (c) {
        const char *s = NULL;
        int64_t i = 0;
        double d = 0;
        int b = 0, n = 0;
        const char *const *items = NULL;
        CHECK(vc_config_has_section(c, "pack") && vc_config_has_section(c, "empty") && !vc_config_has_section(c, "run"), "sections");
        CHECK(vc_config_get_str(c, "pack", "input", &s) == VC_OK && strcmp(s, "datasets/sports") == 0, "input");
        CHECK(vc_config_get_int(c, "pack", "size", 32, 4096, &i) == VC_OK && i == 64, "size %lld", (long long)i);
        CHECK(vc_config_get_double(c, "pack", "test_fraction", 0, 1, &d) == VC_OK && d == 0.3, "fraction");
        CHECK(vc_config_get_bool(c, "pack", "quiet", &b) == VC_OK && b == 1, "quiet");
        CHECK(vc_config_get_list(c, "pack", "classes", &items, &n) == VC_OK && n == 2 && strcmp(items[1], "tennis") == 0, "flow list");
        CHECK(vc_config_get_list(c, "train", "classes", &items, &n) == VC_OK && n == 3 && strcmp(items[2], "c") == 0, "block list");
        CHECK(vc_config_get_str(c, "pack", "output", &s) == VC_CONFIG_ABSENT, "absent key");
        int rc = vc_config_get_int(c, "train", "epochs", 1, 100000, &i);
        CHECK(rc == VC_ERR_CONFIG && strstr(vc_last_error(), "t.yaml:10:11") && strstr(vc_last_error(), "'train.epochs'"),
              "epochs -3: %s", vc_last_error());
        rc = vc_config_get_int(c, "pack", "input", 0, 10, &i);
        CHECK(rc == VC_ERR_CONFIG && strstr(vc_last_error(), "got 'datasets/sports'"), "string as int: %s", vc_last_error());
        CHECK(vc_config_get_str(c, "pack", "classes", &s) == VC_ERR_CONFIG, "list as scalar accepted");
        const char *known[] = { "input", "classes", "size", "test_fraction", "quiet" };
        CHECK(vc_config_warn_unknown(c, "pack", known, 5) == 1, "unknown key count");
        vc_config_free(&c);
        CHECK(c == NULL, "free");
    }
    expect_error("pack:\n  size: [1, 2\n", "t.yaml:3:1: YAML syntax error");
    expect_error("pack:\n  a: 1\n a: 2\n", "YAML syntax error");
    expect_error("pack:\n  size: 1\n  size: 2\n", "appears twice");
    expect_error("- a\n- b\n", "mapping of sections");
    expect_error("pack: 3\n", "must be a mapping");
    expect_error("pack:\n  size: {a: 1}\n", "not a mapping");
    vc_config *none = NULL;
    CHECK(vc_config_load("/nonexistent/x.yaml", &none) == VC_ERR_CONFIG && strstr(vc_last_error(), "No such file"),
          "missing file: %s", vc_last_error());
    return test_finish("test_config");
}
