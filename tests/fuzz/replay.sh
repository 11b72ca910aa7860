#!/usr/bin/env bash
# replay.sh BIN_DIR - feed every file of tests/fuzz/regressions/<harness>/ (inputs that once
# crashed a harness or broke a rule of ours, see regressions/README.md; scripts/fuzz.sh
# explains how crashers get there) and a few valid inputs made here to each harness's
# standalone build: under the sanitizer build any report fails. A harness with no
# regression input, or one that replays fewer inputs than it was given, fails.
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
mkdir -p "$T/v" "$T/i"
ffmpeg -v error -f lavfi -i "testsrc=s=32x24:r=10" -t 0.5 -pix_fmt yuv420p "$T/v/a.mp4"
ffmpeg -v error -f lavfi -i "testsrc=s=32x24" -frames:v 1 "$T/i/a.png"
"$BIN/make_seed_weights" "$T/w.h5" 2>/dev/null || true
for h in fuzz_config fuzz_image fuzz_video fuzz_h5; do
    files=()
    [ -d "$HERE/regressions/$h" ] && while IFS= read -r f; do files+=("$f"); done < <(find "$HERE/regressions/$h" -type f | sort)
    [ ${#files[@]} -gt 0 ] || bad "$h: no regression input in tests/fuzz/regressions/$h"
    case $h in
        fuzz_config) files+=("$HERE"/../../configs/*.yaml) ;;
        fuzz_image)  files+=("$T/i/a.png") ;;
        fuzz_video)  files+=("$T/v/a.mp4") ;;
        fuzz_h5)     [ -f "$T/w.h5" ] && files+=("$T/w.h5") ;;
    esac
    if o=$("$BIN/${h}_replay" "${files[@]}" 2>&1) && grep -q "^${#files[@]} inputs replayed" <<<"$o"; then ok "$h: $o"
    else bad "$h (${#files[@]} given): $(tail -n 20 <<<"$o")"; fi
done
finish
