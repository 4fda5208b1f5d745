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

/*
 * For a decrypted message: which keys opened its record, and what they are
 * derived from (RFC 8446 §7.1-7.3, RFC 5246 §6.3), or NULL.  Never the
 * secrets themselves.
 */
const char *td_explain_keys(const struct td_message *m);

/* Why finding f matters, in words, or NULL. */
const char *td_explain_finding(enum td_finding f);

#endif
