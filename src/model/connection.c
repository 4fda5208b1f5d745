/*
 * connection.c — per-connection summary bookkeeping and event forwarding.
 * Community ID v1 per https://github.com/corelight/community-id-spec
 * (seed 0): base64(sha1(seed, lower endpoint address, higher endpoint
 * address, proto, 0, ports)) with a "1:" prefix.
 */
#include "tlsdissect/connection.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(TD_ANOM_COUNT <= 64, "anomaly kinds are bits of a uint64_t");

static void community_id(struct td_conn *c)
{
    const struct td_endpoint *a = &c->id.client, *b = &c->id.server;
    size_t alen = a->family == 6 ? 16 : 4;
    uint8_t buf[2 + 16 + 16 + 2 + 4], digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    size_t n = 0;
    int cmp = memcmp(a->addr, b->addr, alen);

    if (cmp > 0 || (cmp == 0 && a->port > b->port)) {
        const struct td_endpoint *t = a;
        a = b;
        b = t;
    }
    buf[n++] = 0; /* seed, big-endian */
    buf[n++] = 0;
    memcpy(buf + n, a->addr, alen);
    n += alen;
    memcpy(buf + n, b->addr, alen);
    n += alen;
    buf[n++] = c->id.transport != TD_TRANSPORT_TCP ? 17 : 6; /* UDP (QUIC, DTLS), TCP */
    buf[n++] = 0;
    buf[n++] = (uint8_t)(a->port >> 8);
    buf[n++] = (uint8_t)a->port;
    buf[n++] = (uint8_t)(b->port >> 8);
    buf[n++] = (uint8_t)b->port;
    if ((dlen = td_digest(c->rep->digests, TD_SHA1, buf, n, digest)) == 0) {
        c->sum.community_id[0] = '\0';
        return;
    }
    memcpy(c->sum.community_id, "1:", 2);
    EVP_EncodeBlock((unsigned char *)c->sum.community_id + 2, digest, (int)dlen);
}

void td_conn_init(struct td_conn *c, struct td_reporter *rep, uint64_t number,
                  const struct td_endpoint *client, const struct td_endpoint *server,
                  const uint16_t *vlan, uint8_t nvlan, td_time_us start)
{
    memset(c, 0, sizeof *c);
    c->rep = rep;
    c->id.conn = number;
    c->id.client = *client;
    c->id.server = *server;
    if (nvlan > TD_MAX_VLAN)
        nvlan = TD_MAX_VLAN;
    if (nvlan)
        memcpy(c->id.vlan, vlan, nvlan * sizeof *vlan);
    c->id.nvlan = nvlan;
    c->sum.start = start;
    c->sum.end = start;
    community_id(c);
}

void td_conn_release(struct td_conn *c)
{
    free(c->sum.sni);
    free(c->sum.alpn);
    free(c->sum.ja4);
    free(c->sum.server_certs);
    for (int i = 0; i < 2; i++) {
        free(c->sum.app_data[i].data);
        c->sum.app_data[i].data = NULL;
    }
    td_conn_record_release(&c->sum.record);
    c->sum.sni = c->sum.alpn = c->sum.ja4 = NULL;
    c->sum.server_certs = NULL;
}

void td_conn_swap_roles(struct td_conn *c)
{
    struct td_endpoint t = c->id.client;
    c->id.client = c->id.server;
    c->id.server = t;
}

uint64_t td_conn_frame(const struct td_conn *c) { return c->rep->frame; }

void td_conn_set_frame(struct td_conn *c, uint64_t frame) { c->rep->frame = frame; }

static void emit(struct td_conn *c, struct td_event *ev, td_time_us ts)
{
    ev->ts = ts;
    ev->frame = c->rep->frame;
    ev->conn = &c->id;
    if (ts > c->sum.end)
        c->sum.end = ts;
    td_sink_emit(c->rep->sink, ev);
}

void td_conn_message(struct td_conn *c, const struct td_message *m, td_time_us ts)
{
    struct td_event ev = {.type = TD_EV_MESSAGE, .u.message = m};

    if (c->sum.history_len < TD_HISTORY_MAX)
        c->sum.history[c->sum.history_len++] = (uint8_t)((unsigned)m->kind << 1 | m->from);
    else
        c->sum.history_dropped++;
    emit(c, &ev, ts);
}

void td_conn_anomalyv(struct td_conn *c, enum td_anomaly_kind kind, td_time_us ts,
                      const char *fmt, va_list ap)
{
    struct td_anomaly a = {.kind = kind};
    struct td_event ev = {.type = TD_EV_ANOMALY, .u.anomaly = &a};

    c->sum.anomalies++;
    c->rep->stats->anomalies[kind]++;
    if (c->anomalies_seen & (UINT64_C(1) << kind))
        return;
    c->anomalies_seen |= UINT64_C(1) << kind;
    vsnprintf(a.detail, sizeof a.detail, fmt, ap);
    emit(c, &ev, ts);
}

void td_conn_anomaly(struct td_conn *c, enum td_anomaly_kind kind, td_time_us ts,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    td_conn_anomalyv(c, kind, ts, fmt, ap);
    va_end(ap);
}

static void report_anomalyv(struct td_reporter *rep, enum td_anomaly_kind kind, uint64_t count,
                            td_time_us ts, const char *fmt, va_list ap)
{
    struct td_anomaly a = {.kind = kind};
    struct td_event ev = {.type = TD_EV_ANOMALY, .ts = ts, .frame = rep->frame, .conn = NULL,
                          .u.anomaly = &a};

    rep->stats->anomalies[kind] += count;
    if (rep->anomalies_seen & (UINT64_C(1) << kind))
        return;
    rep->anomalies_seen |= UINT64_C(1) << kind;
    vsnprintf(a.detail, sizeof a.detail, fmt, ap);
    td_sink_emit(rep->sink, &ev);
}

void td_report_anomaly(struct td_reporter *rep, enum td_anomaly_kind kind, td_time_us ts,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_anomalyv(rep, kind, 1, ts, fmt, ap);
    va_end(ap);
}

void td_report_anomalies(struct td_reporter *rep, enum td_anomaly_kind kind, uint64_t count,
                         td_time_us ts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_anomalyv(rep, kind, count, ts, fmt, ap);
    va_end(ap);
}

static void set_owned(char **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
    char *copy;
    if (*dst)
        return; /* the first value wins (e.g. the first ClientHello's SNI) */
    copy = malloc(len + 1);
    if (copy == NULL)
        return;
    if (len)
        memcpy(copy, src, len);
    copy[len] = '\0';
    *dst = copy;
    *dst_len = len;
}

void td_conn_set_sni(struct td_conn *c, const uint8_t *sni, size_t len)
{
    set_owned(&c->sum.sni, &c->sum.sni_len, sni, len);
}

void td_conn_set_alpn(struct td_conn *c, const uint8_t *alpn, size_t len)
{
    free(c->sum.alpn); /* the server's latest choice wins */
    c->sum.alpn = NULL;
    set_owned(&c->sum.alpn, &c->sum.alpn_len, alpn, len);
}

void td_conn_set_quic(struct td_conn *c, uint32_t version)
{
    c->id.transport = TD_TRANSPORT_QUIC;
    c->id.quic_version = version;
    community_id(c); /* over UDP */
}

void td_conn_set_dtls(struct td_conn *c)
{
    c->id.transport = TD_TRANSPORT_DTLS;
    community_id(c); /* over UDP */
}

void td_conn_set_ja4(struct td_conn *c, const char *ja4)
{
    size_t len = strlen(ja4);
    set_owned(&c->sum.ja4, &len, (const uint8_t *)ja4, len);
}

void td_conn_set_server_certs(struct td_conn *c, const struct td_certificate *chain)
{
    size_t n = chain->count < TD_MAX_SERVER_CERTS ? chain->count : TD_MAX_SERVER_CERTS;
    if (c->sum.server_certs || n == 0)
        return;
    c->sum.server_certs = malloc(n * sizeof *c->sum.server_certs);
    if (c->sum.server_certs == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (chain->certs[i].sha256[0])
            memcpy(c->sum.server_certs[c->sum.server_cert_count++], chain->certs[i].sha256,
                   sizeof c->sum.server_certs[0]);
}

void td_conn_add_app_data(struct td_conn *c, enum td_side from, const uint8_t *p, size_t n,
                          size_t max)
{
    struct td_app_data *a = &c->sum.app_data[from == TD_CLIENT ? 0 : 1];
    size_t take = a->len < max ? max - a->len : 0;

    a->kept = true;
    if (take > n)
        take = n;
    if (take == 0)
        return;
    if (a->data == NULL && (a->data = malloc(max)) == NULL)
        return; /* no memory: the data is not shown, the counts stay right */
    memcpy(a->data + a->len, p, take);
    a->len += take;
}

void td_conn_add_alert(struct td_conn *c, enum td_side from, bool encrypted,
                       const struct td_alert *alert)
{
    if (c->sum.alert_count < TD_MAX_ALERTS) {
        struct td_alert_seen *a = &c->sum.alerts[c->sum.alert_count++];
        a->from = from;
        a->encrypted = encrypted;
        if (alert)
            a->alert = *alert;
    } else {
        c->sum.alerts_dropped++;
    }
}

void td_conn_finish(struct td_conn *c, td_time_us end)
{
    struct td_event ev = {.type = TD_EV_CONNECTION, .u.connection = &c->sum};
    struct td_findings findings;

    if (c->finished)
        return;
    c->finished = true;
    if (end > c->sum.end)
        c->sum.end = end;
    td_conn_decide_record(&c->sum, &findings);
    emit(c, &ev, c->sum.end);
    c->sum.record.findings = NULL;
}
