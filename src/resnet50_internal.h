/* resnet50_internal.h - vidclass internal: ResNet50 names shared by the loader and the
 * weights generator (never installed). */
#ifndef VIDCLASS_RESNET50_INTERNAL_H
#define VIDCLASS_RESNET50_INTERNAL_H

#include <stddef.h>

/* The Keras 2.2 (keras_applications) name of the conv or BN layer that tf.keras calls
 * `tf` (conv1_conv -> conv1, conv1_bn -> bn_conv1, conv3_block2_1_conv -> res3b_branch2a,
 * conv3_block1_0_bn -> bn3a_branch1); other names are copied. */
void vc_resnet50_keras22_name(const char *tf, char *out, size_t len);

#endif
