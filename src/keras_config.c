/* keras_config.c - read a Keras model_config JSON with jansson (see keras_config.h). */
#include "keras_config.h"
#include "vidclass/status.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct vc_keras_config {
    json_t                *root;
    struct vc_keras_layer *layers;
    int                    n;
};

/* The name of the layer behind one inbound tensor, in either dialect. */
static const char *tensor_source(json_t *t)
{
    if (json_is_array(t)) /* Keras 2: ["name", node, tensor, {kwargs}] */
        return json_string_value(json_array_get(t, 0));
    json_t *hist = json_object_get(json_object_get(t, "config"), "keras_history"); /* Keras 3 */
    return json_string_value(json_array_get(hist, 0));
}

/* First inbound layer name and the number of inbound tensors of the first call node. */
static void read_inbound(json_t *layer, struct vc_keras_layer *l)
{
    json_t *nodes = json_object_get(layer, "inbound_nodes");
    json_t *node = json_array_get(nodes, 0);
    json_t *tensors = json_is_object(node) ? json_object_get(node, "args") : node;
    if (json_is_object(node) && json_array_size(tensors) == 1 && json_is_array(json_array_get(tensors, 0)))
        tensors = json_array_get(tensors, 0); /* Keras 3 Add: args = [[t1, t2]] */
    l->n_inbound = (int)json_array_size(tensors);
    l->inbound = l->n_inbound > 0 ? tensor_source(json_array_get(tensors, 0)) : NULL;
}

int vc_keras_config_parse(const char *text, const char *what, vc_keras_config **out)
{
    *out = NULL;
    json_error_t err;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return vc_error(VC_ERR_FORMAT, "%s: model_config is not valid JSON (line %d, column %d: %s)", what, err.line,
                        err.column, err.text);
    json_t *layers = json_object_get(json_object_get(root, "config"), "layers");
    if (!json_is_array(layers)) {
        json_decref(root);
        return vc_error(VC_ERR_UNSUPPORTED, "%s: model_config has no config.layers list (class '%s'); only functional "
                        "and sequential Keras models are read", what,
                        json_string_value(json_object_get(root, "class_name")) ? json_string_value(json_object_get(root, "class_name")) : "?");
    }
    vc_keras_config *c = calloc(1, sizeof *c);
    size_t n = json_array_size(layers);
    if (c) c->layers = calloc(n ? n : 1, sizeof *c->layers);
    if (!c || !c->layers) {
        free(c);
        json_decref(root);
        return vc_error(VC_ERR_NOMEM, "%s: out of memory reading model_config", what);
    }
    c->root = root;
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(layers, i), *cfg = json_object_get(l, "config");
        struct vc_keras_layer *o = &c->layers[c->n];
        o->class_name = json_string_value(json_object_get(l, "class_name"));
        o->name = json_string_value(json_object_get(l, "name"));
        if (!o->name) o->name = json_string_value(json_object_get(cfg, "name"));
        if (!o->class_name || !o->name || !json_is_object(cfg)) {
            vc_keras_config_free(&c);
            return vc_error(VC_ERR_FORMAT, "%s: model_config layer %zu has no class_name, name or config", what, i);
        }
        o->config = cfg;
        read_inbound(l, o);
        c->n++;
    }
    *out = c;
    return VC_OK;
}

void vc_keras_config_free(vc_keras_config **cp)
{
    if (!cp || !*cp) return;
    json_decref((*cp)->root);
    free((*cp)->layers);
    free(*cp);
    *cp = NULL;
}

int vc_keras_config_count(const vc_keras_config *c) { return c->n; }

const struct vc_keras_layer *vc_keras_config_layer(const vc_keras_config *c, int i)
{
    return i >= 0 && i < c->n ? &c->layers[i] : NULL;
}

int vc_keras_config_find(const vc_keras_config *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->layers[i].name, name) == 0) return i;
    return -1;
}

int vc_keras_config_double(const struct vc_keras_layer *l, const char *key, double *v)
{
    json_t *j = json_object_get((json_t *)l->config, key);
    if (!json_is_number(j)) return 0;
    *v = json_number_value(j);
    return 1;
}

int vc_keras_config_string(const struct vc_keras_layer *l, const char *key, const char **v)
{
    json_t *j = json_object_get((json_t *)l->config, key);
    if (!json_is_string(j)) return 0;
    *v = json_string_value(j);
    return 1;
}

int vc_keras_config_pair(const struct vc_keras_layer *l, const char *key, int v[2])
{
    json_t *j = json_object_get((json_t *)l->config, key);
    if (json_is_integer(j)) {
        v[0] = v[1] = (int)json_integer_value(j);
        return 1;
    }
    if (json_array_size(j) == 2 && json_is_integer(json_array_get(j, 0)) && json_is_integer(json_array_get(j, 1))) {
        v[0] = (int)json_integer_value(json_array_get(j, 0));
        v[1] = (int)json_integer_value(json_array_get(j, 1));
        return 1;
    }
    return 0;
}

int vc_keras_config_input_shape(const vc_keras_config *c, int hwc[3])
{
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->layers[i].class_name, "InputLayer") != 0) continue;
        json_t *cfg = (json_t *)c->layers[i].config, *shape = json_object_get(cfg, "batch_input_shape");
        if (!shape) shape = json_object_get(cfg, "batch_shape"); /* Keras 3 */
        if (json_array_size(shape) != 4) return 0;
        for (int k = 0; k < 3; k++) {
            json_t *d = json_array_get(shape, (size_t)k + 1);
            hwc[k] = json_is_integer(d) ? (int)json_integer_value(d) : 0;
        }
        return 1;
    }
    return 0;
}
