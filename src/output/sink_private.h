/*
 * sink_private.h — the common head of the writers' structs.
 */
#ifndef TD_SINK_PRIVATE_H
#define TD_SINK_PRIVATE_H

#include <stdio.h>

#include "tlsdissect/writers.h"

struct td_writer {
    struct td_sink sink; /* first: a struct td_sink * is a struct td_writer * */
    FILE *out;
    void (*flush)(struct td_writer *w);
    void (*destroy)(struct td_writer *w);
};

#endif
