/*
 * record.c — DTLS record headers (RFC 6347 §4.1; RFC 9147 §4).
 *
 *   struct {                               0 1 2 3 4 5 6 7
 *       ContentType type;                 +-+-+-+-+-+-+-+-+
 *       ProtocolVersion version;          |0|0|1|C|S|L|E E|   unified header
 *       uint16 epoch;                     +-+-+-+-+-+-+-+-+   (DTLS 1.3 ciphertext):
 *       uint48 sequence_number;           | Connection ID |   C: CID present,
 *       uint16 length;                    | (if C, length |   S: 16-bit sequence,
 *       opaque fragment[length];          |  negotiated)  |   L: length present
 *   } DTLSPlaintext;                      | 8/16-bit seq  |   (else to the end of
 *                                         | 16-bit length |   the datagram),
 *                                                             EE: low epoch bits.
 *
 * Several records may share one datagram (RFC 6347 §4.1.1); a record never
 * spans datagrams.
 */
#include "dtls/record.h"

#include <stdio.h>
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tls/conformance.h"

static bool plaintext_type(uint8_t t) { return t >= 20 && t <= 26; }

static enum td_dtls_rec_status body(struct td_cur *c, struct td_dtls_record *r)
{
    struct td_cur b;
    r->body = td_cur_ptr(c);
    if (r->length > td_cur_declared(c)) {
        snprintf(r->detail, sizeof r->detail, "record length %zu > %zu bytes left in the datagram",
                 r->length, td_cur_declared(c));
        r->past_datagram = true;
        return TD_DTLS_REC_MALFORMED;
    }
    if (!td_cur_sub(c, r->length, &b)) {
        r->captured = td_cur_remaining(&b);
        return TD_DTLS_REC_CUT;
    }
    r->captured = r->length;
    return TD_DTLS_REC_OK;
}

static enum td_dtls_rec_status unified(struct td_cur *c, uint8_t first, int cid_len,
                                       struct td_dtls_record *r)
{
    uint8_t s8;
    uint16_t s16, len16;

    r->unified = true;
    r->type = TD_CT_APPLICATION_DATA;
    r->version = TD_VERSION_DTLS_1_2;
    r->epoch = first & 0x03;
    if (first & 0x10) {
        if (cid_len < 0) {
            snprintf(r->detail, sizeof r->detail,
                     "a DTLS 1.3 record with a connection ID whose length no hello gave");
            return TD_DTLS_REC_CID_UNKNOWN;
        }
        if (!td_cur_skip(c, (size_t)cid_len))
            goto cut;
    }
    if (first & 0x08) {
        if (!td_cur_u16(c, &s16))
            goto cut;
        r->sequence = s16;
    } else {
        if (!td_cur_u8(c, &s8))
            goto cut;
        r->sequence = s8;
    }
    if (first & 0x04) {
        if (!td_cur_u16(c, &len16))
            goto cut;
        r->length = len16;
    } else {
        r->length = td_cur_declared(c);
    }
    return body(c, r);
cut:
    snprintf(r->detail, sizeof r->detail, "DTLS 1.3 unified header cut short");
    return c->status == TD_CUR_TRUNCATED ? TD_DTLS_REC_CUT : TD_DTLS_REC_MALFORMED;
}

enum td_dtls_rec_status td_dtls_read_record(struct td_cur *c, int cid_len, struct td_dtls_record *r)
{
    uint8_t first;
    uint16_t seq_hi, len16;
    uint32_t seq_lo;

    memset(r, 0, sizeof *r);
    if (!td_cur_u8(c, &first))
        return TD_DTLS_REC_MALFORMED;
    if ((first & 0xe0) == 0x20)
        return unified(c, first, cid_len, r);
    if (first == 0) {
        /* zero padding after the records (or junk that starts with a zero byte) */
        return TD_DTLS_REC_PADDING;
    }
    r->type = first;
    if (!td_cur_u16(c, &r->version) || !td_cur_u16(c, &r->epoch) || !td_cur_u16(c, &seq_hi) ||
        !td_cur_u32(c, &seq_lo) || !td_cur_u16(c, &len16)) {
        snprintf(r->detail, sizeof r->detail, "record header cut short (13 bytes)");
        return c->status == TD_CUR_TRUNCATED ? TD_DTLS_REC_CUT : TD_DTLS_REC_MALFORMED;
    }
    r->sequence = (uint64_t)seq_hi << 32 | seq_lo;
    r->length = len16;
    if (!plaintext_type(first) || !td_version_is_dtls(r->version)) {
        snprintf(r->detail, sizeof r->detail, "content type %u, version 0x%04x: not a DTLS record",
                 first, r->version);
        return TD_DTLS_REC_MALFORMED;
    }
    return body(c, r);
}

bool td_dtls_detect(const uint8_t *p, size_t caplen, size_t len)
{
    struct td_cur c = td_cur_make_partial(p, caplen, len);
    struct td_dtls_record r;
    enum td_dtls_rec_status st;

    if (caplen < 1 || !plaintext_type(p[0]))
        return false; /* a flow is found by a record in clear, never by a unified header */
    st = td_dtls_read_record(&c, -1, &r);
    if (st == TD_DTLS_REC_OK || st == TD_DTLS_REC_CUT)
        return true;
    /* a handshake record of epoch 0 with a DTLS version: a handshake's start
     * whose length lies (read, and reported as malformed) */
    return r.type == TD_CT_HANDSHAKE && td_version_is_dtls(r.version) && r.epoch == 0 &&
           r.past_datagram;
}
