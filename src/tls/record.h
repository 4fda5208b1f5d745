/*
 * record.h — the TLS record layer of one direction (RFC 8446 §5.1,
 * RFC 5246 §6.2.1, SSL 2.0 record headers per RFC 6101 Appendix E /
 * draft-hickman-netscape-ssl-00 §1.2).
 *
 *   struct { ContentType type; ProtocolVersion legacy_record_version;
 *            uint16 length; opaque fragment[length]; } TLSPlaintext;
 *
 * The reader frames a byte stream into records and hands each complete
 * record to a handler.  Bodies the handler wants (handshake, alerts, ...)
 * are viewed in place when a record lies inside one delivery and copied
 * (capped) only when it spans deliveries; other bodies (application data,
 * encrypted handshake) are skipped by length arithmetic alone.
 *
 * Before the first record, and after a gap that broke framing, the reader
 * scans for a plausible record header: a ClientHello or ServerHello header,
 * an SSLv2 CLIENT-HELLO / SERVER-HELLO, or (when weak matches are allowed,
 * i.e. the connection was picked up mid-stream or lost sync) any record
 * header, confirmed by the next one.
 */
#ifndef TLSDISSECT_RECORD_H
#define TLSDISSECT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"
#include "tlsdissect/codepoints.h" /* content types: TD_CT_HANDSHAKE, ... */

/* TLSCiphertext.length limit, RFC 5246 §6.2.3. */
#define TD_RECORD_MAX (16384 + 2048)

enum td_rec_state {
    TD_REC_DETECT, /* looking for the first record */
    TD_REC_RESYNC, /* looking for a record after framing was lost */
    TD_REC_HEADER,
    TD_REC_BODY,
    TD_REC_DEAD,   /* gave up: no TLS in this direction */
};

struct td_record {
    uint8_t type;          /* content type; for SSLv2 records 0 */
    uint16_t version;      /* record version; 0x0002 for SSLv2 framing */
    size_t length;
    const uint8_t *body;   /* NULL when the body was not wanted */
    uint64_t index;        /* records of this direction so far, from 0 */
    bool truncated;        /* only the first `length` bytes were captured */
    uint64_t lost_after;   /* a handshake record cut by a gap: this piece is followed by
                            * lost_after missing bytes, then the rest of the record */
};

/* What the reader noticed, for anomaly reports. */
enum td_rec_note {
    TD_RECN_FOUND,        /* the first record was found (detail: how) */
    TD_RECN_FOUND_WEAK,   /* ... by a weak match: picked up mid-stream */
    TD_RECN_RESYNCED,     /* framing found again after it was lost */
    TD_RECN_BAD_HEADER,   /* an implausible record header: framing lost */
    TD_RECN_TOO_LONG,     /* a record over TD_RECORD_MAX (still read) */
    TD_RECN_GAVE_UP,      /* no record in the detection budget */
    TD_RECN_BODY_TOO_BIG, /* a wanted body could not be buffered (no memory) */
    TD_RECN_OVER_BUDGET,  /* ... because the run's buffer budget is used up */
};

struct td_record_handler {
    void (*record)(void *ctx, int side, const struct td_record *r);
    void (*note)(void *ctx, int side, enum td_rec_note note, const char *detail);
    void *ctx;
};

struct td_record_reader {
    enum td_rec_state state;
    bool sslv2;            /* the last header was SSLv2 framing */
    bool sslv2_allowed;    /* an SSLv2 record was seen: SSLv2 headers may follow */
    bool allow_weak;       /* accept any plausible header when detecting */
    bool trust_start;      /* the peer speaks TLS: a plausible header at offset 0 is enough */
    bool tentative;        /* found by a weak match; the next header confirms */
    bool chain_only;       /* ... and only the next header: nothing else says this is TLS */
    bool check_hello;      /* found by a hello header whose body must confirm it */
    bool rescanning;       /* scanning the bytes of a record whose hello was rejected */
    bool header_matched;   /* the header being read was chosen by the scanner */
    bool held;             /* a weakly matched record waits for confirmation */
    struct td_record held_rec;
    struct td_buf held_body; /* its body, when wanted */
    bool held_wanted;
    enum td_rec_state found_in; /* DETECT or RESYNC: where the last match was found */
    uint8_t hdr[5];
    uint8_t hdr_have, hdr_need;
    uint8_t carry[16];     /* scan window that straddles deliveries */
    uint8_t carry_len;
    uint64_t scanned;
    uint64_t detect_budget;
    uint16_t known_version; /* record version of the last good record */
    uint32_t want_mask;    /* bit (type - 20): bodies of that type are wanted */
    bool want_sslv2;       /* SSLv2 record bodies are wanted */
    /* the record being read */
    uint8_t type;
    uint16_t version;
    size_t length, left, padding;
    size_t handed;         /* bytes of this record handed over (or lost) in pieces before a gap */
    bool want_body;
    uint64_t records;
    struct td_buf body;
};

void td_record_init(struct td_record_reader *r, uint64_t detect_budget, bool allow_weak);
/* Charge the reader's buffers to a run's budget (NULL: none). */
void td_record_set_budget(struct td_record_reader *r, struct td_mem_budget *budget);
void td_record_release(struct td_record_reader *r);

/* Frame n bytes of the stream, calling h for each complete record. */
void td_record_feed(struct td_record_reader *r, int side, const uint8_t *p, size_t n,
                    const struct td_record_handler *h);

/* What a gap did to the framing. */
enum td_rec_gap {
    TD_REC_GAP_UNAFFECTED, /* inside a record body that was being skipped anyway, or a
                            * protected one that now cannot be opened (handed over
                            * without a body) */
    TD_REC_GAP_IN_RECORD,  /* inside a handshake record: its bytes so far were handed over
                            * with lost_after = n; the rest of it follows */
    TD_REC_GAP_FRAMING_LOST, /* across a record boundary: looking for records again */
};

/*
 * n bytes of the stream are missing.  With salvage, a wanted body that the
 * gap cuts and whose framing is lost is first handed over as it is, marked
 * truncated (the snaplen cut it; what came before is still good).
 */
enum td_rec_gap td_record_gap(struct td_record_reader *r, int side, uint64_t n, bool salvage,
                              const struct td_record_handler *h);

/* Bytes after what was fed that the reader will not look at. */
uint64_t td_record_skippable(const struct td_record_reader *r);

/* The peer speaks TLS (the other direction showed it): a plausible header
 * at the start of this direction needs no confirmation. */
static inline void td_record_trust_start(struct td_record_reader *r) { r->trust_start = true; }

/* Bodies of this content type are skipped by length from now on. */
static inline void td_record_skip_bodies(struct td_record_reader *r, uint8_t content_type)
{
    if (content_type >= TD_CT_CHANGE_CIPHER_SPEC && content_type <= TD_CT_HEARTBEAT)
        r->want_mask &= ~(1u << (content_type - TD_CT_CHANGE_CIPHER_SPEC));
}

/* The reader found no record in its detection budget and stopped looking. */
static inline bool td_record_gave_up(const struct td_record_reader *r) { return r->state == TD_REC_DEAD; }

/* A wanted record body being read: which record, and how far (end-of-stream reports). */
struct td_record_progress {
    uint64_t index;
    uint8_t type;
    size_t seen, length;
    size_t buffered;       /* bytes held (0 while they are still to come in one piece) */
};
static inline bool td_record_progress(const struct td_record_reader *r, struct td_record_progress *p)
{
    if (r->state != TD_REC_BODY || !r->want_body)
        return false;
    p->index = r->records;
    p->type = r->type;
    p->length = r->length;
    p->seen = r->length - r->left;
    p->buffered = r->body.len;
    return true;
}

/* The stream ended: hand over what there is of the record being read (truncated). */
static inline size_t td_record_missing(const struct td_record_reader *r)
{
    return r->state == TD_REC_BODY ? r->left : 0;
}

/* No record has been found in this direction (still looking, or gave up). */
static inline bool td_record_nothing_found(const struct td_record_reader *r)
{
    return r->records == 0 && !r->held && r->state != TD_REC_HEADER && r->state != TD_REC_BODY;
}

/* Whether a record is partly read (for end-of-stream reports). */
static inline bool td_record_in_progress(const struct td_record_reader *r)
{
    return (r->state == TD_REC_HEADER && r->hdr_have > 0) || r->state == TD_REC_BODY;
}

#endif
