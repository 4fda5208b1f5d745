/*
 * reassembly.h — DTLS handshake fragments into whole messages (RFC 6347
 * §4.2.2-4.2.3, RFC 9147 §5.2, §5.5), one direction.  Private to src/dtls.
 *
 * Messages are delivered in message_seq order, each once, in TLS form (the
 * 4-byte TLS handshake header, then the body), so that the TLS parsers
 * read them as they read messages from TCP.  Fragments of messages already
 * delivered (a retransmitted flight) are counted and dropped; messages
 * ahead of the next expected one wait in TD_DTLS_SLOTS slots.  Bytes
 * received twice are compared with the first copy, which wins.
 */
#ifndef TLSDISSECT_DTLS_REASSEMBLY_H
#define TLSDISSECT_DTLS_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"

#define TD_DTLS_HS_HEADER 12       /* msg_type, length, message_seq, fragment_offset, fragment_length */
#define TD_DTLS_SLOTS 8            /* messages held ahead of the next one expected */
#define TD_DTLS_MAX_FRAGMENTS 1024 /* fragments read per message; more are a flood, dropped */

/* What a delivered message came in. */
struct td_dtls_msg_info {
    uint16_t message_seq;
    uint16_t epoch;          /* of the record of its first fragment */
    uint16_t record_version; /* of the record of its first fragment */
    unsigned fragments;      /* fragments that brought bytes not received before */
};

typedef void (*td_dtls_deliver_fn)(void *ctx, const uint8_t *msg, size_t n,
                                   const struct td_dtls_msg_info *info);

struct td_dtls_slot {
    bool used;
    bool skip;               /* over-long or not held: passed over when its turn comes */
    bool flood_reported;
    uint8_t type;
    uint32_t seq;
    size_t length;
    uint8_t *msg;            /* TLS form: 4 + length bytes */
    uint8_t *have;           /* one bit per body byte received */
    size_t received;         /* distinct body bytes received */
    bool any;                /* a fragment arrived (a zero-length message is then whole) */
    unsigned pieces;         /* fragments read, copies included (the flood limit) */
    size_t charged;          /* bytes charged to the budget */
    struct td_dtls_msg_info info;
};

/* What one record's fragments met, for the caller's anomaly reports. */
struct td_dtls_frag_notes {
    uint64_t retransmitted;     /* fragments of messages already delivered */
    uint64_t conflicts;         /* resent bytes that differ from the first copy */
    uint64_t inconsistent;      /* fragments whose type or length differ from the message's */
    uint64_t past_length;       /* fragments whose offset + length pass the message length */
    uint64_t too_far_ahead;     /* fragments of messages more than TD_DTLS_SLOTS ahead */
    uint64_t flood;             /* messages that passed TD_DTLS_MAX_FRAGMENTS fragments */
    uint64_t no_room;           /* fragments dropped: budget or memory */
    bool too_long;              /* a message over the limit (the first such) */
    uint8_t too_long_type;
    size_t too_long_length;
    bool malformed;             /* a fragment header cut or longer than its record */
    char detail[96];
};

struct td_dtls_reassembly {
    uint32_t next_seq;                 /* message_seq of the next message to deliver */
    bool started;                      /* a fragment was seen */
    struct td_dtls_slot slot[TD_DTLS_SLOTS];
    size_t max_message;
    struct td_mem_budget *budget;      /* NULL: none */
};

void td_dtls_reasm_init(struct td_dtls_reassembly *r, size_t max_message, struct td_mem_budget *budget);
void td_dtls_reasm_release(struct td_dtls_reassembly *r);

/* One handshake record's body (its captured bytes): its fragments. */
void td_dtls_reasm_record(struct td_dtls_reassembly *r, const uint8_t *body, size_t len,
                          uint16_t epoch, uint16_t record_version, td_dtls_deliver_fn deliver,
                          void *ctx, struct td_dtls_frag_notes *notes);

/*
 * The end: whole messages still waiting behind missing ones are delivered,
 * the missing ones passed over.  Returns how many message_seq numbers were
 * passed over.
 */
unsigned td_dtls_reasm_flush(struct td_dtls_reassembly *r, td_dtls_deliver_fn deliver, void *ctx);

/* Messages begun but not delivered: their count, the first missing message_seq. */
unsigned td_dtls_reasm_waiting(const struct td_dtls_reassembly *r, uint32_t *next_seq);

#endif
