# cases.sh - the bad-input catalogue's expected outcomes, sourced by tests/test_bad_inputs.sh
# after make.sh has generated the inputs in $D. One line per input:
#   tool  CATEGORY NAME EXIT 'MESSAGE REGEX' command...     exact exit status + message
#   video NAME STATUS FRAMES 'ERROR REGEX'                   what vidclass-batch recorded
#   image NAME 'REASON REGEX'                                what vidclass-pack recorded (skipped)
# Every case prints one line; a failed expectation is a FAIL with the actual output.
W=$D/h5/w.h5 M=$D/h5/model.h5
tr_() { "$BIN/vidclass-train" --pack "$D/h5/pack.h5" --weights "$W" --output "$T/tr-$RANDOM" --threads 1 --quiet "$@"; }
bt_() { "$BIN/vidclass-batch" --model "$M" --weights "$W" --input "$D/vid/ok.mp4" --output "$T/bt-$RANDOM.h5" --threads 1 --quiet "$@"; }

# ---- configuration: exit 2 and file:line:col before any work ---------------------------
tool config "YAML syntax error"          2 'syntax.yaml:3:1: YAML syntax error'                  bt_ --config "$D/cfg/syntax.yaml"
tool config "tab indentation"            2 'tab.yaml:2:1: YAML syntax error: found character that cannot start any token' tr_ --config "$D/cfg/tab.yaml"
tool config "integer expected"           2 "type_int.yaml:2:11: 'train.epochs' must be an integer in \[1, 100000\], got 'abc'" tr_ --config "$D/cfg/type_int.yaml"
tool config "list where a value goes"    2 "type_list.yaml:2:7: 'train.lr' must be a single value, not a list" tr_ --config "$D/cfg/type_list.yaml"
tool config "section not a mapping"      2 "type_section.yaml:1:8: section 'train' must be a mapping of keys" tr_ --config "$D/cfg/type_section.yaml"
tool config "duplicate key"              2 "duplicate.yaml:3:3: key 'train.epochs' appears twice"  tr_ --config "$D/cfg/duplicate.yaml"
tool config "unknown key (warned, run goes on)" 0 "unknown.yaml:2: unknown key 'train.learning_rate' ignored" tr_ --config "$D/cfg/unknown.yaml" --epochs 1 --augment-views 0
tool config "negative number"            2 "negative.yaml:2:11: 'train.epochs' must be an integer in \[1, 100000\], got '-3'" tr_ --config "$D/cfg/negative.yaml"
tool config "zero window"                2 "zero.yaml:2:11: 'run.window' must be an integer in \[1"      bt_ --config "$D/cfg/zero.yaml"
tool config "huge integer"               2 "huge.yaml:2:11: 'train.epochs' must be an integer in \[1, 100000\], got '1000000000000'" tr_ --config "$D/cfg/huge.yaml"
tool config "huge float (overflow)"      2 "huge_float.yaml:2:7: 'train.lr' must be a number"       tr_ --config "$D/cfg/huge_float.yaml"
tool config "size below the minimum"     2 "small_size.yaml:2:9: 'pack.size' must be an integer in \[32, 4096\], got '8'" \
    "$BIN/vidclass-pack" --config "$D/cfg/small_size.yaml" --input "$D/tiny" --output "$T/x.h5"
tool config "UTF-16 file"                2 'utf16.yaml:1:1: the file must be a mapping of sections'                  tr_ --config "$D/cfg/utf16.yaml"
tool config "config file missing"        2 "config file '.*no-such.yaml': No such file or directory"                       tr_ --config "$D/cfg/no-such.yaml"
tool config "flag value not a number"    2 "--epochs must be an integer in \\[1, 100000\\], got 'ten'"                             tr_ --epochs ten
tool config "negative flag value"        2 "--window must be an integer in \\[1, 1000000\\], got '-1'"                      bt_ --window -1

# ---- missing and wrong files: clear message, non-zero exit, nothing written -------------
tool files "pack missing"                1 "pack file '.*nope.h5': No such file or directory"          "$BIN/vidclass-train" --pack "$D/nope.h5" --weights "$W" --output "$T/o1" --threads 1
tool files "weights missing"             1 "cannot read '.*nope-w.h5': No such file or directory"                 bt_ --weights "$D/nope-w.h5"
tool files "input folder missing"        1 "input directory '.*no-dir': No such file or directory"                   "$BIN/vidclass-pack" --input "$D/no-dir" --output "$T/x2.h5"
tool files "weights: one tensor of the wrong shape" 1 'conv3_block2_2_conv/kernel:0.*has shape \[3,3,128,64\], expected \[3,3,128,128\]' \
    "$BIN/vidclass-weights" check "$D/h5/w_shape.h5"
tool files "weights: truncated HDF5"     1 "weights file '.*w_truncated.h5': HDF5 cannot open it \\(truncated or damaged\\?\\)"           "$BIN/vidclass-weights" check "$D/h5/w_truncated.h5"
tool files "weights: not HDF5 at all"    1 'text.h5.*not an HDF5 file'                                "$BIN/vidclass-weights" check "$D/h5/text.h5"
tool files "model: truncated HDF5"       1 "model file '.*model_truncated.h5': HDF5 cannot open it \\(truncated or damaged\\?\\)"       bt_ --model "$D/h5/model_truncated.h5"
tool files "model: a pack given instead" 1 'not a vidclass model file .*it is a vidclass-pack'        bt_ --model "$D/h5/pack.h5"
tool files "pack: a model given instead" 1 "is not a vidclass pack"                                   "$BIN/vidclass-train" --pack "$M" --weights "$W" --output "$T/o2" --threads 1
tool files "weights: a model given instead" 2 'base weights .*model.h5.* are not the ones model'           bt_ --weights "$M"
tool files "output folder not writable"  1 "cannot create the results journal '/proc/vc-no/results.h5.journal': No such file or directory"      bt_ --output "/proc/vc-no/results.h5"

# ---- videos: recorded with status 1 and the reason; the run goes on (exit 3) ----------
video zero.mp4           1 0  'empty file \(0 bytes\)'
video random.mp4         1 0  'not a recognised media file'
video truncated.mp4      1 0  'moov atom not found'
video audio.mp4          1 0  "no video stream \(format 'mov,mp4"
video huge.y4m           1 0  'Picture size 100000x100000 is invalid'
video zero_size.y4m      1 0  'Picture size 0x0 is invalid'
video mid_error.avi      1 10 'corrupt data after frame 10'
video one_frame.mp4      0 1  '^$'
video ok.mp4             0 20 '^$'
video "dir with space ü/clip ñ 1.mp4" 0 20 '^$'

# ---- images: skipped with the reason recorded in the pack's /skipped ------------------
image a/zero.png          'empty file \(0 bytes\)'
image a/text.jpg          'corrupt mjpeg data .*No JPEG data found'
image b/truncated.jpg     'corrupt mjpeg data .*overread'
image b/bomb.png          'corrupt png data .*Invalid image size'
