/*
 * stream.h — TCP stream reassembly for one direction (RFC 9293 §3.4, §3.10.7).
 *
 * In-order bytes are handed to the consumer as views into the packet, with no
 * copy.  Segments ahead of the next expected sequence number are copied into
 * an out-of-order queue (capped per direction and in total) until the hole
 * before them fills.  Retransmissions and overlaps keep the first copy of
 * every byte; a later copy that differs is counted as a conflict.
 *
 * A hole that can never fill becomes a gap the consumer is told about:
 * when the peer acknowledges bytes that were never captured, when the queue
 * hits its cap, when a snaplen cut a segment short, and at the end.
 *
 * The consumer may say how many upcoming bytes it does not need (TLS
 * application data); out-of-order bytes wholly inside that range are then
 * remembered as covered without being copied.
 */
#ifndef TLSDISSECT_STREAM_H
#define TLSDISSECT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/format.h"

enum td_gap_reason {
    TD_GAP_LOST,        /* bytes that were never captured */
    TD_GAP_TRUNCATED,   /* bytes cut off by the snaplen */
    TD_GAP_BUFFER_FULL, /* bytes given up because the queue was full */
    TD_GAP_SKIPPED,     /* bytes the consumer said it did not need */
};

/* Bytes of already handed-over data kept per direction to compare re-sends. */
#define TD_STREAM_WINDOW_BYTES (16 * 1024)

/*
 * An ACK for bytes not seen yet does not make them lost at once: merged or
 * multi-queue captures stamp an ACK before the data it acknowledges, and a
 * forged ACK must not hide data.  The hole is given up once this many
 * segments of its own direction came from beyond it (the sender moved on),
 * when the queue caps need the room, or at the end.
 */
#define TD_STREAM_HOLE_PATIENCE 4

/* "Nothing more is needed from this direction." */
#define TD_STREAM_SKIP_ALL UINT64_MAX

/*
 * The consumer of one connection's two directions.  Both callbacks return
 * how many bytes after the ones just handed over the consumer does not
 * need (0 when it needs everything).
 */
/* The packet bytes came in: its number (as Wireshark's frame.number) and time. */
struct td_stream_stamp {
    uint64_t frame;
    td_time_us ts;
};

/*
 * data: bytes in order, with the stamp of the packet that carried them (a
 * queued segment keeps its own, so a message completed by bytes that waited
 * for a hole to fill is stamped as the packet that held its last byte).
 * stamp: the packet of the current call.
 */
struct td_stream_consumer {
    uint64_t (*data)(void *ctx, int side, const uint8_t *p, size_t n, struct td_stream_stamp at);
    uint64_t (*gap)(void *ctx, int side, uint64_t n, enum td_gap_reason why);
    void *ctx;
    struct td_stream_stamp stamp;
};

/* Bytes held in out-of-order queues across all streams, and the cap. */
struct td_stream_budget {
    size_t used;
    size_t cap;
    size_t per_direction_cap;
    size_t window_used; /* comparison windows (TD_STREAM_WINDOW_BYTES each) */
    size_t window_cap;  /* 0: no windows, re-sends of handed-over bytes go uncompared */
    uint8_t *spare[16]; /* windows no stream uses, kept for the next (not counted in used) */
    size_t nspare;
};

/* Free the spare windows (when the budget's owner goes away). */
void td_stream_budget_release(struct td_stream_budget *budget);

/* Counters of what a call saw, for the caller's anomaly reports. */
struct td_stream_notes {
    unsigned conflicts;     /* overlapping bytes that differed */
    unsigned buffer_full;   /* holes given up for the caps */
    uint64_t late_bytes;    /* bytes that arrived after they had been declared lost */
};

struct td_stream_seg;

struct td_stream {
    bool started;       /* next_seq is known */
    bool fin_seen;
    bool finished;      /* every byte up to the FIN has been handed over */
    uint32_t next_seq;  /* next byte to hand to the consumer */
    uint32_t fin_seq;   /* sequence number of the FIN */
    uint64_t offset;    /* stream offset of next_seq (bytes handed or skipped) */
    uint64_t skip_end;  /* the consumer does not need bytes before this offset */
    uint64_t bytes_seen;/* payload bytes of every segment, retransmissions included */
    struct td_stream_seg *ooo; /* sorted, disjoint, all after next_seq */
    size_t ooo_bytes;
    /* The last wanted bytes handed over, [window_start, window_start + window.len),
     * kept (capped) only while the consumer reads every byte: a re-send of them is
     * compared.  Freed when the consumer starts skipping. */
    uint8_t *window;
    size_t window_len;
    uint64_t window_start;
    /* The peer acknowledged every byte before this offset; bytes between
     * offset and here that have not come wait a few packets before they are
     * declared lost (hole_wait counts them). */
    uint64_t acked_end;
    unsigned hole_wait;
    uint64_t lost_start, lost_end; /* the last bytes declared lost */
};

/* A SYN fixes the initial sequence number. */
void td_stream_syn(struct td_stream *s, uint32_t isn);

/*
 * One segment.  data holds caplen captured bytes of the len bytes the
 * segment carried; fin marks a FIN at seq + len.
 */
void td_stream_segment(struct td_stream *s, int side, uint32_t seq, const uint8_t *data,
                       size_t caplen, size_t len, bool fin, const struct td_stream_consumer *c,
                       struct td_stream_budget *budget, struct td_stream_notes *notes);

/*
 * The peer acknowledged everything before ack.  Bytes of this direction
 * below ack that were never seen are lost to the capture, unless they come
 * within the next few packets (a capture may stamp an ACK before its data):
 * they become a gap then, or at the end.
 */
void td_stream_ack(struct td_stream *s, int side, uint32_t ack, const struct td_stream_consumer *c,
                   struct td_stream_budget *budget);

/* Hand over everything queued, with gaps for the holes (end of connection). */
void td_stream_flush(struct td_stream *s, int side, const struct td_stream_consumer *c,
                     struct td_stream_budget *budget);

/* Release queued segments (does not deliver them). */
void td_stream_release(struct td_stream *s, struct td_stream_budget *budget);

#endif
