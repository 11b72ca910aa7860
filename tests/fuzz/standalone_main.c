/* standalone_main.c - runs a fuzz harness over files without libFuzzer, for the normal and
 * sanitizer builds: `fuzz_x_replay FILE...` feeds each file to LLVMFuzzerTestOneInput once.
 * CTest runs it over tests/fuzz/regressions/ (every crash the fuzzers found) and the seeds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { fprintf(stderr, "cannot open %s\n", argv[i]); return 1; }
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
        size_t got = buf && len > 0 ? fread(buf, 1, (size_t)len, f) : 0;
        fclose(f);
        if (!buf || got != (size_t)(len > 0 ? len : 0)) { fprintf(stderr, "cannot read %s\n", argv[i]); free(buf); return 1; }
        LLVMFuzzerTestOneInput(buf, got);
        free(buf);
        n++;
    }
    printf("%d inputs replayed without a crash\n", n);
    return 0;
}
