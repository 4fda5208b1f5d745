/*
 * json.c — NDJSON events per docs/output-contract.md, built with cJSON.
 *
 * One tree per event, printed into a reused buffer, keys in a fixed order.
 * Wire strings go through td_escape() first (cJSON would pass invalid
 * UTF-8 through), with a `<name>_hex` sibling when anything was escaped.
 * Integers that may pass 2^53 or print in exponent form go in as raw
 * decimal text.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_private.h"
#include "tlsdissect/escape.h"
#include "tlsdissect/format.h"
#include "tlsdissect/registry.h"

struct json_writer {
    struct td_writer w;
    char *buf;
    size_t cap;
};

/* ---- field helpers ------------------------------------------------------ */

static void add_u64(cJSON *o, const char *name, uint64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%" PRIu64, v);
    cJSON_AddItemToObject(o, name, cJSON_CreateRaw(num));
}

static void add_i64(cJSON *o, const char *name, int64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%" PRId64, v);
    cJSON_AddItemToObject(o, name, cJSON_CreateRaw(num));
}

static void add_name(cJSON *o, const char *name, enum td_registry reg, uint16_t v)
{
    char buf[TD_REG_NAME_BUF];
    cJSON_AddStringToObject(o, name, td_registry_name(reg, v, buf));
}

static void add_names(cJSON *o, const char *name, enum td_registry reg, const uint16_t *v, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    char buf[TD_REG_NAME_BUF];
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(td_registry_name(reg, v[i], buf)));
}

static void add_byte_names(cJSON *o, const char *name, enum td_registry reg, const struct td_bytes *b)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    char buf[TD_REG_NAME_BUF];
    for (size_t i = 0; a && i < b->len; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(td_registry_name(reg, b->data[i], buf)));
}

static cJSON *hex_item(const uint8_t *p, size_t n)
{
    char *hex = malloc(n * 2 + 1);
    cJSON *item;
    if (hex == NULL)
        return cJSON_CreateNull();
    td_format_hex(hex, p, n);
    item = cJSON_CreateString(hex);
    free(hex);
    return item;
}

static void add_hex(cJSON *o, const char *name, const struct td_bytes *b)
{
    cJSON_AddItemToObject(o, name, hex_item(b->data, b->len));
}

/* An escaped wire string; *changed tells whether a _hex sibling is due. */
static cJSON *wire_item(const uint8_t *p, size_t n, bool *changed)
{
    char *text = malloc(td_escape_size(n));
    cJSON *item;
    if (text == NULL)
        return cJSON_CreateNull();
    *changed = td_escape(p, n, text);
    item = cJSON_CreateString(text);
    free(text);
    return item;
}

static void add_wire(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    bool changed = false;
    cJSON_AddItemToObject(o, name, wire_item(p, n, &changed));
    if (changed) {
        char hexname[64];
        snprintf(hexname, sizeof hexname, "%s_hex", name);
        cJSON_AddItemToObject(o, hexname, hex_item(p, n));
    }
}

static void add_wire_list(cJSON *o, const char *name, const struct td_bytes_list *l)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    bool any = false;
    for (size_t i = 0; a && i < l->n; i++) {
        bool changed = false;
        cJSON_AddItemToArray(a, wire_item(l->v[i].data, l->v[i].len, &changed));
        any |= changed;
    }
    if (any) {
        char hexname[64];
        cJSON *h;
        snprintf(hexname, sizeof hexname, "%s_hex", name);
        h = cJSON_AddArrayToObject(o, hexname);
        for (size_t i = 0; h && i < l->n; i++)
            cJSON_AddItemToArray(h, hex_item(l->v[i].data, l->v[i].len));
    }
}

static void add_time(cJSON *o, const char *name, td_time_us t)
{
    char buf[TD_TIME_BUF];
    cJSON_AddStringToObject(o, name, td_format_time(t, buf));
}

static cJSON *endpoint(const struct td_endpoint *ep)
{
    cJSON *o = cJSON_CreateObject();
    char buf[TD_ADDR_BUF];
    cJSON_AddStringToObject(o, "ip", td_format_addr(ep->family, ep->addr, buf));
    cJSON_AddNumberToObject(o, "port", ep->port);
    return o;
}

static cJSON *event_head(const char *type, const struct td_event *ev)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "type", type);
    add_time(o, "ts", ev->ts);
    if (ev->conn) {
        add_u64(o, "conn", ev->conn->conn);
        cJSON_AddItemToObject(o, "client", endpoint(&ev->conn->client));
        cJSON_AddItemToObject(o, "server", endpoint(&ev->conn->server));
        if (ev->conn->nvlan) {
            cJSON *a = cJSON_AddArrayToObject(o, "vlan");
            for (uint8_t i = 0; a && i < ev->conn->nvlan; i++)
                cJSON_AddItemToArray(a, cJSON_CreateNumber(ev->conn->vlan[i]));
        }
    }
    return o;
}

/* ---- messages ----------------------------------------------------------- */

static void client_hello(cJSON *o, const struct td_client_hello *ch)
{
    add_name(o, "legacy_version", TD_REG_VERSIONS, ch->legacy_version);
    add_hex(o, "random", &ch->random);
    add_hex(o, "session_id", &ch->session_id);
    if (ch->has_cipher_suites)
        add_names(o, "cipher_suites", TD_REG_CIPHER_SUITES, ch->cipher_suites.v, ch->cipher_suites.n);
    if (ch->has_compression_methods)
        add_byte_names(o, "compression_methods", TD_REG_COMPRESSION_METHODS, &ch->compression_methods);
    if (ch->has_extensions && !ch->sslv2_format)
        add_names(o, "extensions", TD_REG_EXTENSIONS, ch->extensions.v, ch->extensions.n);
    if (ch->has_sni)
        add_wire(o, "sni", ch->sni.data, ch->sni.len);
    if (ch->has_alpn)
        add_wire_list(o, "alpn", &ch->alpn);
    if (ch->has_supported_versions)
        add_names(o, "supported_versions", TD_REG_VERSIONS, ch->supported_versions.v,
                  ch->supported_versions.n);
    if (ch->has_supported_groups)
        add_names(o, "supported_groups", TD_REG_SUPPORTED_GROUPS, ch->supported_groups.v,
                  ch->supported_groups.n);
    if (ch->has_signature_algorithms)
        add_names(o, "signature_algorithms", TD_REG_SIGNATURE_SCHEMES,
                  ch->signature_algorithms.v, ch->signature_algorithms.n);
    if (ch->has_key_share)
        add_names(o, "key_share", TD_REG_SUPPORTED_GROUPS, ch->key_share.v, ch->key_share.n);
    if (ch->has_psk_modes)
        add_byte_names(o, "psk_modes", TD_REG_PSK_MODES, &ch->psk_modes);
    if (ch->ja3) {
        cJSON_AddStringToObject(o, "ja3", ch->ja3);
        cJSON_AddStringToObject(o, "ja3_string", ch->ja3_string);
    }
    if (ch->ja4)
        cJSON_AddStringToObject(o, "ja4", ch->ja4);
    if (ch->has_ec_point_formats)
        add_byte_names(o, "ec_point_formats", TD_REG_EC_POINT_FORMATS, &ch->ec_point_formats);
    if (ch->sslv2_format) {
        cJSON_AddTrueToObject(o, "sslv2_format");
        if (ch->sslv2_only_kinds)
            cJSON_AddNumberToObject(o, "sslv2_only_cipher_kinds", (double)ch->sslv2_only_kinds);
    }
}

static void server_hello(cJSON *o, const struct td_server_hello *sh)
{
    add_name(o, "legacy_version", TD_REG_VERSIONS, sh->legacy_version);
    add_name(o, "version", TD_REG_VERSIONS, sh->version);
    if (sh->sslv2_format) {
        add_hex(o, "connection_id", &sh->random);
        cJSON_AddTrueToObject(o, "sslv2_format");
        return;
    }
    add_hex(o, "random", &sh->random);
    add_hex(o, "session_id", &sh->session_id);
    if (sh->has_cipher_suite) {
        add_name(o, "cipher_suite", TD_REG_CIPHER_SUITES, sh->cipher_suite);
        add_name(o, "compression_method", TD_REG_COMPRESSION_METHODS, sh->compression_method);
    }
    if (sh->has_extensions)
        add_names(o, "extensions", TD_REG_EXTENSIONS, sh->extensions.v, sh->extensions.n);
    if (sh->has_alpn)
        add_wire(o, "alpn", sh->alpn.data, sh->alpn.len);
    if (sh->has_key_share)
        add_name(o, "key_share", TD_REG_SUPPORTED_GROUPS, sh->key_share);
    if (sh->ja3s) {
        cJSON_AddStringToObject(o, "ja3s", sh->ja3s);
        cJSON_AddStringToObject(o, "ja3s_string", sh->ja3s_string);
    }
}

static void add_cstring(cJSON *o, const char *name, const char *s)
{
    if (s)
        add_wire(o, name, (const uint8_t *)s, strlen(s));
    else
        cJSON_AddNullToObject(o, name);
}

static void certificate(cJSON *o, const struct td_certificate *c)
{
    cJSON *a = cJSON_AddArrayToObject(o, "certificates");
    for (size_t i = 0; a && i < c->count; i++) {
        const struct td_cert_info *ci = &c->certs[i];
        cJSON *x = cJSON_CreateObject();
        char buf[TD_TIME_BUF];
        cJSON_AddItemToArray(a, x);
        if (ci->parsed) {
            add_cstring(x, "subject", ci->subject);
            add_cstring(x, "issuer", ci->issuer);
            add_cstring(x, "serial", ci->serial);
            if (ci->has_validity) {
                cJSON_AddStringToObject(x, "not_before", td_format_time_seconds(ci->not_before, buf));
                cJSON_AddStringToObject(x, "not_after", td_format_time_seconds(ci->not_after, buf));
            } else {
                cJSON_AddNullToObject(x, "not_before");
                cJSON_AddNullToObject(x, "not_after");
            }
            add_wire_list(x, "san", &ci->san);
            add_cstring(x, "key_type", ci->key_type);
            cJSON_AddNumberToObject(x, "key_bits", ci->key_bits);
            add_cstring(x, "signature_algorithm", ci->signature_algorithm);
            cJSON_AddBoolToObject(x, "is_ca", ci->is_ca);
        }
        if (ci->sha256[0]) {
            cJSON_AddStringToObject(x, "sha256", ci->sha256);
            cJSON_AddStringToObject(x, "sha1", ci->sha1);
        }
        cJSON_AddNumberToObject(x, "length", (double)ci->der_len);
    }
}

static void server_key_exchange(cJSON *o, const struct td_server_key_exchange *k)
{
    add_cstring(o, "kex", k->kex);
    if (!k->params_parsed)
        return;
    if (k->has_group)
        add_name(o, "group", TD_REG_SUPPORTED_GROUPS, k->group);
    else if (k->dh_prime_bits)
        cJSON_AddNumberToObject(o, "dh_prime_bits", k->dh_prime_bits);
    cJSON_AddNumberToObject(o, "public_key_bytes", (double)k->public_key_bytes);
    if (k->has_signature_algorithm)
        add_name(o, "signature_algorithm", TD_REG_SIGNATURE_SCHEMES, k->signature_algorithm);
}

static void alert(cJSON *o, const struct td_alert *a)
{
    char buf[TD_REG_NAME_BUF];
    if (a->level == 1)
        cJSON_AddStringToObject(o, "level", "warning");
    else if (a->level == 2)
        cJSON_AddStringToObject(o, "level", "fatal");
    else {
        snprintf(buf, sizeof buf, "0x%02x", a->level);
        cJSON_AddStringToObject(o, "level", buf);
    }
    add_name(o, "description", TD_REG_ALERTS, a->description);
}

static void message_fields(cJSON *o, const struct td_message *m)
{
    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        client_hello(o, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        server_hello(o, &m->u.server_hello);
        break;
    case TD_MSG_CERTIFICATE:
        certificate(o, &m->u.certificate);
        break;
    case TD_MSG_SERVER_KEY_EXCHANGE:
        server_key_exchange(o, &m->u.server_key_exchange);
        break;
    case TD_MSG_CLIENT_KEY_EXCHANGE:
        add_cstring(o, "kex", m->u.client_key_exchange.kex);
        cJSON_AddNumberToObject(o, "length", (double)m->u.client_key_exchange.length);
        break;
    case TD_MSG_CERTIFICATE_REQUEST:
        add_byte_names(o, "certificate_types", TD_REG_CERTIFICATE_TYPES,
                       &m->u.certificate_request.certificate_types);
        if (m->u.certificate_request.has_signature_algorithms)
            add_names(o, "signature_algorithms", TD_REG_SIGNATURE_SCHEMES,
                      m->u.certificate_request.signature_algorithms.v,
                      m->u.certificate_request.signature_algorithms.n);
        cJSON_AddNumberToObject(o, "ca_count", (double)m->u.certificate_request.ca_count);
        break;
    case TD_MSG_CERTIFICATE_VERIFY:
        if (m->u.certificate_verify.has_signature_algorithm)
            add_name(o, "signature_algorithm", TD_REG_SIGNATURE_SCHEMES,
                     m->u.certificate_verify.signature_algorithm);
        break;
    case TD_MSG_NEW_SESSION_TICKET:
        add_u64(o, "lifetime_hint", m->u.new_session_ticket.lifetime_hint);
        cJSON_AddNumberToObject(o, "ticket_length", (double)m->u.new_session_ticket.ticket_length);
        break;
    case TD_MSG_ALERT:
        alert(o, &m->u.alert);
        break;
    case TD_MSG_CERTIFICATE_STATUS:
        cJSON_AddStringToObject(o, "status_type",
                                m->u.certificate_status.status_type == 1 ? "ocsp"
                                : m->u.certificate_status.status_type == 2 ? "ocsp_multi"
                                                                            : "unknown");
        cJSON_AddNumberToObject(o, "response_length",
                                (double)m->u.certificate_status.response_length);
        break;
    case TD_MSG_KEY_UPDATE:
        cJSON_AddStringToObject(o, "request_update", m->u.key_update_request == 1
                                                         ? "update_requested"
                                                         : "update_not_requested");
        break;
    default:
        break;
    }
}

static cJSON *message_event(const struct td_event *ev)
{
    const struct td_message *m = ev->u.message;
    cJSON *o = event_head("message", ev);
    char buf[TD_REG_NAME_BUF];

    cJSON_AddStringToObject(o, "from", m->from == TD_CLIENT ? "client" : "server");
    add_name(o, "record_version", TD_REG_VERSIONS, m->record_version);
    cJSON_AddStringToObject(o, "msg", td_msg_kind_name(m->kind));
    if (m->encrypted) {
        cJSON_AddTrueToObject(o, "encrypted");
        cJSON_AddNumberToObject(o, "length", (double)m->length);
        return o;
    }
    if (m->truncated) {
        cJSON_AddTrueToObject(o, "truncated");
        cJSON_AddNumberToObject(o, "length", (double)m->length);
        cJSON_AddNumberToObject(o, "captured", (double)m->captured);
    }
    if (m->kind == TD_MSG_OTHER_HANDSHAKE)
        cJSON_AddStringToObject(o, "handshake_type",
                                td_registry_name(TD_REG_HANDSHAKE_TYPES, m->handshake_type, buf));
    if (m->parsed)
        message_fields(o, m);
    else if (m->kind != TD_MSG_CHANGE_CIPHER_SPEC)
        cJSON_AddFalseToObject(o, "parsed");
    return o;
}

/* ---- connection, anomaly, stats ----------------------------------------- */

static void add_opt_wire(cJSON *o, const char *name, const char *s, size_t len)
{
    if (s)
        add_wire(o, name, (const uint8_t *)s, len);
    else
        cJSON_AddNullToObject(o, name);
}

static void add_opt_string(cJSON *o, const char *name, const char *s)
{
    if (s && *s)
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

static char *history_text(const struct td_conn_summary *s)
{
    size_t cap = s->history_len * 24 + 32, len = 0;
    char *text = malloc(cap);
    if (text == NULL)
        return NULL;
    text[0] = '\0';
    for (size_t i = 0; i < s->history_len; i++) {
        uint8_t h = s->history[i];
        int n = snprintf(text + len, cap - len, "%s%c:%s", i ? " " : "", (h & 1) ? 'S' : 'C',
                         td_msg_kind_name((enum td_msg_kind)(h >> 1)));
        if (n > 0 && (size_t)n < cap - len)
            len += (size_t)n;
    }
    if (s->history_dropped)
        snprintf(text + len, cap - len, " ...(+%zu)", s->history_dropped);
    return text;
}

static cJSON *connection_event(const struct td_event *ev)
{
    const struct td_conn_summary *s = ev->u.connection;
    cJSON *o = event_head("connection", ev), *a;
    char *history;
    static const char *const resumed[] = {"no", "session_id", "session_ticket", "psk"};

    add_time(o, "start", s->start);
    add_time(o, "end", s->end);
    add_opt_string(o, "community_id", s->community_id);
    if (s->has_version)
        add_name(o, "version", TD_REG_VERSIONS, s->version);
    else
        cJSON_AddNullToObject(o, "version");
    if (s->has_cipher_suite)
        add_name(o, "cipher_suite", TD_REG_CIPHER_SUITES, s->cipher_suite);
    else
        cJSON_AddNullToObject(o, "cipher_suite");
    add_opt_wire(o, "sni", s->sni, s->sni_len);
    add_opt_wire(o, "alpn", s->alpn, s->alpn_len);
    cJSON_AddBoolToObject(o, "established", s->established);
    if (s->resumption_known)
        cJSON_AddStringToObject(o, "resumed", resumed[s->resumed]);
    else
        cJSON_AddNullToObject(o, "resumed");
    if (s->resumed_from)
        add_u64(o, "resumed_from", s->resumed_from);
    else
        cJSON_AddNullToObject(o, "resumed_from");
    history = history_text(s);
    add_opt_string(o, "history", history);
    free(history);
    add_opt_string(o, "ja3", s->ja3);
    add_opt_string(o, "ja3s", s->ja3s);
    add_opt_string(o, "ja4", s->ja4);
    a = cJSON_AddArrayToObject(o, "server_certificates");
    for (size_t i = 0; a && i < s->server_cert_count; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(s->server_certs[i]));
    cJSON_AddNullToObject(o, "certificate_validation");
    a = cJSON_AddArrayToObject(o, "alerts");
    for (size_t i = 0; a && i < s->alert_count; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(a, x);
        cJSON_AddStringToObject(x, "from", s->alerts[i].from == TD_CLIENT ? "client" : "server");
        if (s->alerts[i].encrypted) {
            cJSON_AddNullToObject(x, "level");
            cJSON_AddNullToObject(x, "description");
            cJSON_AddTrueToObject(x, "encrypted");
        } else {
            alert(x, &s->alerts[i].alert);
        }
    }
    if (s->has_handshake_time)
        add_i64(o, "handshake_us", s->handshake_us);
    else
        cJSON_AddNullToObject(o, "handshake_us");
    if (s->has_rtt)
        add_i64(o, "tcp_rtt_us", s->tcp_rtt_us);
    else
        cJSON_AddNullToObject(o, "tcp_rtt_us");
    add_u64(o, "bytes_client", s->bytes_client);
    add_u64(o, "bytes_server", s->bytes_server);
    add_u64(o, "anomalies", s->anomalies);
    return o;
}

static cJSON *anomaly_event(const struct td_event *ev)
{
    cJSON *o = event_head("anomaly", ev);
    cJSON_AddStringToObject(o, "what", td_anomaly_name(ev->u.anomaly->kind));
    add_wire(o, "detail", (const uint8_t *)ev->u.anomaly->detail, strlen(ev->u.anomaly->detail));
    return o;
}

static cJSON *stats_event(const struct td_event *ev)
{
    const struct td_stats *st = ev->u.stats;
    cJSON *o = event_head("stats", ev), *a;

    add_u64(o, "packets", st->packets);
    add_u64(o, "bytes", st->bytes);
    add_u64(o, "connections", st->connections);
    add_u64(o, "tls_connections", st->tls_connections);
    a = cJSON_AddObjectToObject(o, "anomalies");
    for (int k = 0; a && k < TD_ANOM_COUNT; k++)
        if (st->anomalies[k])
            add_u64(a, td_anomaly_name((enum td_anomaly_kind)k), st->anomalies[k]);
    add_u64(o, "evicted_flows", st->evicted_flows);
    if (st->live) {
        add_u64(o, "kernel_received", st->kernel_received);
        add_u64(o, "kernel_dropped", st->kernel_dropped);
    }
    return o;
}

static void json_event(struct td_sink *sink, const struct td_event *ev)
{
    struct json_writer *j = (struct json_writer *)sink;
    cJSON *o = NULL;

    switch (ev->type) {
    case TD_EV_MESSAGE: o = message_event(ev); break;
    case TD_EV_CONNECTION: o = connection_event(ev); break;
    case TD_EV_ANOMALY: o = anomaly_event(ev); break;
    case TD_EV_STATS: o = stats_event(ev); break;
    }
    if (o == NULL)
        return;
    while (!cJSON_PrintPreallocated(o, j->buf, (int)j->cap, 0)) {
        size_t cap = j->cap * 2;
        char *grown = cap < (1u << 30) ? realloc(j->buf, cap) : NULL;
        if (grown == NULL) {
            cJSON_Delete(o);
            return;
        }
        j->buf = grown;
        j->cap = cap;
    }
    fputs(j->buf, j->w.out);
    fputc('\n', j->w.out);
    cJSON_Delete(o);
}

static void json_destroy(struct td_writer *w)
{
    struct json_writer *j = (struct json_writer *)w;
    free(j->buf);
}

struct td_sink *td_json_sink_new(FILE *out)
{
    struct json_writer *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->cap = 64 * 1024;
    j->buf = malloc(j->cap);
    if (j->buf == NULL) {
        free(j);
        return NULL;
    }
    j->w.sink.event = json_event;
    j->w.out = out;
    j->w.destroy = json_destroy;
    return &j->w.sink;
}
