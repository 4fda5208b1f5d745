/*
 * findings.h — what a security reviewer flags in a connection
 * (docs/findings.md): one table of codes, each with its rule and the
 * source of that rule (RFC 8996, RFC 7465, RFC 7457, Mozilla's server-side
 * TLS guidelines, BSI TR-02102-2).
 */
#ifndef TLSDISSECT_FINDINGS_H
#define TLSDISSECT_FINDINGS_H

#include "tlsdissect/model.h"

/* The code as `findings` writes it ("weak_cipher"), or NULL past the table. */
const char *td_finding_name(enum td_finding f);

/* Where the rule comes from ("RFC 8996"). */
const char *td_finding_source(enum td_finding f);

/* The findings of a finished connection's summary, in enum order, each with its reason. */
void td_findings_decide(const struct td_conn_summary *s, struct td_findings *out);

#endif
