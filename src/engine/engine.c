/*
 * engine.c — wiring the stages for one run, and TCP connection lifecycle
 * (RFC 9293 §3.5-3.6: SYN, FIN, RST; connection reuse of a 4-tuple after
 * close, §3.6.1 / TIME-WAIT reuse).
 *
 * Per packet nothing is allocated: frames are viewed in libpcap's buffer,
 * connections are found by hash, in-order payload goes to the TLS session
 * as a view.  Memory is spent only on connections (capped in number), on
 * out-of-order bytes (capped per direction and in total) and on records or
 * handshake messages that span segments (capped by the TLS layer).
 */
#include "tlsdissect/engine.h"

#include <stdlib.h>
#include <string.h>

#include "tlsdissect/certificate.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/flow.h"
#include "tlsdissect/ip.h"
#include "tlsdissect/link.h"
#include "tlsdissect/resume.h"
#include "tlsdissect/stream.h"
#include "tlsdissect/tcp.h"

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

struct td_engine {
    struct td_engine_config cfg;
    struct td_sink *sink;
    struct td_stats stats;
    struct td_reporter rep;
    struct td_flow_table *flows;
    struct td_ipfrag *frags;
    struct td_stream_budget budget;
    struct td_arena arena;
    struct td_cert_cache *certs;
    struct td_resume_map *resume;
    struct td_tls_env tls_env;
    struct td_digests digests;
    uint64_t next_conn;
    td_time_us now;        /* latest packet time */
    td_time_us last_sweep;
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
    cfg->certificate_cache_slots = 1024;
    cfg->fragments.max_datagrams = 4096;
    cfg->fragments.max_bytes = 32u << 20;
    cfg->fragments.timeout_us = 30 * 1000000LL;
}

static uint64_t on_stream_data(void *ctx, int side, const uint8_t *p, size_t n);
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
    e->frags = td_ipfrag_new(&cfg->fragments, &cfg->hash_key);
    e->certs = td_cert_cache_new(cfg->certificate_cache_slots, &cfg->hash_key);
    e->resume = td_resume_map_new(65536, &cfg->hash_key);
    e->budget.cap = cfg->reassembly_bytes;
    e->budget.per_direction_cap = cfg->reassembly_bytes_per_direction;
    e->budget.window_cap = cfg->comparison_window_bytes;
    e->tls_env.cfg = &e->cfg.tls;
    e->tls_env.arena = &e->arena;
    e->tls_env.certs = e->certs;
    e->tls_env.resume = e->resume;
    e->tls_env.validator = cfg->validator;
    if (e->flows == NULL || e->frags == NULL || e->certs == NULL || e->resume == NULL ||
        !td_digests_init(&e->digests)) {
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
    if (c->ep[0].port < 1024 && c->ep[1].port >= 1024)
        return 1;
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
        td_tls_end(c->tls, e->now);
    }
    for (int side = 0; side < 2; side++)
        td_stream_release(&c->stream[side], &e->budget);
    if (c->conn && !(c->tls && td_tls_detected(c->tls)) && c->payload_bytes > 0 && on_tls_port(c))
        td_conn_anomaly(c->conn, TD_ANOM_NOT_TLS, e->now,
                        "%llu payload bytes on a TLS port and no TLS record in them",
                        (unsigned long long)c->payload_bytes);
    if (c->conn && (c->conn->sum.tls_seen || c->conn->sum.anomalies > 0)) {
        struct td_conn_summary *sum = &c->conn->sum;
        sum->has_rtt = c->rtt_known;
        sum->tcp_rtt_us = c->rtt_us;
        td_conn_finish(c->conn, e->now);
    }
    td_tls_free(c->tls);
    c->tls = NULL;
    if (c->conn) {
        td_conn_release(c->conn);
        free(c->conn);
        c->conn = NULL;
    }
    td_flow_touch(e->flows, c->flow, TD_FLOW_CLOSED, e->now);
}

static void drop_flow(struct td_engine *e, struct td_flow *f)
{
    struct tcp_conn *c = f->user;
    if (c) {
        end_connection(e, c);
        free(c);
    }
    td_flow_remove(e->flows, f);
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
            td_conn_anomaly(c->conn, TD_ANOM_FLOW_EVICTED, e->now,
                            "connection table full (%zu connections): ended early",
                            e->cfg.max_flows);
        else
            e->stats.anomalies[TD_ANOM_FLOW_EVICTED]++;
    }
    drop_flow(e, f);
}

static void expire(struct td_engine *e, td_time_us now)
{
    struct td_flow *f;
    while ((f = td_flow_oldest(e->flows, TD_FLOW_CLOSED)) && now - f->last_ts > e->cfg.closed_linger_us)
        drop_flow(e, f);
    while ((f = td_flow_oldest(e->flows, TD_FLOW_ACTIVE)) && now - f->last_ts > e->cfg.idle_timeout_us)
        drop_flow(e, f);
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
    f = td_flow_add(e->flows, key, src_index, ts);
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

static uint64_t on_stream_data(void *ctx, int side, const uint8_t *p, size_t n)
{
    struct tcp_conn *c = ctx;
    if (c->tls == NULL)
        return TD_STREAM_SKIP_ALL;
    return td_tls_data(c->tls, side, p, n, c->engine->now);
}

static uint64_t on_stream_gap(void *ctx, int side, uint64_t n, enum td_gap_reason why)
{
    struct tcp_conn *c = ctx;
    if (c->tls == NULL)
        return TD_STREAM_SKIP_ALL;
    return td_tls_gap(c->tls, side, n, why, c->engine->now);
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
    struct td_stream_consumer cons = {on_stream_data, on_stream_gap, c};
    return cons;
}

/* ---- packets ------------------------------------------------------------ */

static void note_stream(struct td_engine *e, struct tcp_conn *c, const struct td_stream_notes *n)
{
    if (c->conn == NULL)
        return;
    if (n->conflicts)
        td_conn_anomaly(c->conn, TD_ANOM_TCP_OVERLAP_CONFLICT, e->now,
                        "retransmitted bytes differ from the first copy (first copy kept)");
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
    if (c->closed) {
        td_flow_touch(e->flows, f, TD_FLOW_CLOSED, ts);
        return; /* stray packets after the end */
    }
    td_flow_touch(e->flows, f, TD_FLOW_ACTIVE, ts);
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

static uint32_t vlan_scope(const uint16_t *vlan, uint8_t n)
{
    uint32_t h = n;
    for (uint8_t i = 0; i < n; i++)
        h = h * 4099u + vlan[i];
    return h;
}

void td_engine_packet(struct td_engine *e, int dlt, td_time_us ts, const uint8_t *frame,
                      size_t caplen, size_t wire_len)
{
    struct td_link_frame link;
    struct td_ip ip, whole;
    struct td_tcp_seg seg;
    enum td_ip_status st;

    e->stats.packets++;
    e->stats.bytes += wire_len;
    if (ts > e->now)
        e->now = ts;
    if (e->now - e->last_sweep >= 1000000) {
        struct td_frag_notes notes = {0};
        e->last_sweep = e->now;
        expire(e, e->now);
        td_ipfrag_expire(e->frags, e->now, &notes);
        if (notes.expired)
            td_report_anomalies(&e->rep, TD_ANOM_IP_FRAGMENT_DROPPED, notes.expired, ts,
                                "%u fragmented datagrams never completed", notes.expired);
    }
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
                                               ts, &whole, &notes);
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

void td_engine_tick(struct td_engine *e, td_time_us now)
{
    if (now > e->now)
        e->now = now;
    expire(e, e->now);
}

static int by_number(const void *a, const void *b)
{
    const struct tcp_conn *x = *(struct tcp_conn *const *)a, *y = *(struct tcp_conn *const *)b;
    return (x->number > y->number) - (x->number < y->number);
}

void td_engine_finish(struct td_engine *e)
{
    size_t n = td_flow_count(e->flows), k = 0;
    struct tcp_conn **all;
    struct td_event ev = {.type = TD_EV_STATS, .u.stats = &e->stats};

    if (e->finished)
        return;
    e->finished = true;
    all = calloc(n ? n : 1, sizeof *all);
    if (all) {
        for (int list = 0; list < TD_FLOW_LISTS; list++)
            for (struct td_flow *f = td_flow_oldest(e->flows, (enum td_flow_list)list); f;
                 f = f->newer)
                all[k++] = f->user;
        qsort(all, k, sizeof *all, by_number);
        for (size_t i = 0; i < k; i++)
            end_connection(e, all[i]);
        free(all);
    }
    if (td_ipfrag_pending(e->frags))
        td_report_anomalies(&e->rep, TD_ANOM_IP_FRAGMENT_DROPPED, td_ipfrag_pending(e->frags),
                            e->now, "%zu fragmented datagrams incomplete at the end of input",
                            td_ipfrag_pending(e->frags));
    ev.ts = e->now;
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
    td_stream_budget_release(&e->budget);
    td_flow_table_free(e->flows);
    td_ipfrag_free(e->frags);
    td_cert_cache_free(e->certs);
    td_resume_map_free(e->resume);
    td_arena_free(&e->arena);
    td_digests_free(&e->digests);
    free(e);
}
