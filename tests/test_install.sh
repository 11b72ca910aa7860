#!/usr/bin/env bash
# test_install.sh BUILD_DIR - cmake --install into a temporary prefix, then what a site does
# with it: every file in its place, a C program built against it with pkg-config and with
# find_package(vidclass) and run, the installed tools' --version and man pages, the bash
# completion, and the shipped configs and Slurm scripts.
BUILD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
P=$T/prefix
if o=$(cmake --install "$BUILD" --prefix "$P" 2>&1); then ok "cmake --install"; else bad "cmake --install: $o"; finish; fi
for f in bin/vidclass-batch bin/vidclass-results include/vidclass/classify.h include/vidclass/version.h \
         lib/libvidclass.so lib/libvidclass.a lib/pkgconfig/vidclass.pc lib/cmake/vidclass/vidclassConfig.cmake \
         share/man/man1/vidclass-batch.1 share/man/man1/vidclass-results.1 share/bash-completion/completions/vidclass-batch \
         share/vidclass/configs/run.yaml share/vidclass/slurm/batch.sh share/vidclass/slurm/batch_array.sh; do
    [ -e "$P/$f" ] && ok "installed $f" || bad "missing $f"
done
n=$(ls "$P"/share/man/man1/vidclass-*.1 2>/dev/null | wc -l)
[ "$n" = 7 ] && ok "7 man pages" || bad "$n man pages"
for t in weights embed pack train batch predict results; do
    o=$(MANWIDTH=100 man -l "$P/share/man/man1/vidclass-$t.1" 2>&1)
    grep -q "^NAME" <<<"$o" && grep -q -- "--version" <<<"$o" && grep -q "vidclass-$t" <<<"$o" \
        && ok "man -l vidclass-$t.1 renders (NAME, flags)" || bad "man vidclass-$t: $(head -5 <<<"$o")"
done
man -l "$P/share/man/man1/vidclass-batch.1" 2>/dev/null | grep -q -- "--annotate-dir" && ok "man vidclass-batch shows its flags" \
    || bad "man page without the flags"

echo "== pkg-config"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
expect "pkg-config --modversion" 0 "^$(sed -n 's/^#define VIDCLASS_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$P/include/vidclass/version.h" | paste -sd.)$" \
    pkg-config --modversion vidclass
# shellcheck disable=SC2046
if o=$(cc -std=c11 -o "$T/c1" "$HERE/install/consumer.c" $(pkg-config --cflags --libs vidclass) -lm -Wl,-rpath,"$P/lib" 2>&1); then
    ok "built with pkg-config"
    expect "runs (pkg-config build)" 0 "consumer: vidclass .* works" "$T/c1"
    ldd "$T/c1" | grep -q "$P/lib/libvidclass.so" && ok "... against the installed libvidclass.so" || bad "not linked to the installed .so"
else
    bad "pkg-config build: $o"
fi

echo "== find_package(vidclass)"
if o=$(cmake -S "$HERE/install" -B "$T/cb" -DCMAKE_PREFIX_PATH="$P" 2>&1 && cmake --build "$T/cb" 2>&1); then
    ok "built with find_package(vidclass)"
    expect "runs (CMake build)" 0 "consumer: vidclass .* works" "$T/cb/consumer"
else
    bad "find_package build: $o"
fi

echo "== the installed tools"
expect "installed vidclass-batch --version" 0 "vidclass-batch \(vidclass\)" "$P/bin/vidclass-batch" --version
out=$(bash -c "source '$P/share/bash-completion/completions/vidclass-batch'; PATH='$P/bin':\$PATH
    COMP_WORDS=(vidclass-batch --min-s); COMP_CWORD=1; _vidclass_complete vidclass-batch; echo \${COMPREPLY[*]}
    COMP_WORDS=(vidclass-results ex); COMP_CWORD=1; _vidclass_complete vidclass-results; echo \${COMPREPLY[*]}" 2>&1)
grep -q -- "--min-segment" <<<"$out" && grep -q "^export$" <<<"$out" && ok "bash completion: flags and subcommands" \
    || bad "bash completion: $out"
finish
