#!/usr/bin/env bash
# test_tutorial.sh BIN_DIR MPIEXEC - the reference tutorial's files, directly: a Keras model
# file as its train.py saves it (tf.keras naming and standalone Keras 2.2.4 naming, made by
# tests/reference/make_tutorial_model.py from generated weights) runs in vidclass-batch and
# vidclass-predict with --classes and no --weights, and gives predict_video.py's numbers on
# the committed clips (1080p H.264, 854x480 MPEG-4 part 2, a rotated portrait phone clip, an
# edit list): probabilities within 1e-4 of tests/reference/tutorial_ref.h5 (PyTorch float64 +
# cv2 frames) and the same smoothed labels, with 1 and 2 ranks. Heads vidclass cannot run
# exactly are refused by layer name; vidclass-train starts from such a file's base.
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
REF=$HERE/reference
CLIPS=$REF/clips
PY=/usr/bin/python3
CLASSES=football,tennis,weight_lifting

for lay in tf.keras keras2.2; do
    "$BIN/vidclass-weights" init --seed 1234 --layout $lay --output "$T/w_$lay.h5" >/dev/null
    $PY "$REF/make_tutorial_model.py" "$T/w_$lay.h5" "$T/$lay.model" $lay --last-dense "$REF/tutorial_ref.h5:$lay" \
        && ok "$lay: tutorial model file written" || bad "$lay: make_tutorial_model.py"
done

for lay in tf.keras keras2.2; do
    o=$("$BIN/vidclass-batch" --model "$T/$lay.model" --classes $CLASSES --input "$CLIPS" --output "$T/r_$lay.h5" \
        --window 5 --threads 2 2>&1); rc=$?
    [ $rc -eq 0 ] && ok "$lay: vidclass-batch with the Keras model file, no --weights" || bad "$lay: batch exit $rc: $o"
    o=$($PY "$HERE/tutorial_check.py" "$REF/tutorial_ref.h5" $lay "$T/r_$lay.h5" "$CLIPS" 2>&1) \
        && ok "$lay: predict_video.py's numbers"$'\n'"$o" || bad "$lay: differs from predict_video.py:"$'\n'"$o"
done
# two ranks: the same numbers
"$MPIEXEC" --oversubscribe -n 2 "$BIN/vidclass-batch" --model "$T/keras2.2.model" --classes $CLASSES --input "$CLIPS" \
    --output "$T/r2.h5" --window 5 --threads 1 >/dev/null 2>&1
o=$($PY "$HERE/tutorial_check.py" "$REF/tutorial_ref.h5" keras2.2 "$T/r2.h5" "$CLIPS" 2>&1) \
    && ok "keras2.2, 2 ranks: predict_video.py's numbers" || bad "2 ranks: $o"

# vidclass-predict: the tutorial's single-video command
expect "vidclass-predict with the tutorial's model" 0 "h264_1080p.mp4: (football|tennis|weight_lifting)" \
    "$BIN/vidclass-predict" --model "$T/tf.keras.model" --classes $CLASSES -i "$CLIPS/h264_1080p.mp4" -o "$T/out.mp4" --size 5
[ -s "$T/out.mp4" ] && ok "labelled video written" || bad "no labelled video"

# what a tutorial user gets wrong, said clearly
expect "no --classes: says where they are" 2 "holds no class names: give them with --classes .*lb.pickle" \
    "$BIN/vidclass-batch" --model "$T/tf.keras.model" --input "$CLIPS" --output "$T/x.h5"
expect "--weights with a Keras model file" 2 "own ResNet50 base; drop --weights" \
    "$BIN/vidclass-batch" --model "$T/tf.keras.model" --weights "$T/w_tf.keras.h5" --classes $CLASSES --input "$CLIPS" --output "$T/x.h5"
expect "two names for three outputs" 2 "2 class names given, but the model has 3 outputs" \
    "$BIN/vidclass-batch" --model "$T/tf.keras.model" --classes a,b --input "$CLIPS" --output "$T/x.h5"
expect "a weights-only file as the model" 1 "not a vidclass model file .*nor a Keras model file" \
    "$BIN/vidclass-batch" --model "$T/w_tf.keras.h5" --classes $CLASSES --input "$CLIPS" --output "$T/x.h5"
# heads that cannot be run exactly are refused, naming the layer
edit_head() { # MODEL OUT PYTHON-EXPRESSION-ON-layers
    cp "$1" "$2"
    $PY - "$2" "$3" <<'PYEOF'
import json, sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    c = json.loads(f.attrs["model_config"])
    layers = c["config"]["layers"]
    exec(sys.argv[2])
    f.attrs["model_config"] = json.dumps(c).encode()
PYEOF
}
edit_head "$T/tf.keras.model" "$T/pool5.model" 'layers[-5]["config"]["pool_size"] = [5, 5]'
expect "AveragePooling2D 5x5 on a 7x7 map" 1 "layer 'average_pooling2d': AveragePooling2D 5x5 over the 7x7 map" \
    "$BIN/vidclass-batch" --model "$T/pool5.model" --classes $CLASSES --input "$CLIPS" --output "$T/x.h5"
edit_head "$T/tf.keras.model" "$T/bn.model" 'layers[-2]["class_name"] = "BatchNormalization"'
expect "a BatchNormalization in the head" 1 "head layer 'dropout' \(BatchNormalization\) cannot be run exactly" \
    "$BIN/vidclass-batch" --model "$T/bn.model" --classes $CLASSES --input "$CLIPS" --output "$T/x.h5"
edit_head "$T/tf.keras.model" "$T/swish.model" 'layers[-3]["config"]["activation"] = "swish"'
expect "an activation vidclass does not run" 1 "layer 'dense': activation 'swish'" \
    "$BIN/vidclass-batch" --model "$T/swish.model" --classes $CLASSES --input "$CLIPS" --output "$T/x.h5"

# vidclass-train starts from the tutorial model file's base; the model records its layout
bash "$HERE/make_synthetic_classes.sh" "$T/in" 6
"$BIN/vidclass-pack" --input "$T/in" --output "$T/pack.h5" --size 64 --quiet >/dev/null 2>&1
o=$("$BIN/vidclass-train" --pack "$T/pack.h5" --weights "$T/keras2.2.model" --output "$T/model" --epochs 1 \
    --threads 2 --quiet 2>&1) && ok "vidclass-train --weights the tutorial's model file" || bad "train: $o"
layout=$(h5dump -a /weights_layout "$T/model/model.h5" 2>/dev/null | grep -o '"keras2.2"')
[ "$layout" = '"keras2.2"' ] && ok "model.h5 records weights_layout keras2.2" || bad "weights_layout: $layout"
resize=$(h5dump -a /resize "$T/model/model.h5" 2>/dev/null | grep -o '"linear"')
[ "$resize" = '"linear"' ] && ok "model.h5 records resize linear (the pack's)" || bad "resize: $resize"
expect "its model runs with the file as --weights" 0 "classified 4 videos" \
    "$BIN/vidclass-batch" --model "$T/model/model.h5" --weights "$T/keras2.2.model" --input "$CLIPS" --output "$T/y.h5" --threads 2
finish
