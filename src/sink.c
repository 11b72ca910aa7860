/* sink.c - the generic sink handle (see vidclass/sink.h). */
#include "vidclass/sink.h"
#include "vidclass/status.h"

#include <stdlib.h>

struct vc_sink {
    const struct vc_sink_ops *ops;
    void                     *self;
};

int vc_sink_create(const struct vc_sink_ops *ops, void *self, vc_sink **out)
{
    *out = NULL;
    vc_sink *s = calloc(1, sizeof *s);
    if (!s) {
        if (ops->destroy) ops->destroy(self);
        return vc_error(VC_ERR_NOMEM, "out of memory creating sink '%s'", ops->name);
    }
    s->ops = ops;
    s->self = self;
    *out = s;
    return VC_OK;
}

void vc_sink_free(vc_sink **sp)
{
    if (!sp || !*sp) return;
    if ((*sp)->ops->destroy) (*sp)->ops->destroy((*sp)->self);
    free(*sp);
    *sp = NULL;
}

const char *vc_sink_name(const vc_sink *s) { return s->ops->name; }
int vc_sink_wants_frames(const vc_sink *s) { return s->ops->wants_frames && s->ops->frame; }
int vc_sink_begin(vc_sink *s, const struct vc_sink_video *v) { return s->ops->begin ? s->ops->begin(s->self, v) : VC_OK; }
int vc_sink_frame(vc_sink *s, const struct vc_sink_frame *f) { return s->ops->frame ? s->ops->frame(s->self, f) : VC_OK; }
int vc_sink_end(vc_sink *s, const struct vc_record *r) { return s->ops->end ? s->ops->end(s->self, r) : VC_OK; }
int vc_sink_finish(vc_sink *s) { return s->ops->finish ? s->ops->finish(s->self) : VC_OK; }
