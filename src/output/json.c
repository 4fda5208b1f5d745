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
#include "tlsdissect/codepoints.h"
#include "tlsdissect/conn_fields.h"
#include "tlsdissect/escape.h"
#include "tlsdissect/findings.h"
#include "tlsdissect/format.h"
#include "tlsdissect/quic.h"
#include "tlsdissect/registry.h"

struct json_writer {
    struct td_writer w;
    char *buf;
    size_t cap;
    int64_t time_second;        /* the second whose text is cached */
    char time_text[TD_TIME_BUF]; /* RFC 3339 of that second, with microseconds */
};

/* ---- field helpers ------------------------------------------------------ */

/*
 * Keys are string literals: added with the CS variant, cJSON neither copies
 * nor frees them.  Names from the registry are static strings: referenced,
 * not copied.  Integers are formatted here and added as raw text (cJSON
 * would print them with sprintf and check them with sscanf).
 */
static void put(cJSON *o, const char *key, cJSON *item)
{
    if (item)
        cJSON_AddItemToObjectCS(o, key, item);
}

static cJSON *uint_item(uint64_t v)
{
    char num[24], *p = num + sizeof num;
    *--p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return cJSON_CreateRaw(p);
}

static void add_u64(cJSON *o, const char *name, uint64_t v) { put(o, name, uint_item(v)); }

static void add_i64(cJSON *o, const char *name, int64_t v)
{
    if (v >= 0) {
        add_u64(o, name, (uint64_t)v);
    } else {
        char num[24];
        snprintf(num, sizeof num, "%" PRId64, v);
        put(o, name, cJSON_CreateRaw(num));
    }
}

/* A key of the connection event, by its name in the one table (conn_fields.h). */
#define CK(key) td_conn_key_name(TD_CK_##key)

static void add_static(cJSON *o, const char *name, const char *s)
{
    put(o, name, cJSON_CreateStringReference(s));
}

/* A registry name: referenced when static, copied when formatted into buf. */
static cJSON *name_item(enum td_registry reg, uint16_t v)
{
    char buf[TD_REG_NAME_BUF];
    const char *name = td_registry_name(reg, v, buf);
    return name == buf ? cJSON_CreateString(buf) : cJSON_CreateStringReference(name);
}

static void add_name(cJSON *o, const char *name, enum td_registry reg, uint16_t v)
{
    put(o, name, name_item(reg, v));
}

static void add_names(cJSON *o, const char *name, enum td_registry reg, const uint16_t *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, name_item(reg, v[i]));
    put(o, name, a);
}

/* `<name>_omitted`: entries of a list past its output cap (docs/limits.md), when there are any. */
static void add_omitted(cJSON *o, const char *name, size_t omitted)
{
    char key[64];
    if (omitted == 0)
        return;
    snprintf(key, sizeof key, "%s_omitted", name);
    cJSON_AddItemToObject(o, key, uint_item(omitted));
}

/* A list of code points as names: the entries the parser left listed, then the count of the rest. */
static void add_code_points(cJSON *o, const char *name, enum td_registry reg,
                            const struct td_u16_list *l)
{
    add_names(o, name, reg, l->v, td_u16_listed(l));
    add_omitted(o, name, l->omitted);
}

static void add_byte_names(cJSON *o, const char *name, enum td_registry reg, const struct td_bytes *b)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < b->len; i++)
        cJSON_AddItemToArray(a, name_item(reg, b->data[i]));
    put(o, name, a);
}

static cJSON *hex_item(const uint8_t *p, size_t n)
{
    char small[129], *hex = n <= 64 ? small : malloc(n * 2 + 1);
    cJSON *item;
    if (hex == NULL)
        return cJSON_CreateNull();
    td_format_hex(hex, p, n);
    item = cJSON_CreateString(hex);
    if (hex != small)
        free(hex);
    return item;
}

static void add_hex(cJSON *o, const char *name, const struct td_bytes *b)
{
    put(o, name, hex_item(b->data, b->len));
}

/* An escaped wire string; *changed tells whether a _hex sibling is due. */
static cJSON *wire_item(const uint8_t *p, size_t n, bool *changed)
{
    char small[1024], *text = td_escape_size(n) <= sizeof small ? small : malloc(td_escape_size(n));
    cJSON *item;
    if (text == NULL)
        return cJSON_CreateNull();
    *changed = td_escape(p, n, text);
    item = cJSON_CreateString(text);
    if (text != small)
        free(text);
    return item;
}

static void add_wire(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    bool changed = false;
    put(o, name, wire_item(p, n, &changed));
    if (changed) {
        char hexname[64];
        snprintf(hexname, sizeof hexname, "%s_hex", name);
        cJSON_AddItemToObject(o, hexname, hex_item(p, n));
    }
}

static void add_wire_list(cJSON *o, const char *name, const struct td_bytes_list *l)
{
    cJSON *a = cJSON_CreateArray();
    bool any = false;
    put(o, name, a);
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
    add_omitted(o, name, l->omitted);
}

/* Every event has a time: format its second once, then only the microseconds. */
static void add_time(struct json_writer *j, cJSON *o, const char *name, td_time_us t)
{
    int64_t sec = t >= 0 ? t / 1000000 : (t - 999999) / 1000000;
    long usec = (long)(t - sec * 1000000);
    size_t len;

    if (sec != j->time_second || j->time_text[0] == '\0') {
        td_format_time(sec * 1000000, j->time_text);
        j->time_second = sec;
    }
    len = strlen(j->time_text); /* "...SS.000000Z" */
    for (int i = 0; i < 6; i++) {
        j->time_text[len - 2 - i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    put(o, name, cJSON_CreateString(j->time_text));
}

static cJSON *endpoint(const struct td_endpoint *ep)
{
    cJSON *o = cJSON_CreateObject();
    char buf[TD_ADDR_BUF];
    put(o, CK(ENDPOINT_IP), cJSON_CreateString(td_format_addr(ep->family, ep->addr, buf)));
    add_u64(o, CK(ENDPOINT_PORT), (uint64_t)(ep->port));
    return o;
}

static cJSON *event_head(struct json_writer *j, const char *type, const struct td_event *ev)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    add_static(o, CK(TYPE), type);
    add_time(j, o, CK(TS), ev->ts);
    /* a message's packet, as Wireshark numbers it: the one that completed it */
    if (ev->type == TD_EV_MESSAGE && ev->frame)
        add_u64(o, "frame", ev->frame);
    if (ev->conn) {
        add_u64(o, CK(CONN), ev->conn->conn);
        put(o, CK(CLIENT), endpoint(&ev->conn->client));
        put(o, CK(SERVER), endpoint(&ev->conn->server));
        if (ev->conn->nvlan) {
            cJSON *a = cJSON_CreateArray();
            put(o, CK(VLAN), a);
            for (uint8_t i = 0; a && i < ev->conn->nvlan; i++)
                cJSON_AddItemToArray(a, uint_item(ev->conn->vlan[i]));
        }
        if (ev->conn->transport == TD_TRANSPORT_QUIC) {
            char vbuf[11];
            add_static(o, CK(TRANSPORT), "quic");
            put(o, CK(QUIC_VERSION),
                cJSON_CreateString(td_quic_version_name(ev->conn->quic_version, vbuf)));
        }
        if (ev->conn->transport == TD_TRANSPORT_DTLS)
            add_static(o, CK(TRANSPORT), "dtls");
        if (ev->conn->transport == TD_TRANSPORT_TCP)
            add_static(o, CK(TRANSPORT), "tcp");
    }
    return o;
}

/* ---- messages ----------------------------------------------------------- */

static void client_hello(cJSON *o, const struct td_client_hello *ch)
{
    add_name(o, "legacy_version", TD_REG_VERSIONS, ch->legacy_version);
    add_hex(o, "random", &ch->random);
    add_hex(o, "session_id", &ch->session_id);
    if (ch->has_cookie)
        add_hex(o, "cookie", &ch->cookie);
    if (ch->has_cipher_suites)
        add_code_points(o, "cipher_suites", TD_REG_CIPHER_SUITES, &ch->cipher_suites);
    if (ch->has_compression_methods)
        add_byte_names(o, "compression_methods", TD_REG_COMPRESSION_METHODS, &ch->compression_methods);
    if (ch->has_extensions && !ch->sslv2_format)
        add_code_points(o, "extensions", TD_REG_EXTENSIONS, &ch->extensions);
    if (ch->has_sni)
        add_wire(o, "sni", ch->sni.data, ch->sni.len);
    if (ch->has_alpn)
        add_wire_list(o, "alpn", &ch->alpn);
    if (ch->has_supported_versions)
        add_code_points(o, "supported_versions", TD_REG_VERSIONS, &ch->supported_versions);
    if (ch->has_supported_groups)
        add_code_points(o, "supported_groups", TD_REG_SUPPORTED_GROUPS, &ch->supported_groups);
    if (ch->has_signature_algorithms)
        add_code_points(o, "signature_algorithms", TD_REG_SIGNATURE_SCHEMES,
                        &ch->signature_algorithms);
    if (ch->has_key_share)
        add_code_points(o, "key_share", TD_REG_SUPPORTED_GROUPS, &ch->key_share);
    if (ch->has_psk_modes)
        add_byte_names(o, "psk_modes", TD_REG_PSK_MODES, &ch->psk_modes);
    if (ch->has_compress_certificate)
        add_code_points(o, "compress_certificate", TD_REG_CERT_COMPRESSION, &ch->compress_certificate);
    if (ch->ja3) {
        put(o, "ja3", cJSON_CreateString(ch->ja3));
        put(o, "ja3_string", cJSON_CreateString(ch->ja3_string));
    }
    if (ch->ja4)
        put(o, "ja4", cJSON_CreateString(ch->ja4));
    if (ch->has_ec_point_formats)
        add_byte_names(o, "ec_point_formats", TD_REG_EC_POINT_FORMATS, &ch->ec_point_formats);
    if (ch->sslv2_format) {
        put(o, "sslv2_format", cJSON_CreateTrue());
        if (ch->sslv2_only_kinds)
            add_u64(o, "sslv2_only_cipher_kinds", ch->sslv2_only_kinds);
    }
}

static void server_hello(cJSON *o, const struct td_server_hello *sh)
{
    add_name(o, "legacy_version", TD_REG_VERSIONS, sh->legacy_version);
    add_name(o, "version", TD_REG_VERSIONS, sh->version);
    if (sh->sslv2_format) {
        add_hex(o, "connection_id", &sh->random);
        put(o, "sslv2_format", cJSON_CreateTrue());
        return;
    }
    add_hex(o, "random", &sh->random);
    add_hex(o, "session_id", &sh->session_id);
    if (sh->has_cipher_suite) {
        add_name(o, "cipher_suite", TD_REG_CIPHER_SUITES, sh->cipher_suite);
        add_name(o, "compression_method", TD_REG_COMPRESSION_METHODS, sh->compression_method);
    }
    if (sh->has_extensions)
        add_code_points(o, "extensions", TD_REG_EXTENSIONS, &sh->extensions);
    if (sh->has_alpn)
        add_wire(o, "alpn", sh->alpn.data, sh->alpn.len);
    if (sh->has_key_share)
        add_name(o, "key_share", TD_REG_SUPPORTED_GROUPS, sh->key_share);
    if (sh->ja3s) {
        put(o, "ja3s", cJSON_CreateString(sh->ja3s));
        put(o, "ja3s_string", cJSON_CreateString(sh->ja3s_string));
    }
}

static void encrypted_extensions(cJSON *o, const struct td_encrypted_extensions *ee)
{
    add_code_points(o, "extensions", TD_REG_EXTENSIONS, &ee->extensions);
    if (ee->has_alpn)
        add_wire(o, "alpn", ee->alpn.data, ee->alpn.len);
    if (ee->server_name_ack)
        put(o, "server_name_ack", cJSON_CreateTrue());
    if (ee->early_data)
        put(o, "early_data", cJSON_CreateTrue());
    if (ee->has_record_size_limit)
        add_u64(o, "record_size_limit", ee->record_size_limit);
    if (ee->has_max_fragment_length)
        add_u64(o, "max_fragment_length", ee->max_fragment_length);
    if (ee->has_supported_groups)
        add_code_points(o, "supported_groups", TD_REG_SUPPORTED_GROUPS, &ee->supported_groups);
    if (ee->has_quic_transport_parameters)
        put(o, "quic_transport_parameters", cJSON_CreateTrue());
}

static void add_cstring(cJSON *o, const char *name, const char *s)
{
    if (s)
        add_wire(o, name, (const uint8_t *)s, strlen(s));
    else
        put(o, name, cJSON_CreateNull());
}

static void certificate(cJSON *o, const struct td_certificate *c)
{
    cJSON *a = cJSON_CreateArray();
    put(o, "certificates", a);
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
                put(x, "not_before", cJSON_CreateString(td_format_time_seconds(ci->not_before, buf)));
                put(x, "not_after", cJSON_CreateString(td_format_time_seconds(ci->not_after, buf)));
            } else {
                put(x, "not_before", cJSON_CreateNull());
                put(x, "not_after", cJSON_CreateNull());
            }
            add_wire_list(x, "san", &ci->san);
            add_cstring(x, "key_type", ci->key_type);
            add_u64(x, "key_bits", (uint64_t)(ci->key_bits));
            add_cstring(x, "signature_algorithm", ci->signature_algorithm);
            put(x, "is_ca", cJSON_CreateBool(ci->is_ca));
        }
        if (ci->sha256[0]) {
            put(x, "sha256", cJSON_CreateString(ci->sha256));
            put(x, "sha1", cJSON_CreateString(ci->sha1));
        }
        add_u64(x, "length", ci->der_len);
    }
    add_omitted(o, "certificates", c->omitted);
}

static void compressed_certificate(cJSON *o, const struct td_compressed_certificate *cc)
{
    add_name(o, "compression", TD_REG_CERT_COMPRESSION, cc->algorithm);
    if (cc->compressed_length)
        add_u64(o, "compressed_length", cc->compressed_length);
    add_u64(o, "uncompressed_length", cc->uncompressed_length);
    if (cc->decompressed)
        certificate(o, &cc->certificate);
}

static void server_key_exchange(cJSON *o, const struct td_server_key_exchange *k)
{
    add_cstring(o, "kex", k->kex);
    if (!k->params_parsed)
        return;
    if (k->has_group)
        add_name(o, "group", TD_REG_SUPPORTED_GROUPS, k->group);
    else if (k->dh_prime_bits)
        add_u64(o, "dh_prime_bits", (uint64_t)(k->dh_prime_bits));
    add_u64(o, "public_key_bytes", k->public_key_bytes);
    if (k->has_signature_algorithm)
        add_name(o, "signature_algorithm", TD_REG_SIGNATURE_SCHEMES, k->signature_algorithm);
}

static void alert(cJSON *o, const struct td_alert *a)
{
    char buf[TD_REG_NAME_BUF];
    const char *level = td_registry_name(TD_REG_ALERT_LEVELS, a->level, buf);
    if (level == buf)
        put(o, CK(ALERT_LEVEL), cJSON_CreateString(buf));
    else
        add_static(o, CK(ALERT_LEVEL), level);
    add_name(o, CK(ALERT_DESCRIPTION), TD_REG_ALERTS, a->description);
}

static void message_fields(cJSON *o, const struct td_message *m)
{
    const char *status_type;
    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        client_hello(o, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        server_hello(o, &m->u.server_hello);
        break;
    case TD_MSG_ENCRYPTED_EXTENSIONS:
        encrypted_extensions(o, &m->u.encrypted_extensions);
        break;
    case TD_MSG_CERTIFICATE:
        certificate(o, &m->u.certificate);
        break;
    case TD_MSG_COMPRESSED_CERTIFICATE:
        compressed_certificate(o, &m->u.compressed_certificate);
        break;
    case TD_MSG_SERVER_KEY_EXCHANGE:
        server_key_exchange(o, &m->u.server_key_exchange);
        break;
    case TD_MSG_CLIENT_KEY_EXCHANGE:
        add_cstring(o, "kex", m->u.client_key_exchange.kex);
        add_u64(o, "length", m->u.client_key_exchange.length);
        break;
    case TD_MSG_CERTIFICATE_REQUEST:
        add_byte_names(o, "certificate_types", TD_REG_CERTIFICATE_TYPES,
                       &m->u.certificate_request.certificate_types);
        if (m->u.certificate_request.has_signature_algorithms)
            add_code_points(o, "signature_algorithms", TD_REG_SIGNATURE_SCHEMES,
                            &m->u.certificate_request.signature_algorithms);
        add_u64(o, "ca_count", m->u.certificate_request.ca_count);
        if (m->u.certificate_request.has_compress_certificate)
            add_code_points(o, "compress_certificate", TD_REG_CERT_COMPRESSION,
                            &m->u.certificate_request.compress_certificate);
        break;
    case TD_MSG_CERTIFICATE_VERIFY:
        if (m->u.certificate_verify.has_signature_algorithm)
            add_name(o, "signature_algorithm", TD_REG_SIGNATURE_SCHEMES,
                     m->u.certificate_verify.signature_algorithm);
        break;
    case TD_MSG_NEW_SESSION_TICKET:
        add_u64(o, "lifetime_hint", m->u.new_session_ticket.lifetime_hint);
        add_u64(o, "ticket_length", m->u.new_session_ticket.ticket_length);
        if (m->u.new_session_ticket.tls13) {
            add_u64(o, "ticket_age_add", m->u.new_session_ticket.ticket_age_add);
            add_hex(o, "ticket_nonce", &m->u.new_session_ticket.ticket_nonce);
        }
        if (m->u.new_session_ticket.has_max_early_data_size)
            add_u64(o, "max_early_data_size", m->u.new_session_ticket.max_early_data_size);
        break;
    case TD_MSG_ALERT:
        alert(o, &m->u.alert);
        break;
    case TD_MSG_CERTIFICATE_STATUS:
        status_type = td_registry_lookup(TD_REG_CERT_STATUS_TYPES, m->u.certificate_status.status_type);
        add_static(o, "status_type", status_type ? status_type : "unknown");
        add_u64(o, "response_length", m->u.certificate_status.response_length);
        break;
    case TD_MSG_FINISHED:
        /* RFC 5246 §7.4.9, RFC 8446 §4.4.4: the message is its verify_data */
        if (m->decrypted)
            add_u64(o, "verify_data_length", m->length);
        break;
    case TD_MSG_KEY_UPDATE:
        add_static(o, "request_update",
                   m->u.key_update_request == 1 ? "update_requested" : "update_not_requested");
        break;
    case TD_MSG_HELLO_VERIFY_REQUEST:
        add_name(o, "server_version", TD_REG_VERSIONS, m->u.hello_verify_request.server_version);
        add_u64(o, "cookie_length", m->u.hello_verify_request.cookie.len);
        add_hex(o, "cookie", &m->u.hello_verify_request.cookie);
        break;
    default:
        break;
    }
}

static cJSON *message_event(struct json_writer *j, const struct td_event *ev)
{
    const struct td_message *m = ev->u.message;
    cJSON *o = event_head(j, "message", ev);

    add_static(o, "from", m->from == TD_CLIENT ? "client" : "server");
    if (!m->without_record) {
        add_name(o, "record_version", TD_REG_VERSIONS, m->record_version);
        add_u64(o, "record_index", m->record_index);
    }
    if (m->dtls.present) {
        add_u64(o, "epoch", m->dtls.epoch);
        if (m->dtls.has_message_seq) {
            add_u64(o, "message_seq", m->dtls.message_seq);
            add_u64(o, "fragments", m->dtls.fragments);
        }
    }
    add_static(o, "msg", td_msg_kind_name(m->kind));
    if (m->encrypted) {
        put(o, "encrypted", cJSON_CreateTrue());
        add_u64(o, "length", m->length);
        return o;
    }
    if (m->decrypted)
        put(o, "decrypted", cJSON_CreateTrue());
    if (m->finished_check != TD_FINISHED_UNCHECKED)
        put(o, "verified", cJSON_CreateBool(m->finished_check == TD_FINISHED_VERIFIED));
    if (m->malformed)
        put(o, "malformed", cJSON_CreateTrue());
    if (m->truncated) {
        put(o, "truncated", cJSON_CreateTrue());
        add_u64(o, "length", m->length);
        add_u64(o, "captured", m->captured);
    }
    if (m->kind == TD_MSG_OTHER_HANDSHAKE)
        put(o, "handshake_type", name_item(TD_REG_HANDSHAKE_TYPES, m->handshake_type));
    if (m->parsed)
        message_fields(o, m);
    else if (m->has_fields)
        put(o, "parsed", cJSON_CreateFalse());
    return o;
}

/* ---- connection, anomaly, stats ----------------------------------------- */

static void add_opt_wire(cJSON *o, const char *name, const char *s, size_t len)
{
    if (s)
        add_wire(o, name, (const uint8_t *)s, len);
    else
        put(o, name, cJSON_CreateNull());
}

static void add_opt_string(cJSON *o, const char *name, const char *s)
{
    if (s && *s)
        put(o, name, cJSON_CreateString(s));
    else
        put(o, name, cJSON_CreateNull());
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

static void add_opt_time(cJSON *o, const char *name, bool known, int64_t seconds)
{
    char buf[TD_TIME_BUF];
    put(o, name, known ? cJSON_CreateString(td_format_time_seconds(seconds, buf)) : cJSON_CreateNull());
}

/* The connection record (model.h struct td_conn_record): group ... findings. */
static void connection_record(cJSON *o, const struct td_conn_record *r)
{
    static const char *const ech[] = {NULL, "none", "offered", "grease", "accepted"};
    const struct td_cert_identity *leaf = &r->leaf[TD_SERVER];
    cJSON *a;

    if (r->has_group)
        add_name(o, CK(GROUP), TD_REG_SUPPORTED_GROUPS, r->group);
    else
        put(o, CK(GROUP), cJSON_CreateNull());
    add_cstring(o, CK(SUBJECT), leaf->subject);
    add_cstring(o, CK(ISSUER), leaf->issuer);
    add_opt_time(o, CK(NOT_BEFORE), leaf->has_validity, leaf->not_before);
    add_opt_time(o, CK(NOT_AFTER), leaf->has_validity, leaf->not_after);
    put(o, CK(SNI_MATCHES_CERT),
        r->sni_matches_cert < 0 ? cJSON_CreateNull() : cJSON_CreateBool(r->sni_matches_cert));
    if (r->client_certs_known) {
        a = cJSON_CreateArray();
        put(o, CK(CLIENT_CERTIFICATES), a);
        for (size_t i = 0; a && i < r->client_cert_count; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(r->client_certs[i]));
    } else {
        put(o, CK(CLIENT_CERTIFICATES), cJSON_CreateNull());
    }
    add_cstring(o, CK(CLIENT_SUBJECT), r->leaf[TD_CLIENT].subject);
    if (r->has_client_suites)
        add_u64(o, CK(CLIENT_CIPHER_SUITES_COUNT), r->client_cipher_suites);
    else
        put(o, CK(CLIENT_CIPHER_SUITES_COUNT), cJSON_CreateNull());
    if (ech[r->ech])
        add_static(o, CK(ECH), ech[r->ech]);
    else
        put(o, CK(ECH), cJSON_CreateNull());
    a = cJSON_CreateArray();
    put(o, CK(FINDINGS), a);
    for (size_t i = 0; a && r->findings && i < r->findings->count; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(a, x);
        add_static(x, CK(FINDING_CODE), td_finding_name(r->findings->list[i].code));
        put(x, CK(FINDING_REASON), cJSON_CreateString(r->findings->list[i].reason));
    }
}

static cJSON *connection_event(struct json_writer *j, const struct td_event *ev)
{
    const struct td_conn_summary *s = ev->u.connection;
    cJSON *o = event_head(j, "connection", ev), *a;
    char *history;
    static const char *const resumed[] = {"no", "session_id", "session_ticket", "psk"};

    add_time(j, o, CK(START), s->start);
    add_time(j, o, CK(END), s->end);
    add_opt_string(o, CK(COMMUNITY_ID), s->community_id);
    if (s->has_version)
        add_name(o, CK(VERSION), TD_REG_VERSIONS, s->version);
    else
        put(o, CK(VERSION), cJSON_CreateNull());
    if (s->has_cipher_suite)
        add_name(o, CK(CIPHER_SUITE), TD_REG_CIPHER_SUITES, s->cipher_suite);
    else
        put(o, CK(CIPHER_SUITE), cJSON_CreateNull());
    add_opt_wire(o, CK(SNI), s->sni, s->sni_len);
    add_opt_wire(o, CK(ALPN), s->alpn, s->alpn_len);
    put(o, CK(ESTABLISHED), cJSON_CreateBool(s->established));
    if (s->resumption_known)
        put(o, CK(RESUMED), cJSON_CreateString(resumed[s->resumed]));
    else
        put(o, CK(RESUMED), cJSON_CreateNull());
    if (s->resumed_from)
        add_u64(o, CK(RESUMED_FROM), s->resumed_from);
    else
        put(o, CK(RESUMED_FROM), cJSON_CreateNull());
    history = history_text(s);
    add_opt_string(o, CK(HISTORY), history);
    free(history);
    add_opt_string(o, CK(JA3), s->ja3);
    add_opt_string(o, CK(JA3S), s->ja3s);
    add_opt_string(o, CK(JA4), s->ja4);
    a = cJSON_CreateArray();
    put(o, CK(SERVER_CERTIFICATES), a);
    for (size_t i = 0; a && i < s->server_cert_count; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(s->server_certs[i]));
    if (s->validation.done) {
        cJSON *v = cJSON_CreateObject(), *errors = cJSON_CreateArray();
        const char *status = "ok";
        for (int k = 0; k < TD_CERT_PROBLEMS; k++) {
            if (!(s->validation.problems >> k & 1))
                continue;
            if (cJSON_GetArraySize(errors) == 0)
                status = td_cert_problem_name((enum td_cert_problem)k);
            cJSON_AddItemToArray(errors, cJSON_CreateStringReference(td_cert_problem_name((enum td_cert_problem)k)));
        }
        add_static(v, CK(VALIDATION_STATUS), status);
        put(v, CK(VALIDATION_ERRORS), errors);
        if (s->validation.detail[0])
            put(v, CK(VALIDATION_DETAIL), cJSON_CreateString(s->validation.detail));
        put(o, CK(CERTIFICATE_VALIDATION), v);
    } else {
        put(o, CK(CERTIFICATE_VALIDATION), cJSON_CreateNull());
    }
    a = cJSON_CreateArray();
    put(o, CK(ALERTS), a);
    for (size_t i = 0; a && i < s->alert_count; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(a, x);
        put(x, CK(ALERT_FROM), cJSON_CreateString(s->alerts[i].from == TD_CLIENT ? "client" : "server"));
        if (s->alerts[i].encrypted) {
            put(x, CK(ALERT_LEVEL), cJSON_CreateNull());
            put(x, CK(ALERT_DESCRIPTION), cJSON_CreateNull());
            put(x, CK(ALERT_ENCRYPTED), cJSON_CreateTrue());
        } else {
            alert(x, &s->alerts[i].alert);
        }
    }
    if (s->has_handshake_time)
        add_i64(o, CK(HANDSHAKE_US), s->handshake_us);
    else
        put(o, CK(HANDSHAKE_US), cJSON_CreateNull());
    if (s->has_rtt)
        add_i64(o, CK(TCP_RTT_US), s->tcp_rtt_us);
    else
        put(o, CK(TCP_RTT_US), cJSON_CreateNull());
    add_u64(o, CK(BYTES_CLIENT), s->bytes_client);
    add_u64(o, CK(BYTES_SERVER), s->bytes_server);
    if (ev->conn && ev->conn->transport == TD_TRANSPORT_QUIC) {
        add_u64(o, CK(QUIC_1RTT_PACKETS_CLIENT), s->quic_1rtt_packets[TD_CLIENT]);
        add_u64(o, CK(QUIC_1RTT_PACKETS_SERVER), s->quic_1rtt_packets[TD_SERVER]);
    }
    add_u64(o, CK(ANOMALIES), s->anomalies);
    /* only with a key log: without one the event is the contract's, byte for byte */
    if (s->decryption != TD_DECRYPTION_NONE)
        add_static(o, CK(DECRYPTION), td_decryption_name(s->decryption));
    if (s->app_data[TD_CLIENT].kept)
        add_wire(o, CK(APP_DATA_CLIENT), s->app_data[TD_CLIENT].data, s->app_data[TD_CLIENT].len);
    if (s->app_data[TD_SERVER].kept)
        add_wire(o, CK(APP_DATA_SERVER), s->app_data[TD_SERVER].data, s->app_data[TD_SERVER].len);
    if (s->early_data != TD_EARLY_DATA_NONE)
        add_static(o, CK(EARLY_DATA), td_early_data_name(s->early_data));
    if (s->has_early_data_bytes)
        add_u64(o, CK(EARLY_DATA_BYTES), s->early_data_bytes);
    connection_record(o, &s->record);
    if (s->secrets_shown) { /* --show-secrets only */
        cJSON *list = cJSON_CreateArray();
        put(o, CK(SECRETS), list);
        for (size_t i = 0; list && i < s->secret_count; i++) {
            cJSON *x = cJSON_CreateObject();
            struct td_bytes b = {s->secrets[i].bytes, s->secrets[i].len};
            cJSON_AddItemToArray(list, x);
            add_static(x, CK(SECRET_LABEL), s->secrets[i].label);
            add_hex(x, CK(SECRET_VALUE), &b);
        }
    }
    return o;
}

static cJSON *anomaly_event(struct json_writer *j, const struct td_event *ev)
{
    cJSON *o = event_head(j, "anomaly", ev);
    put(o, "what", cJSON_CreateString(td_anomaly_name(ev->u.anomaly->kind)));
    add_wire(o, "detail", (const uint8_t *)ev->u.anomaly->detail, strlen(ev->u.anomaly->detail));
    return o;
}

static cJSON *stats_event(struct json_writer *j, const struct td_event *ev)
{
    const struct td_stats *st = ev->u.stats;
    cJSON *o = event_head(j, "stats", ev), *a;

    add_u64(o, "packets", st->packets);
    add_u64(o, "bytes", st->bytes);
    add_u64(o, "connections", st->connections);
    add_u64(o, "tls_connections", st->tls_connections);
    a = cJSON_CreateObject();
    put(o, "anomalies", a);
    for (int k = 0; a && k < TD_ANOM_COUNT; k++)
        if (st->anomalies[k])
            add_u64(a, td_anomaly_name((enum td_anomaly_kind)k), st->anomalies[k]);
    add_u64(o, "evicted_flows", st->evicted_flows);
    if (st->udp_packets_ignored) { /* only when there were some: the contract's stats otherwise */
        add_u64(o, "udp_packets_not_dissected", st->udp_packets_ignored);
        add_u64(o, "udp_bytes_not_dissected", st->udp_bytes_ignored);
    }
    if (st->live) {
        add_u64(o, "kernel_received", st->kernel_received);
        add_u64(o, "kernel_dropped", st->kernel_dropped);
    }
    return o;
}

/* The event's line in j->buf (no newline), or NULL when out of memory. */
static const char *render_event(struct json_writer *j, const struct td_event *ev)
{
    cJSON *o = NULL;

    switch (ev->type) {
    case TD_EV_MESSAGE: o = message_event(j, ev); break;
    case TD_EV_CONNECTION: o = connection_event(j, ev); break;
    case TD_EV_ANOMALY: o = anomaly_event(j, ev); break;
    case TD_EV_STATS: o = stats_event(j, ev); break;
    }
    if (o == NULL)
        return NULL;
    while (!cJSON_PrintPreallocated(o, j->buf, (int)j->cap, 0)) {
        size_t cap = j->cap * 2;
        char *grown = cap < (1u << 30) ? realloc(j->buf, cap) : NULL;
        if (grown == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        j->buf = grown;
        j->cap = cap;
    }
    cJSON_Delete(o);
    return j->buf;
}

const char *td_json_render(struct td_sink *json, const struct td_event *ev)
{
    return render_event((struct json_writer *)json, ev);
}

static void json_event(struct td_sink *sink, const struct td_event *ev)
{
    struct json_writer *j = (struct json_writer *)sink;
    const char *line = render_event(j, ev);

    if (line == NULL || j->w.out == NULL)
        return;
    fputs(line, j->w.out);
    fputc('\n', j->w.out);
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
