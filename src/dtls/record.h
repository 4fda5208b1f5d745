/*
 * record.h — DTLS record headers (RFC 6347 §4.1, RFC 9147 §4): the
 * DTLSPlaintext header of DTLS 1.0/1.2 (and of DTLS 1.3's records in
 * clear) and DTLS 1.3's unified header of encrypted records.  Private to
 * src/dtls.
 */
#ifndef TLSDISSECT_DTLS_RECORD_H
#define TLSDISSECT_DTLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/cursor.h"

#define TD_DTLS_RECORD_HEADER 13 /* DTLSPlaintext: type, version, epoch, sequence, length */

enum td_dtls_rec_status {
    TD_DTLS_REC_OK,
    TD_DTLS_REC_CUT,        /* the capture (snaplen) cut the record: body is the captured part */
    TD_DTLS_REC_MALFORMED,  /* not a record header, or a length past the datagram */
    TD_DTLS_REC_CID_UNKNOWN, /* a unified header with a connection ID of unknown length */
    TD_DTLS_REC_PADDING,    /* zero bytes after the records */
};

struct td_dtls_record {
    bool unified;            /* DTLS 1.3 unified header (RFC 9147 §4): type is hidden */
    uint8_t type;            /* content type (unified: 23, application_data, on the wire) */
    uint16_t version;        /* DTLSPlaintext only; unified: 0xfefd (RFC 9147 §4) */
    uint16_t epoch;          /* unified: the two low bits only */
    uint64_t sequence;       /* 48 bits; unified: the 8 or 16 low bits (encrypted) */
    size_t length;
    size_t captured;         /* body bytes captured (< length when cut) */
    const uint8_t *body;
    bool past_datagram;      /* MALFORMED because the length runs past the datagram */
    char detail[96];         /* why, when not OK */
};

/*
 * Read one record from a datagram.  cid_len: the connection ID length the
 * receiver of these records asked for in its hello (RFC 9147 §9), or -1
 * when none is known.  On OK and CUT the cursor is past the record.
 */
enum td_dtls_rec_status td_dtls_read_record(struct td_cur *c, int cid_len, struct td_dtls_record *r);

/*
 * A datagram whose first record looks like DTLS (RFC 6347 §4.1): a content
 * type of 20 to 26, a DTLS version, and a length that fits the datagram —
 * or a handshake record of epoch 0, which claims to start a handshake even
 * when its length does not fit (it is then reported as malformed).
 */
bool td_dtls_detect(const uint8_t *p, size_t caplen, size_t len);

#endif
