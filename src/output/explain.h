/*
 * explain.h — plain-language explanations of handshake messages (--explain).
 */
#ifndef TD_EXPLAIN_H
#define TD_EXPLAIN_H

#include <stdbool.h>

#include "tlsdissect/model.h"

/* A sentence on what m does, or NULL. */
/* Uses what the session stamped on the message (negotiated version, resumption). */
const char *td_explain(const struct td_message *m);

/* Why finding f matters, in words, or NULL. */
const char *td_explain_finding(enum td_finding f);

#endif
