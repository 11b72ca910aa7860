#!/usr/bin/env bash
# test_headers.sh INCLUDE_DIR CC CXX [-isystem...] - every public header (include/vidclass/*.h)
# compiles on its own, first in its translation unit, as C11 -pedantic and as C++11, with
# every warning an error; each has an include guard and C linkage for C++. The count of
# headers checked must be the count in the folder.
INC=$1 CC=$2 CXX=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
n=0 total=$(ls "$INC"/vidclass/*.h | wc -l)
for h in "$INC"/vidclass/*.h; do
    name=vidclass/$(basename "$h")
    printf '#include "%s"\n#include "%s"\nint vc_header_test_%d;\n' "$name" "$name" "$n" > "$T/one.c"
    if o=$("$CC" -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$INC" "$@" "$T/one.c" 2>&1) \
       && o=$("$CXX" -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$INC" "$@" -x c++ "$T/one.c" 2>&1); then
        n=$((n + 1))
    else
        bad "$name does not compile alone: $o"
    fi
    guard=$(sed -n 's/^#ifndef \(VIDCLASS_[A-Z0-9_]*_H\)$/\1/p' "$h" | head -n 1)
    [ -n "$guard" ] && grep -q "^#define $guard\$" "$h" || bad "$name: no include guard VIDCLASS_..._H"
    grep -q 'extern "C"' "$h" || bad "$name: no extern \"C\" block for C++"
done
[ "$n" -eq "$total" ] && [ "$n" -gt 0 ] && ok "$n of $total public headers compile alone as C11 and C++11, guarded, C linkage" \
    || bad "$n of $total headers passed"
finish
