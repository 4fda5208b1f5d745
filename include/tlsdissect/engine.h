/*
 * engine.h — the pipeline from captured frames to events:
 *
 *   frame ─► link ─► ip (+ fragment reassembly) ─► tcp ─► flow table
 *         ─► stream reassembly ─► TLS session ─► connection model ─► sink
 *
 * The engine owns every stage's state for one run (several capture files
 * read in a row are one run).  Nothing here prints; events go to the sink.
 */
#ifndef TLSDISSECT_ENGINE_H
#define TLSDISSECT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/clock.h"
#include "tlsdissect/format.h"
#include "tlsdissect/ipfrag.h"
#include "tlsdissect/keyed_hash.h"
#include "tlsdissect/keylog.h"
#include "tlsdissect/model.h"
#include "tlsdissect/session.h"

/*
 * Who wants each packet with the connection it belongs to (-w): told after
 * the packet was dissected (conn 0: no connection: not IP, not TCP or QUIC,
 * a fragment still waiting for the rest), and when a connection's flow is
 * gone, so its number is not seen again.
 */
struct td_packet_observer {
    void (*packet)(void *ctx, uint64_t conn, int dlt, td_time_us ts, const uint8_t *frame,
                   size_t caplen, size_t wire_len);
    void (*released)(void *ctx, uint64_t conn);
    void *ctx;
};

struct td_engine_config {
    struct td_tls_config tls;
    size_t max_flows;                 /* connections tracked at once */
    td_time_us idle_timeout_us;       /* an open connection idle this long ends */
    td_time_us closed_linger_us;      /* a closed connection absorbs stray packets this long */
    size_t reassembly_bytes;          /* out-of-order bytes held across all connections */
    size_t reassembly_bytes_per_direction;
    size_t comparison_window_bytes;   /* handshake bytes kept to compare re-sends, in total */
    size_t tls_buffer_bytes;          /* records and handshake messages held across segments, in total */
    size_t certificate_cache_slots;
    struct td_validator *validator;   /* the caller's; NULL: no certificate validation */
    struct td_keylog *keylog;         /* the caller's; NULL: no key log given, nothing decrypted */
    struct td_ipfrag_limits fragments;
    struct td_clock_limits clock;     /* when a packet's timestamp is an outlier */
    /*
     * The secret key of every table keyed by wire data (keyed_hash.h).  The
     * defaults leave it zero: a run sets it from td_hash_key_random(), and
     * gives the same key to its validator.
     */
    struct td_hash_key hash_key;
    struct td_packet_observer observer; /* packet NULL: none */
};

/* The defaults documented in docs/cli.md (hash_key zero: see above). */
void td_engine_config_defaults(struct td_engine_config *cfg);

struct td_engine;

struct td_engine *td_engine_new(const struct td_engine_config *cfg, struct td_sink *sink);
void td_engine_free(struct td_engine *e);

/* One captured frame of link type dlt; wire_len is its length on the wire. */
void td_engine_packet(struct td_engine *e, int dlt, td_time_us ts, const uint8_t *frame,
                      size_t caplen, size_t wire_len);

/*
 * Time passes without packets (live capture): expire idle connections.
 * monotonic_us is CLOCK_MONOTONIC (any origin), so that a step of the
 * system clock neither expires everything nor stops expiry.
 */
void td_engine_tick(struct td_engine *e, td_time_us monotonic_us);

/* End of input: end every connection (in connection order) and emit stats. */
void td_engine_finish(struct td_engine *e);

/* The run's counters (live mode fills in the kernel figures before finish). */
struct td_stats *td_engine_stats(struct td_engine *e);

#endif
