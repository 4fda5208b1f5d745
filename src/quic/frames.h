/*
 * frames.h — the frames of a decrypted QUIC Initial packet (RFC 9000 §12.4,
 * §19): PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE are read; the other
 * frame types of RFC 9000 are counted and skipped by their encoding; an
 * unknown type stops the packet (its length cannot be known).
 */
#ifndef TLSDISSECT_QUIC_FRAMES_H
#define TLSDISSECT_QUIC_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_quic_close {
    bool application;    /* type 0x1d: an application's error code */
    uint64_t error;      /* transport error code (RFC 9000 §20.1) or application code */
    uint64_t frame_type; /* the frame that caused it (0x1c only) */
    size_t reason_len;   /* bytes of the reason phrase (not kept) */
};

/* Views passed to the handler live only during the call. */
struct td_quic_frame_handler {
    void (*crypto)(void *ctx, uint64_t offset, const uint8_t *data, size_t len);
    void (*close)(void *ctx, const struct td_quic_close *c);
    void *ctx;
};

struct td_quic_frames_result {
    unsigned padding, ping, ack, crypto, close, other;
    bool malformed;      /* a frame did not fit, or an unknown type stopped the packet */
    char detail[120];    /* what stopped the packet, when malformed */
};

/* Walk the frames of a packet payload; the handler sees CRYPTO and CONNECTION_CLOSE frames. */
void td_quic_frames(const uint8_t *payload, size_t len, const struct td_quic_frame_handler *h,
                    struct td_quic_frames_result *r);

#endif
