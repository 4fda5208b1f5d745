/*
 * sink.c — what every writer shares: a flush and a free behind the sink
 * interface of include/tlsdissect/model.h.
 */
#include "sink_private.h"

#include <stdlib.h>

bool td_sink_flush(struct td_sink *s)
{
    struct td_writer *w = (struct td_writer *)s;
    if (w->flush)
        w->flush(w);
    return fflush(w->out) == 0 && !ferror(w->out);
}

void td_sink_free(struct td_sink *s)
{
    struct td_writer *w = (struct td_writer *)s;
    if (w == NULL)
        return;
    if (w->destroy)
        w->destroy(w);
    free(w);
}
