/*
 * messages.c — the smaller handshake messages and the alert.
 *
 *   CertificateRequest (TLS 1.2, RFC 5246 §7.4.4):
 *     ClientCertificateType certificate_types<1..2^8-1>;
 *     SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;  -- TLS 1.2 only
 *     DistinguishedName certificate_authorities<0..2^16-1>;
 *   CertificateRequest (TLS 1.3, RFC 8446 §4.3.2):
 *     opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>;
 *     compress_certificate (RFC 8879 §3): CertificateCompressionAlgorithm algorithms<2..2^8-2>;
 *   CertificateVerify: SignatureScheme algorithm (TLS 1.2+); opaque signature<0..2^16-1>;
 *   NewSessionTicket (RFC 5077 §3.3): uint32 lifetime_hint; opaque ticket<0..2^16-1>;
 *   NewSessionTicket (RFC 8446 §4.6.1): uint32 ticket_lifetime; uint32 ticket_age_add;
 *     opaque ticket_nonce<0..255>; opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>;
 *     (early_data, RFC 8446 §4.2.10: uint32 max_early_data_size)
 *   CertificateStatus (RFC 6066 §8): CertificateStatusType status_type; OCSPResponse<1..2^24-1>;
 *   Alert (RFC 5246 §7.2): AlertLevel level; AlertDescription description;
 */
#include "tls/messages.h"

#include <stdio.h>
#include <string.h>

#include "tlsdissect/codepoints.h"

/* The signature algorithms, under the output cap; path names the list. */
static int read_signature_algorithms(struct td_parse *p, struct td_cur *vec,
                                     struct td_certificate_request *out, const char *path)
{
    if (td_parse_u16_list(p, vec, &out->signature_algorithms) != 0)
        return -1;
    out->signature_algorithms.omitted =
        td_parse_list_cap(p, out->signature_algorithms.n, TD_MAX_LISTED_CODE_POINTS,
                          "signature_algorithms", "%s", path);
    return 0;
}

static int count_names(struct td_parse *p, struct td_cur *list, size_t *count)
{
    struct td_cur dn;
    *count = 0;
    while (td_cur_remaining(list)) {
        if (!td_cur_vec(list, 2, 1, 0xffff, 1, &dn))
            return td_parse_cur_fail(p, list, "CertificateRequest.certificate_authorities[%zu]",
                                     *count);
        (*count)++;
    }
    return 0;
}

static int certificate_request_13(struct td_parse *p, struct td_cur *c,
                                  struct td_certificate_request *out)
{
    struct td_cur ctx, exts, data, v;
    uint16_t type;

    if (!td_cur_vec(c, 1, 0, 0xff, 1, &ctx))
        return td_parse_cur_fail(p, c, "CertificateRequest.certificate_request_context");
    if (!td_cur_vec(c, 2, 0, 0xffff, 1, &exts))
        return td_parse_cur_fail(p, c, "CertificateRequest.extensions");
    for (size_t i = 0; td_cur_remaining(&exts); i++) {
        if (!td_cur_u16(&exts, &type) || !td_cur_vec(&exts, 2, 0, 0xffff, 1, &data))
            return td_parse_cur_fail(p, &exts, "CertificateRequest.extensions[%zu]", i);
        if (type == TD_EXT_SIGNATURE_ALGORITHMS) {
            if (!td_cur_vec(&data, 2, 2, 0xfffe, 2, &v))
                return td_parse_cur_fail(p, &data, "CertificateRequest.extensions[%zu](signature_algorithms)", i);
            out->has_signature_algorithms = true;
            char path[64];
            snprintf(path, sizeof path, "CertificateRequest.extensions[%zu](signature_algorithms)", i);
            if (read_signature_algorithms(p, &v, out, path) != 0)
                return -1;
        } else if (type == TD_EXT_CERTIFICATE_AUTHORITIES) {
            if (!td_cur_vec(&data, 2, 3, 0xffff, 1, &v))
                return td_parse_cur_fail(p, &data, "CertificateRequest.extensions[%zu](certificate_authorities)", i);
            if (count_names(p, &v, &out->ca_count) != 0)
                return -1;
        } else if (type == TD_EXT_COMPRESS_CERTIFICATE) {
            if (!td_cur_vec(&data, 1, 2, 0xfe, 2, &v))
                return td_parse_cur_fail(p, &data, "CertificateRequest.extensions[%zu](compress_certificate)", i);
            out->has_compress_certificate = true;
            if (td_parse_u16_list(p, &v, &out->compress_certificate) != 0)
                return -1;
            out->compress_certificate.omitted =
                td_parse_list_cap(p, out->compress_certificate.n, TD_MAX_LISTED_CODE_POINTS,
                                  "compress_certificate",
                                  "CertificateRequest.extensions[%zu](compress_certificate)", i);
        }
    }
    return 0;
}

int td_parse_certificate_request(struct td_parse *p, struct td_cur body, bool tls12, bool tls13,
                                 struct td_certificate_request *out)
{
    struct td_cur c = body, v;

    memset(out, 0, sizeof *out);
    if (tls13)
        return certificate_request_13(p, &c, out);
    if (!td_cur_vec(&c, 1, 1, 0xff, 1, &v))
        return td_parse_cur_fail(p, &c, "CertificateRequest.certificate_types");
    out->certificate_types = td_parse_rest(&v);
    if (tls12) {
        if (!td_cur_vec(&c, 2, 2, 0xfffe, 2, &v))
            return td_parse_cur_fail(p, &c, "CertificateRequest.supported_signature_algorithms");
        out->has_signature_algorithms = true;
        if (read_signature_algorithms(p, &v, out, "CertificateRequest.supported_signature_algorithms") != 0)
            return -1;
    }
    if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v))
        return td_parse_cur_fail(p, &c, "CertificateRequest.certificate_authorities");
    return count_names(p, &v, &out->ca_count);
}

int td_parse_certificate_verify(struct td_parse *p, struct td_cur body, bool tls12,
                                struct td_certificate_verify *out)
{
    struct td_cur c = body, sig;

    memset(out, 0, sizeof *out);
    if (tls12) {
        if (!td_cur_u16(&c, &out->signature_algorithm))
            return td_parse_cur_fail(p, &c, "CertificateVerify.algorithm");
        out->has_signature_algorithm = true;
    }
    if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &sig))
        return td_parse_cur_fail(p, &c, "CertificateVerify.signature");
    return 0;
}

/* TLS 1.3 NewSessionTicket extensions: only early_data carries a field (RFC 8446 §4.6.1). */
static int new_session_ticket_extensions(struct td_parse *p, struct td_cur *c,
                                         struct td_new_session_ticket *out)
{
    struct td_cur exts, data;
    uint16_t type;

    if (!td_cur_vec(c, 2, 0, 0xfffe, 1, &exts))
        return td_parse_cur_fail(p, c, "NewSessionTicket.extensions");
    for (size_t i = 0; td_cur_remaining(&exts); i++) {
        if (!td_cur_u16(&exts, &type) || !td_cur_vec(&exts, 2, 0, 0xffff, 1, &data))
            return td_parse_cur_fail(p, &exts, "NewSessionTicket.extensions[%zu]", i);
        if (type != TD_EXT_EARLY_DATA)
            continue;
        if (!td_cur_u32(&data, &out->max_early_data_size) || td_cur_remaining(&data))
            return td_parse_cur_fail(p, &data, "NewSessionTicket.extensions[%zu](early_data)"
                                     ".max_early_data_size", i);
        out->has_max_early_data_size = true;
    }
    return 0;
}

int td_parse_new_session_ticket(struct td_parse *p, struct td_cur body, bool tls13,
                                struct td_new_session_ticket *out)
{
    struct td_cur c = body, v;

    memset(out, 0, sizeof *out);
    if (!td_cur_u32(&c, &out->lifetime_hint))
        return td_parse_cur_fail(p, &c, "NewSessionTicket.lifetime");
    if (!tls13) {
        if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v))
            return td_parse_cur_fail(p, &c, "NewSessionTicket.ticket");
        out->ticket = td_parse_rest(&v);
        out->ticket_length = out->ticket.len;
        return 0;
    }
    if (!td_cur_u32(&c, &out->ticket_age_add))
        return td_parse_cur_fail(p, &c, "NewSessionTicket.ticket_age_add");
    if (!td_cur_vec(&c, 1, 0, 0xff, 1, &v))
        return td_parse_cur_fail(p, &c, "NewSessionTicket.ticket_nonce");
    out->ticket_nonce = td_parse_rest(&v);
    if (!td_cur_vec(&c, 2, 1, 0xffff, 1, &v))
        return td_parse_cur_fail(p, &c, "NewSessionTicket.ticket");
    out->ticket = td_parse_rest(&v);
    out->ticket_length = out->ticket.len;
    out->tls13 = true;
    return new_session_ticket_extensions(p, &c, out);
}

int td_parse_certificate_status(struct td_parse *p, struct td_cur body,
                                struct td_certificate_status *out)
{
    struct td_cur c = body, v;

    memset(out, 0, sizeof *out);
    if (!td_cur_u8(&c, &out->status_type))
        return td_parse_cur_fail(p, &c, "CertificateStatus.status_type");
    if (!td_cur_vec(&c, 3, 1, 0xffffff, 1, &v))
        return td_parse_cur_fail(p, &c, "CertificateStatus.response");
    out->response_length = td_cur_remaining(&v);
    return 0;
}

int td_parse_key_update(struct td_parse *p, struct td_cur body, uint8_t *request)
{
    struct td_cur c = body;
    if (!td_cur_u8(&c, request))
        return td_parse_cur_fail(p, &c, "KeyUpdate.request_update");
    return 0;
}

int td_parse_alert(struct td_parse *p, const uint8_t *body, size_t len, struct td_alert *out)
{
    struct td_cur c = td_cur_make(body, len);
    if (!td_cur_u8(&c, &out->level) || !td_cur_u8(&c, &out->description))
        return td_parse_cur_fail(p, &c, "Alert");
    return 0;
}
