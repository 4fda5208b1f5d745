/*
 * conn_record.c — the connection record as Zeek's ssl.log answers it
 * (model.h struct td_conn_record): owned copies of the leaf certificates'
 * names, the client's certificate hashes, and what is decided when the
 * connection ends: `ech` (RFC 9849 §6.1.6, §7.1, §7.2.1; docs/output-contract.md
 * says what each value can and cannot tell), `sni_matches_cert` and the
 * findings (findings.c).
 */
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/findings.h"

static char *copy_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void td_conn_set_leaf(struct td_conn *c, enum td_side side, const struct td_cert_info *leaf)
{
    struct td_cert_identity *id = &c->sum.record.leaf[side];
    if (id->known)
        return;
    id->known = true;
    if (!leaf->parsed)
        return;
    id->subject = copy_or_null(leaf->subject);
    id->issuer = copy_or_null(leaf->issuer);
    id->has_validity = leaf->has_validity;
    id->not_before = leaf->not_before;
    id->not_after = leaf->not_after;
}

void td_conn_set_client_certs(struct td_conn *c, const struct td_certificate *chain)
{
    struct td_conn_record *r = &c->sum.record;
    if (r->client_certs)
        return;
    r->client_certs_known = true;
    if (chain->count > 0)
        td_conn_set_leaf(c, TD_CLIENT, &chain->certs[0]);
    if (chain->count == 0 || (r->client_certs = calloc(chain->count, sizeof *r->client_certs)) == NULL)
        return;
    for (size_t i = 0; i < chain->count; i++)
        if (chain->certs[i].sha256[0])
            memcpy(r->client_certs[r->client_cert_count++], chain->certs[i].sha256,
                   sizeof r->client_certs[0]);
}

void td_conn_record_release(struct td_conn_record *r)
{
    for (int side = 0; side < 2; side++) {
        free(r->leaf[side].subject);
        free(r->leaf[side].issuer);
    }
    free(r->client_certs);
    memset(r, 0, sizeof *r);
}

/* RFC 9849 §6.1.6: a client whose real ECH offer was not accepted aborts with ech_required. */
static bool client_required_ech(const struct td_conn_summary *s)
{
    for (size_t i = 0; i < s->alert_count; i++)
        if (s->alerts[i].from == TD_CLIENT && !s->alerts[i].encrypted &&
            s->alerts[i].alert.description == TD_ALERT_ECH_REQUIRED)
            return true;
    return false;
}

static enum td_ech decide_ech(const struct td_conn_summary *s)
{
    const struct td_conn_record *r = &s->record;
    if (!r->has_client_suites)
        return TD_ECH_UNKNOWN; /* no ClientHello seen */
    if (!r->ech_offered)
        return TD_ECH_NONE;
    if (r->ech_hrr_confirmed)
        return TD_ECH_ACCEPTED;
    if (r->ech_retry_configs && s->established && !client_required_ech(s))
        return TD_ECH_GREASE; /* not accepted, and the client went on regardless */
    return TD_ECH_OFFERED;
}

void td_conn_decide_record(struct td_conn_summary *s, struct td_findings *out)
{
    struct td_conn_record *r = &s->record;
    r->ech = decide_ech(s);
    if (s->validation.done && s->validation.name_checked)
        r->sni_matches_cert = !(s->validation.problems >> TD_CERT_NAME_MISMATCH & 1);
    else
        r->sni_matches_cert = -1;
    td_findings_decide(s, out);
    r->findings = out;
}
