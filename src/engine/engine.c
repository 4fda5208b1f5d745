/*
 * engine.c — wiring the stages for one run, and TCP connection lifecycle
 * (RFC 9293 §3.5-3.6: SYN, FIN, RST; connection reuse of a 4-tuple after
 * close, §3.6.1 / TIME-WAIT reuse).
 *
 * Per packet nothing is allocated: frames are viewed in libpcap's buffer,
 * connections are found by hash, in-order payload goes to the TLS session
 * as a view.  (QUIC Initial packets are the exception: each is copied to be
 * decrypted in place, and the copy freed with the packet.)  Memory is spent only on connections (capped in number), on
 * out-of-order bytes (capped per direction and in total) and on records or
 * handshake messages that span segments (capped by the TLS layer).
 *
 * UDP (RFC 768): datagrams of flows found to carry QUIC (a client's
 * Initial of a known version, by content, on any port) go to a QUIC
 * connection (quic.h), those found to carry DTLS (a record in clear,
 * RFC 6347 §4.1, by content) to a DTLS connection (dtls.h); other UDP is
 * not tracked.  UDP flows live in a
 * table of their own, capped and aged like the TCP one.
 *
 * Time: every event carries the timestamp of the packet that caused it;
 * flows, closed connections and IP fragments age on the clock of clock.h,
 * which one badly stamped packet cannot move.
 */
#include "tlsdissect/engine.h"

#include <assert.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/certificate.h"
#include "tlsdissect/clock.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/flow.h"
#include "tlsdissect/ip.h"
#include "tlsdissect/link.h"
#include "tlsdissect/dtls.h"
#include "tlsdissect/quic.h"
#include "tlsdissect/resume.h"
#include "tlsdissect/stream.h"
#include "tlsdissect/tcp.h"
#include "tlsdissect/udp.h"

/* Ports where a connection without TLS is worth an anomaly (IANA service names). */
static const uint16_t tls_ports[] = {443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 8443};

struct tcp_conn {
    struct td_engine *engine;
    struct td_flow *flow;
    uint64_t number;
    struct td_endpoint ep[2]; /* by flow side */
    struct td_stream stream[2];
    td_time_us first_ts;
    td_time_us syn_ts;
    td_time_us rtt_us;         /* SYN to SYN-ACK */
    uint32_t isn[2];
    bool syn[2];               /* side sent a SYN (with or without ACK) */
    bool syn_only[2];          /* side sent a SYN without ACK: the opener */
    bool rtt_known;
    bool midstream;            /* the first packet seen was not a SYN */
    bool closed;
    bool ignored;              /* no TLS will be found: payload is not looked at */
    uint64_t payload_bytes;
    struct td_conn *conn;      /* model: created with the TLS session */
    struct td_tls_session *tls;
};

/* A UDP flow that carries QUIC or DTLS: side 0 sent the datagram it was found by
 * (QUIC: the client's Initial; DTLS: a record in clear).  One of quic, dtls is set. */
struct udp_conn {
    uint64_t number;
    struct td_conn *conn;
    struct td_quic_conn *quic;
    struct td_dtls_conn *dtls;
};

/* A flow touched by a packet whose time the clock held: aged again if the jump is real. */
struct held_touch {
    struct td_flow_table *table; /* the TCP or the UDP flows */
    struct td_flow *flow;
    td_time_us ts;
};

struct td_engine {
    struct td_engine_config cfg;
    struct td_sink *sink;
    struct td_stats stats;
    struct td_reporter rep;
    struct td_flow_table *flows;
    struct td_flow_table *udp_flows; /* QUIC and DTLS connections */
    struct td_ipfrag *frags;
    struct td_stream_budget budget;
    struct td_mem_budget tls_buffers;
    struct td_arena arena;
    struct td_cert_cache *certs;
    struct td_resume_map *resume;
    struct td_tls_env tls_env;
    struct td_tls_env quic_env; /* tls_env for sessions fed by QUIC CRYPTO frames */
    struct td_tls_env dtls_env; /* tls_env for sessions fed by DTLS records */
    struct td_digests digests;
    uint64_t next_conn;
    struct td_clock *clock; /* expiry time: resists outlying packet timestamps */
    enum td_clock_verdict clock_verdict; /* of the packet being handled */
    struct held_touch held[TD_CLOCK_MAX_CONFIRM]; /* flows touched while the clock waits */
    size_t nheld;
    td_time_us event_ts;    /* time stamped on the events the current call causes */
    td_time_us last_sweep;  /* expiry reading of the last sweep */
    uint64_t packet_conn;   /* the connection of the packet being handled, 0: none */
    bool finished;
};

void td_engine_config_defaults(struct td_engine_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tls.max_handshake_message = 1 << 20;
    cfg->tls.detect_budget = 64 * 1024;
    cfg->max_flows = 262144;
    cfg->idle_timeout_us = 300 * 1000000LL;
    cfg->closed_linger_us = 30 * 1000000LL;
    cfg->reassembly_bytes = 256u << 20;
    cfg->reassembly_bytes_per_direction = 4u << 20;
    cfg->comparison_window_bytes = 64u << 20;
    cfg->tls_buffer_bytes = 256u << 20;
    cfg->certificate_cache_slots = 1024;
    cfg->fragments.max_datagrams = 4096;
    cfg->fragments.max_bytes = 32u << 20;
    cfg->fragments.timeout_us = 30 * 1000000LL;
    td_clock_limits_defaults(&cfg->clock);
}

static void touch_flow(struct td_engine *e, struct td_flow_table *table, struct td_flow *f,
                       enum td_flow_list list);
static void forget_held(struct td_engine *e, const struct td_flow *f);
static uint64_t on_stream_data(void *ctx, int side, const uint8_t *p, size_t n,
                               struct td_stream_stamp at);
static uint64_t on_stream_gap(void *ctx, int side, uint64_t n, enum td_gap_reason why);
static struct td_stream_consumer consumer_of(struct tcp_conn *c);

struct td_engine *td_engine_new(const struct td_engine_config *cfg, struct td_sink *sink)
{
    struct td_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->cfg = *cfg;
    e->sink = sink;
    e->rep.sink = sink;
    e->rep.stats = &e->stats;
    e->rep.digests = &e->digests;
    e->tls_env.digests = &e->digests;
    e->flows = td_flow_table_new(&cfg->hash_key);
    e->udp_flows = td_flow_table_new(&cfg->hash_key);
    e->frags = td_ipfrag_new(&cfg->fragments, &cfg->hash_key);
    e->certs = td_cert_cache_new(cfg->certificate_cache_slots, &cfg->hash_key);
    e->resume = td_resume_map_new(65536, &cfg->hash_key);
    e->clock = td_clock_new(&cfg->clock);
    e->budget.cap = cfg->reassembly_bytes;
    e->budget.per_direction_cap = cfg->reassembly_bytes_per_direction;
    e->budget.window_cap = cfg->comparison_window_bytes;
    e->tls_env.cfg = &e->cfg.tls;
    e->tls_env.arena = &e->arena;
    e->tls_env.certs = e->certs;
    e->tls_env.resume = e->resume;
    e->tls_env.validator = cfg->validator;
    e->tls_env.keylog = cfg->keylog;
    /* one record's plaintext at a time: the sessions share it */
    e->tls_env.plaintext = cfg->keylog ? malloc(TD_TLS_PLAINTEXT_SCRATCH) : NULL;
    e->tls_buffers.cap = cfg->tls_buffer_bytes;
    e->tls_env.buffers = &e->tls_buffers;
    e->quic_env = e->tls_env;
    e->quic_env.quic = true;
    /* the key log gives QUIC its Handshake packet keys (quic/connection.c, RFC 9001 §5.1) */
    e->dtls_env = e->tls_env;
    e->dtls_env.dtls = true;
    if (e->flows == NULL || e->udp_flows == NULL || e->frags == NULL || e->certs == NULL ||
        e->resume == NULL || e->clock == NULL || !td_digests_init(&e->digests) ||
        (cfg->keylog && e->tls_env.plaintext == NULL)) {
        td_engine_free(e);
        return NULL;
    }
    return e;
}

struct td_stats *td_engine_stats(struct td_engine *e) { return &e->stats; }

/* ---- connection lifecycle ---------------------------------------------- */

static bool on_tls_port(const struct tcp_conn *c)
{
    for (size_t i = 0; i < sizeof tls_ports / sizeof tls_ports[0]; i++)
        if (c->ep[0].port == tls_ports[i] || c->ep[1].port == tls_ports[i])
            return true;
    return false;
}

/* The flow side that opened the connection, or a guess from the ports. */
static int client_side_guess(const struct tcp_conn *c)
{
    if (c->syn_only[0] || c->syn_only[1])
        return c->syn_only[0] ? 0 : 1;
    if (c->syn[0] != c->syn[1])
        return c->syn[0] ? 1 : 0; /* only a SYN-ACK seen: its sender is the server */
    /* no SYN seen: the side on the lower (well-known, registered) port serves */
    if (c->ep[0].port != c->ep[1].port)
        return c->ep[0].port < c->ep[1].port ? 1 : 0;
    return 0;
}

static struct td_conn *model_of(struct tcp_conn *c)
{
    if (c->conn == NULL) {
        int client = client_side_guess(c);
        const struct td_flow_key *k = &c->flow->key;
        c->conn = calloc(1, sizeof *c->conn);
        if (c->conn == NULL)
            return NULL;
        td_conn_init(c->conn, &c->engine->rep, c->number, &c->ep[client], &c->ep[1 - client],
                     k->vlan, k->nvlan, c->first_ts);
    }
    return c->conn;
}

/* End a connection: flush reassembly, close the TLS session, emit its summary. */
static void end_connection(struct td_engine *e, struct tcp_conn *c)
{
    if (c->closed)
        return;
    c->closed = true;
    if (c->tls && !c->ignored) {
        struct td_stream_consumer cons = consumer_of(c);
        for (int side = 0; side < 2; side++)
            td_stream_flush(&c->stream[side], side, &cons, &e->budget);
        td_tls_end(c->tls, e->event_ts);
    }
    for (int side = 0; side < 2; side++)
        td_stream_release(&c->stream[side], &e->budget);
    if (c->conn && !(c->tls && td_tls_detected(c->tls)) && c->payload_bytes > 0 && on_tls_port(c))
        td_conn_anomaly(c->conn, TD_ANOM_NOT_TLS, e->event_ts,
                        "%llu payload bytes on a TLS port and no TLS record in them",
                        (unsigned long long)c->payload_bytes);
    if (c->conn && (c->conn->sum.tls_seen || c->conn->sum.anomalies > 0)) {
        struct td_conn_summary *sum = &c->conn->sum;
        sum->has_rtt = c->rtt_known;
        sum->tcp_rtt_us = c->rtt_us;
        td_conn_finish(c->conn, e->event_ts);
    }
    td_tls_free(c->tls);
    c->tls = NULL;
    if (c->conn) {
        td_conn_release(c->conn);
        free(c->conn);
        c->conn = NULL;
    }
    td_flow_touch(e->flows, c->flow, TD_FLOW_CLOSED, td_clock_expiry_now(e->clock));
}

static void released(struct td_engine *e, uint64_t conn)
{
    if (e->cfg.observer.released)
        e->cfg.observer.released(e->cfg.observer.ctx, conn);
}

static void drop_flow(struct td_engine *e, struct td_flow *f)
{
    struct tcp_conn *c = f->user;
    if (c) {
        end_connection(e, c);
        released(e, c->number);
        free(c);
    }
    forget_held(e, f);
    td_flow_remove(e->flows, f);
}

/* ---- UDP: QUIC connections ---------------------------------------------- */

static void end_udp(struct td_engine *e, struct udp_conn *u)
{
    if (u->quic)
        td_quic_end(u->quic, e->event_ts);
    else
        td_dtls_end(u->dtls, e->event_ts);
    if (u->conn->sum.tls_seen || u->conn->sum.anomalies > 0)
        td_conn_finish(u->conn, e->event_ts);
}

static void free_udp(struct udp_conn *u)
{
    td_quic_free(u->quic);
    td_dtls_free(u->dtls);
    td_conn_release(u->conn);
    free(u->conn);
    free(u);
}

static void drop_udp_flow(struct td_engine *e, struct td_flow *f)
{
    struct udp_conn *u = f->user;
    end_udp(e, u);
    released(e, u->number);
    free_udp(u);
    forget_held(e, f);
    td_flow_remove(e->udp_flows, f);
}

static void evict_udp(struct td_engine *e)
{
    struct td_flow *f = td_flow_oldest(e->udp_flows, TD_FLOW_ACTIVE);
    struct udp_conn *u;
    if (f == NULL)
        return;
    u = f->user;
    e->stats.evicted_flows++;
    td_conn_anomaly(u->conn, TD_ANOM_FLOW_EVICTED, e->event_ts,
                    "%s connection table full (%zu connections): ended early",
                    u->quic ? "QUIC" : "DTLS", e->cfg.max_flows);
    drop_udp_flow(e, f);
}

/* What a new UDP flow was found to carry. */
struct udp_found {
    bool quic; /* else DTLS */
    uint32_t version;
    uint8_t dcid[TD_QUIC_MAX_CID];
    size_t dcid_len;
};

/* A QUIC or DTLS connection's state and its flow (returned), or NULL without memory. */
static struct td_flow *new_udp(struct td_engine *e, const struct td_flow_key *key,
                               uint8_t src_index, td_time_us ts, const struct udp_found *found)
{
    struct udp_conn *u;
    struct td_endpoint ep[2];
    struct td_flow *f;

    while (td_flow_count(e->udp_flows) >= e->cfg.max_flows && td_flow_count(e->udp_flows) > 0)
        evict_udp(e);
    u = calloc(1, sizeof *u);
    if (u == NULL || (u->conn = calloc(1, sizeof *u->conn)) == NULL) {
        free(u);
        return NULL;
    }
    for (int side = 0; side < 2; side++) {
        uint8_t k = side == 0 ? src_index : (uint8_t)(1 - src_index);
        ep[side].family = key->family;
        memcpy(ep[side].addr, key->addr[k], 16);
        ep[side].port = key->port[k];
    }
    u->number = e->next_conn + 1;
    td_conn_init(u->conn, &e->rep, u->number, &ep[0], &ep[1], key->vlan, key->nvlan, ts);
    if (found->quic)
        u->quic = td_quic_new(&e->quic_env, u->conn, found->version, found->dcid, found->dcid_len);
    else
        u->dtls = td_dtls_new(&e->dtls_env, u->conn);
    f = u->quic || u->dtls ? td_flow_add(e->udp_flows, key, src_index, td_clock_expiry_now(e->clock))
                           : NULL;
    if (f == NULL) {
        free_udp(u);
        return NULL;
    }
    f->user = u;
    e->next_conn++;
    e->stats.connections++;
    return f;
}

static void udp_datagram(struct td_engine *e, const struct td_ip *ip, const struct td_udp_dgram *d,
                         const uint16_t *vlan, uint8_t nvlan, td_time_us ts)
{
    struct td_flow_key key;
    uint8_t src_index;
    struct td_flow *f;
    struct udp_conn *u;

    td_flow_key_make(ip->family, ip->src, d->sport, ip->dst, d->dport, vlan, nvlan, &key,
                     &src_index);
    f = td_flow_find(e->udp_flows, &key);
    if (f == NULL) {
        struct udp_found found = {0};
        found.quic = td_quic_detect(d->payload, d->payload_caplen, d->payload_len, &found.version,
                                    found.dcid, &found.dcid_len);
        if (!found.quic && !td_dtls_detect(d->payload, d->payload_caplen, d->payload_len)) {
            /* neither QUIC nor DTLS (or not their start): not tracked, but counted, so
             * that nothing disappears silently */
            e->stats.udp_packets_ignored++;
            e->stats.udp_bytes_ignored += d->payload_len;
            return;
        }
        f = new_udp(e, &key, src_index, ts, &found);
        if (f == NULL) {
            td_report_anomaly(&e->rep, TD_ANOM_OUT_OF_MEMORY, ts, "no memory for a %s connection",
                              found.quic ? "QUIC" : "DTLS");
            return;
        }
    }
    u = f->user;
    e->packet_conn = u->number;
    touch_flow(e, e->udp_flows, f, TD_FLOW_ACTIVE);
    if (d->payload_caplen < d->payload_len)
        td_conn_anomaly(u->conn, TD_ANOM_TRUNCATED_CAPTURE, ts,
                        "%zu of %zu payload bytes of a datagram captured (snaplen)",
                        d->payload_caplen, d->payload_len);
    if (u->quic)
        td_quic_datagram(u->quic, td_flow_side(f, src_index), d->payload, d->payload_caplen,
                         d->payload_len, ts);
    else
        td_dtls_datagram(u->dtls, td_flow_side(f, src_index), d->payload, d->payload_caplen,
                         d->payload_len, ts);
}

static void evict_one(struct td_engine *e)
{
    struct td_flow *f = td_flow_oldest(e->flows, TD_FLOW_CLOSED);
    if (f == NULL) {
        struct tcp_conn *c;
        f = td_flow_oldest(e->flows, TD_FLOW_ACTIVE);
        if (f == NULL)
            return;
        c = f->user;
        e->stats.evicted_flows++;
        if (c && c->conn && c->payload_bytes)
            td_conn_anomaly(c->conn, TD_ANOM_FLOW_EVICTED, e->event_ts,
                            "connection table full (%zu connections): ended early",
                            e->cfg.max_flows);
        else
            e->stats.anomalies[TD_ANOM_FLOW_EVICTED]++;
    }
    drop_flow(e, f);
}

static void drop_udp_flow(struct td_engine *e, struct td_flow *f);

static void expire(struct td_engine *e, td_time_us now)
{
    struct td_flow *f;
    while ((f = td_flow_oldest(e->flows, TD_FLOW_CLOSED)) && now - f->last_ts > e->cfg.closed_linger_us)
        drop_flow(e, f);
    while ((f = td_flow_oldest(e->flows, TD_FLOW_ACTIVE)) && now - f->last_ts > e->cfg.idle_timeout_us)
        drop_flow(e, f);
    while ((f = td_flow_oldest(e->udp_flows, TD_FLOW_ACTIVE)) &&
           now - f->last_ts > e->cfg.idle_timeout_us)
        drop_udp_flow(e, f);
}

static struct tcp_conn *new_connection(struct td_engine *e, const struct td_flow_key *key,
                                       uint8_t src_index, td_time_us ts)
{
    struct tcp_conn *c;
    struct td_flow *f;

    while (td_flow_count(e->flows) >= e->cfg.max_flows && td_flow_count(e->flows) > 0)
        evict_one(e);
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    f = td_flow_add(e->flows, key, src_index, td_clock_expiry_now(e->clock));
    if (f == NULL) {
        free(c);
        return NULL;
    }
    f->user = c;
    c->engine = e;
    c->flow = f;
    c->number = ++e->next_conn;
    c->first_ts = ts;
    for (int side = 0; side < 2; side++) {
        uint8_t k = side == 0 ? src_index : (uint8_t)(1 - src_index);
        c->ep[side].family = key->family;
        memcpy(c->ep[side].addr, key->addr[k], 16);
        c->ep[side].port = key->port[k];
    }
    e->stats.connections++;
    return c;
}

/* ---- stream consumer: the TLS session ---------------------------------- */

static uint64_t on_stream_data(void *ctx, int side, const uint8_t *p, size_t n,
                               struct td_stream_stamp at)
{
    struct tcp_conn *c = ctx;
    struct td_engine *e = c->engine;
    uint64_t frame = e->rep.frame, hint;
    if (c->tls == NULL)
        return TD_STREAM_SKIP_ALL;
    /* what these bytes complete is stamped with the packet that carried them */
    e->rep.frame = at.frame;
    hint = td_tls_data(c->tls, side, p, n, at.ts);
    e->rep.frame = frame;
    return hint;
}

static uint64_t on_stream_gap(void *ctx, int side, uint64_t n, enum td_gap_reason why)
{
    struct tcp_conn *c = ctx;
    if (c->tls == NULL)
        return TD_STREAM_SKIP_ALL;
    return td_tls_gap(c->tls, side, n, why, c->engine->event_ts);
}

static bool start_tls(struct td_engine *e, struct tcp_conn *c)
{
    struct td_conn *m = model_of(c);
    if (m == NULL)
        return false;
    c->tls = td_tls_new(&e->tls_env, m, client_side_guess(c), c->midstream);
    return c->tls != NULL;
}

/* The TLS session found nothing in either direction: stop looking. */
static void give_up_on_tls(struct td_engine *e, struct tcp_conn *c)
{
    c->ignored = true;
    for (int side = 0; side < 2; side++)
        td_stream_release(&c->stream[side], &e->budget);
    td_tls_free(c->tls);
    c->tls = NULL;
}

static struct td_stream_consumer consumer_of(struct tcp_conn *c)
{
    struct td_stream_consumer cons = {on_stream_data, on_stream_gap, c,
                                      {c->engine->rep.frame, c->engine->event_ts}};
    return cons;
}

/* ---- packets ------------------------------------------------------------ */

static void note_stream(struct td_engine *e, struct tcp_conn *c, const struct td_stream_notes *n)
{
    if (c->conn == NULL)
        return;
    if (n->conflicts)
        td_conn_anomaly(c->conn, TD_ANOM_TCP_OVERLAP_CONFLICT, e->event_ts,
                        "retransmitted bytes differ from the first copy (first copy kept)");
    if (n->late_bytes)
        td_conn_anomaly(c->conn, TD_ANOM_TCP_LATE_DATA, e->event_ts,
                        "%llu bytes arrived after they had been reported missing; not parsed",
                        (unsigned long long)n->late_bytes);
}

static void tcp_segment(struct td_engine *e, const struct td_ip *ip, const struct td_tcp_seg *seg,
                        const uint16_t *vlan, uint8_t nvlan, td_time_us ts)
{
    struct td_flow_key key;
    uint8_t src_index;
    struct td_flow *f;
    struct tcp_conn *c;
    bool syn = seg->flags & TD_TCP_SYN, ack = seg->flags & TD_TCP_ACK;
    int side;

    td_flow_key_make(ip->family, ip->src, seg->sport, ip->dst, seg->dport, vlan, nvlan, &key,
                     &src_index);
    f = td_flow_find(e->flows, &key);
    c = f ? f->user : NULL;

    if (c && syn && !ack) {
        int s = td_flow_side(f, src_index);
        /* A new SYN on a closed connection, or with a new ISN: the 4-tuple is reused. */
        if (c->closed || (c->syn_only[s] && c->isn[s] != seg->seq &&
                          (c->payload_bytes || c->stream[0].fin_seen || c->stream[1].fin_seen))) {
            drop_flow(e, f);
            f = NULL;
            c = NULL;
        }
    }
    if (c == NULL) {
        if (seg->flags & TD_TCP_RST)
            return; /* a reset of nothing we know */
        c = new_connection(e, &key, src_index, ts);
        if (c == NULL) {
            td_report_anomaly(&e->rep, TD_ANOM_OUT_OF_MEMORY, ts, "no memory for a new connection");
            return;
        }
        f = c->flow;
        c->midstream = !syn;
    }
    e->packet_conn = c->number;
    if (c->closed) {
        touch_flow(e, e->flows, f, TD_FLOW_CLOSED);
        return; /* stray packets after the end */
    }
    touch_flow(e, e->flows, f, TD_FLOW_ACTIVE);
    side = td_flow_side(f, src_index);

    if (syn) {
        if (!c->syn[side]) {
            c->syn[side] = true;
            c->isn[side] = seg->seq;
            if (!ack) {
                c->syn_only[side] = true;
                c->syn_ts = ts;
            } else if (c->syn_only[1 - side] && !c->rtt_known && ts >= c->syn_ts) {
                c->rtt_known = true; /* (a SYN-ACK stamped before its SYN says nothing) */
                c->rtt_us = ts - c->syn_ts;
            }
        }
        td_stream_syn(&c->stream[side], seg->seq);
    }
    if (seg->payload_caplen < seg->payload_len) {
        struct td_conn *m = model_of(c);
        if (m)
            td_conn_anomaly(m, TD_ANOM_TRUNCATED_CAPTURE, ts,
                            "%zu of %zu payload bytes of a segment captured (snaplen)",
                            seg->payload_caplen, seg->payload_len);
    }
    if (seg->payload_len > 0 && !c->ignored) {
        c->payload_bytes += seg->payload_len;
        if (c->tls == NULL && !start_tls(e, c)) {
            td_report_anomaly(&e->rep, TD_ANOM_OUT_OF_MEMORY, ts, "no memory for a TLS session");
            c->ignored = true;
        }
    }
    if (c->tls && !c->ignored) {
        struct td_stream_notes notes = {0};
        struct td_stream_consumer cons = consumer_of(c);
        if (ack && !(seg->flags & TD_TCP_RST))
            td_stream_ack(&c->stream[1 - side], 1 - side, seg->ack, &cons, &e->budget);
        if (!(seg->flags & TD_TCP_RST) && !syn)
            td_stream_segment(&c->stream[side], side, seg->seq, seg->payload, seg->payload_caplen,
                              seg->payload_len, seg->flags & TD_TCP_FIN, &cons, &e->budget,
                              &notes);
        else if (syn && seg->payload_len > 0) /* TCP Fast Open: data after the SYN */
            td_stream_segment(&c->stream[side], side, seg->seq + 1, seg->payload,
                              seg->payload_caplen, seg->payload_len, seg->flags & TD_TCP_FIN,
                              &cons, &e->budget, &notes);
        note_stream(e, c, &notes);
        if (c->tls && td_tls_hopeless(c->tls))
            give_up_on_tls(e, c);
    } else if (!(seg->flags & TD_TCP_RST)) {
        /* Track FINs of connections without payload of interest. */
        if (seg->flags & TD_TCP_FIN) {
            c->stream[side].fin_seen = true;
            c->stream[side].finished = true;
        }
    }
    if ((seg->flags & TD_TCP_RST) ||
        (c->stream[0].finished && c->stream[1].finished))
        end_connection(e, c);
}

/* ---- time ---------------------------------------------------------------- */

/*
 * Packets the clock found out of step are reported once per run, then
 * counted: their own events keep their own time, only expiry ignores them.
 */
static void report_bad_timestamps(struct td_engine *e, const struct td_clock_outliers *judged)
{
    char when[TD_TIME_BUF], progress[TD_TIME_BUF];
    td_time_us off = judged->first_ts - judged->progress_ts;

    if (judged->outliers == 0)
        return;
    td_report_anomalies(&e->rep, TD_ANOM_BAD_TIMESTAMP, judged->outliers, judged->first_ts,
                        "%u packet%s stamped %s, %lld s %s the capture's time %s: not used "
                        "for expiry",
                        judged->outliers, judged->outliers == 1 ? "" : "s",
                        td_format_time(judged->first_ts, when),
                        (long long)((off < 0 ? -off : off) / 1000000),
                        off < 0 ? "behind" : "ahead of", td_format_time(judged->progress_ts, progress));
}

/*
 * While the clock holds far packets, the flows they touch age from before
 * them.  If the jump turns out real (a pause, not a glitch), they are aged
 * again from their packets' times, so that a quiet capture's connections
 * are not ended by a jump their own packets made.
 */
static void touch_flow(struct td_engine *e, struct td_flow_table *table, struct td_flow *f,
                       enum td_flow_list list)
{
    td_flow_touch(table, f, list, td_clock_expiry_now(e->clock));
    if (e->clock_verdict != TD_CLOCK_HELD)
        return;
    /* kept in order of last touch, the order the age lists must get them back in */
    forget_held(e, f);
    if (e->nheld < TD_CLOCK_MAX_CONFIRM) /* one flow per held packet: never full */
        e->held[e->nheld++] = (struct held_touch){table, f, e->event_ts};
}

static void forget_held(struct td_engine *e, const struct td_flow *f)
{
    for (size_t i = 0; i < e->nheld; i++)
        if (e->held[i].flow == f) {
            memmove(&e->held[i], &e->held[i + 1], (e->nheld - i - 1) * sizeof e->held[0]);
            e->nheld--;
            return;
        }
}

static void packet_time(struct td_engine *e, td_time_us ts)
{
    struct td_clock_outliers judged;

    e->clock_verdict = td_clock_packet(e->clock, ts, &judged);
    if (judged.outliers)
        e->nheld = 0; /* glitches: what they touched stays aged from before them */
    report_bad_timestamps(e, &judged);
    if (e->clock_verdict == TD_CLOCK_JUMPED) {
        for (size_t i = 0; i < e->nheld; i++)
            td_flow_touch(e->held[i].table, e->held[i].flow, (enum td_flow_list)e->held[i].flow->list,
                          td_clock_expiry_at(e->clock, e->held[i].ts));
        e->nheld = 0;
    }
}

/* Expiry on the clock's reading, at most once per second of it. */
static void sweep(struct td_engine *e)
{
    td_time_us now = td_clock_expiry_now(e->clock);
    struct td_frag_notes notes = {0};

    if (now - e->last_sweep < 1000000)
        return;
    e->last_sweep = now;
    e->event_ts = td_clock_capture_now(e->clock); /* what expires has no packet of its own */
    expire(e, now);
    td_ipfrag_expire(e->frags, now, &notes);
    if (notes.expired)
        td_report_anomalies(&e->rep, TD_ANOM_IP_FRAGMENT_DROPPED, notes.expired, e->event_ts,
                            "%u fragmented datagrams never completed", notes.expired);
}

/* End of input: the last judgement of timestamps, and the time of the final events. */
static void input_ended(struct td_engine *e)
{
    struct td_clock_outliers judged;
    td_clock_finish(e->clock, &judged);
    report_bad_timestamps(e, &judged);
    e->event_ts = td_clock_capture_now(e->clock);
}

static uint32_t vlan_scope(const uint16_t *vlan, uint8_t n)
{
    uint32_t h = n;
    for (uint8_t i = 0; i < n; i++)
        h = h * 4099u + vlan[i];
    return h;
}

static void dissect(struct td_engine *e, int dlt, td_time_us ts, const uint8_t *frame,
                    size_t caplen, size_t wire_len);

void td_engine_packet(struct td_engine *e, int dlt, td_time_us ts, const uint8_t *frame,
                      size_t caplen, size_t wire_len)
{
    e->packet_conn = 0;
    e->rep.frame = e->stats.packets + 1; /* (dissect counts it) */
    dissect(e, dlt, ts, frame, caplen, wire_len);
    if (e->cfg.observer.packet)
        e->cfg.observer.packet(e->cfg.observer.ctx, e->packet_conn, dlt, ts, frame, caplen, wire_len);
}

static void dissect(struct td_engine *e, int dlt, td_time_us ts, const uint8_t *frame,
                    size_t caplen, size_t wire_len)
{
    struct td_link_frame link;
    struct td_ip ip, whole;
    struct td_tcp_seg seg;
    enum td_ip_status st;

    e->stats.packets++;
    e->stats.bytes += wire_len;
    packet_time(e, ts);
    sweep(e);
    e->event_ts = ts;
    if (td_link_decode(dlt, frame, caplen, &link) != 0) {
        td_report_anomaly(&e->rep, caplen < wire_len ? TD_ANOM_TRUNCATED_CAPTURE
                                                     : TD_ANOM_LINK_MALFORMED,
                          ts, "frame of %zu bytes too short for its link header", caplen);
        return;
    }
    if (link.ip_version == 0)
        return;
    st = td_ip_decode(link.ip_version, link.l3, link.l3_caplen, &ip);
    if (st != TD_IP_OK) {
        td_report_anomaly(&e->rep,
                          st == TD_IP_TRUNCATED && caplen < wire_len ? TD_ANOM_TRUNCATED_CAPTURE
                                                                     : TD_ANOM_IP_MALFORMED,
                          ts, "IPv%d header %s", link.ip_version,
                          st == TD_IP_TRUNCATED ? "cut short" : "malformed");
        return;
    }
    if (ip.is_fragment) {
        struct td_frag_notes notes = {0};
        enum td_frag_result r = td_ipfrag_push(e->frags, &ip, vlan_scope(link.vlan, link.nvlan),
                                               td_clock_expiry_now(e->clock), &whole, &notes);
        if (notes.overlap_conflicts)
            td_report_anomalies(&e->rep, TD_ANOM_IP_FRAGMENT_OVERLAP, notes.overlap_conflicts, ts,
                              "overlapping IPv%d fragments with different bytes (first copy kept)",
                              ip.family);
        if (notes.expired || notes.evicted || notes.malformed || notes.truncated)
            td_report_anomalies(&e->rep, TD_ANOM_IP_FRAGMENT_DROPPED,
                                notes.expired + notes.evicted + notes.malformed + notes.truncated, ts,
                              "IPv%d fragments dropped: %u expired, %u over the caps, %u "
                              "inconsistent, %u cut by the snaplen",
                              ip.family, notes.expired, notes.evicted, notes.malformed,
                              notes.truncated);
        if (r != TD_FRAG_COMPLETE)
            return;
        ip = whole;
    }
    if (ip.proto == 17) {
        struct td_udp_dgram d;
        if (td_udp_decode(ip.payload, ip.payload_caplen, ip.payload_len, &d) == 0) {
            udp_datagram(e, &ip, &d, link.vlan, link.nvlan, ts);
        } else {
            e->stats.udp_packets_ignored++;
            e->stats.udp_bytes_ignored += ip.payload_len;
        }
        return; /* a bad UDP header is not ours to judge: UDP is tracked only for QUIC, DTLS */
    }
    if (ip.proto != 6)
        return;
    if (td_tcp_decode(ip.payload, ip.payload_caplen, ip.payload_len, &seg) != 0) {
        td_report_anomaly(&e->rep,
                          ip.payload_caplen < ip.payload_len ? TD_ANOM_TRUNCATED_CAPTURE
                                                             : TD_ANOM_TCP_MALFORMED,
                          ts, "TCP header %s", ip.payload_caplen < ip.payload_len
                                                   ? "cut short by the snaplen"
                                                   : "malformed");
        return;
    }
    tcp_segment(e, &ip, &seg, link.vlan, link.nvlan, ts);
}

void td_engine_tick(struct td_engine *e, td_time_us monotonic_us)
{
    td_clock_tick(e->clock, monotonic_us);
    sweep(e);
}

/* A connection still open at the end of input, TCP or QUIC. */
struct open_conn {
    uint64_t number;
    struct tcp_conn *tcp;
    struct td_flow *udp;
};

static int by_number(const void *a, const void *b)
{
    const struct open_conn *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

void td_engine_finish(struct td_engine *e)
{
    size_t n = td_flow_count(e->flows) + td_flow_count(e->udp_flows), k = 0;
    struct open_conn *all;
    struct td_event ev = {.type = TD_EV_STATS, .u.stats = &e->stats};

    if (e->finished)
        return;
    e->finished = true;
    input_ended(e);
    all = calloc(n ? n : 1, sizeof *all);
    if (all) {
        for (int list = 0; list < TD_FLOW_LISTS; list++)
            for (struct td_flow *f = td_flow_oldest(e->flows, (enum td_flow_list)list); f;
                 f = f->newer) {
                struct tcp_conn *c = f->user;
                all[k++] = (struct open_conn){c->number, c, NULL};
            }
        for (struct td_flow *f = td_flow_oldest(e->udp_flows, TD_FLOW_ACTIVE); f; f = f->newer)
            all[k++] = (struct open_conn){((struct udp_conn *)f->user)->number, NULL, f};
        qsort(all, k, sizeof *all, by_number);
        for (size_t i = 0; i < k; i++) {
            if (all[i].tcp)
                end_connection(e, all[i].tcp);
            else
                drop_udp_flow(e, all[i].udp);
        }
        free(all);
    }
    if (td_ipfrag_pending(e->frags))
        td_report_anomalies(&e->rep, TD_ANOM_IP_FRAGMENT_DROPPED, td_ipfrag_pending(e->frags),
                            e->event_ts, "%zu fragmented datagrams incomplete at the end of input",
                            td_ipfrag_pending(e->frags));
    ev.ts = e->event_ts;
    td_sink_emit(e->sink, &ev);
}

void td_engine_free(struct td_engine *e)
{
    if (e == NULL)
        return;
    if (e->flows) {
        struct td_flow *f;
        for (int list = 0; list < TD_FLOW_LISTS; list++)
            while ((f = td_flow_oldest(e->flows, (enum td_flow_list)list))) {
                struct tcp_conn *c = f->user;
                if (c) {
                    for (int side = 0; side < 2; side++)
                        td_stream_release(&c->stream[side], &e->budget);
                    td_tls_free(c->tls);
                    if (c->conn) {
                        td_conn_release(c->conn);
                        free(c->conn);
                    }
                    free(c);
                }
                td_flow_remove(e->flows, f);
            }
    }
    if (e->udp_flows) {
        struct td_flow *f;
        while ((f = td_flow_oldest(e->udp_flows, TD_FLOW_ACTIVE))) {
            free_udp(f->user);
            td_flow_remove(e->udp_flows, f);
        }
    }
    assert(e->tls_buffers.used == 0); /* every TLS buffer gave its storage back */
    td_stream_budget_release(&e->budget);
    td_flow_table_free(e->flows);
    td_flow_table_free(e->udp_flows);
    td_ipfrag_free(e->frags);
    td_cert_cache_free(e->certs);
    td_resume_map_free(e->resume);
    td_clock_free(e->clock);
    td_arena_free(&e->arena);
    td_digests_free(&e->digests);
    if (e->tls_env.plaintext)
        OPENSSL_cleanse(e->tls_env.plaintext, TD_TLS_PLAINTEXT_SCRATCH);
    free(e->tls_env.plaintext);
    free(e);
}
