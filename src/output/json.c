/*
 * json.c — NDJSON events per docs/output-contract.md.
 *
 * Each event is streamed into one reused buffer by json_out.c, whose bytes
 * are exactly cJSON_PrintUnformatted's for the tree this file used to build
 * (members in the order written; tests/unit/test_json_out.c holds it to
 * cJSON).  Keys in a fixed order.
 * Wire strings go through td_escape() first (JSON would pass invalid
 * UTF-8 through), with a `<name>_hex` sibling when anything was escaped.
 * Integers are written as decimal digits (never an exponent, exact past 2^53).
 * What does not change within a connection (its number, endpoints, VLANs and
 * transport) is rendered once and copied into its later events.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "sink_private.h"
#include "tlsdissect/codepoints.h"
#include "tlsdissect/conn_fields.h"
#include "tlsdissect/escape.h"
#include "tlsdissect/findings.h"
#include "tlsdissect/format.h"
#include "tlsdissect/quic.h"
#include "tlsdissect/registry.h"

/*
 * A connection's head fragment (`,"conn":..,"client":{..},"server":{..}`,
 * VLANs, transport) as last rendered, in a slot chosen by the connection
 * number.  It is used only while the connection's identity is field for
 * field the one it was rendered from (roles may swap after the first ClientHello),
 * and dropped when the connection event is written: bounded by the table.
 */
#define CONN_HEAD_SLOTS 1024
#define CONN_HEAD_MAX 256

struct conn_head {
    bool valid;
    struct td_conn_id id;
    uint16_t len;
    char text[CONN_HEAD_MAX];
};

struct json_writer {
    struct td_writer w;
    struct json_out out;
    int64_t time_second;        /* the second whose text is cached */
    char time_text[TD_TIME_BUF]; /* RFC 3339 of that second, with microseconds */
    struct conn_head *heads;    /* CONN_HEAD_SLOTS of them */
};

/* ---- field helpers ------------------------------------------------------ */

/*
 * Each helper writes one member `"name":value` of the object being written
 * (json_out_key puts the comma).  Strings are escaped as cJSON escapes them;
 * integers are plain digits, as cJSON prints the raw items this file used.
 */
static void add_u64(struct json_out *o, const char *name, uint64_t v)
{
    json_out_key(o, name);
    json_out_uint(o, v);
}

static void add_i64(struct json_out *o, const char *name, int64_t v)
{
    if (v >= 0) {
        add_u64(o, name, (uint64_t)v);
    } else {
        char num[24];
        int n = snprintf(num, sizeof num, "%" PRId64, v);
        json_out_key(o, name);
        json_out_raw(o, num, (size_t)n);
    }
}

/* A key of the connection event, by its name in the one table (conn_fields.h). */
#define CK(key) td_conn_key_name(TD_CK_##key)

/* A static string (cJSON_CreateStringReference: NULL would print as ""). */
static void add_static(struct json_out *o, const char *name, const char *s)
{
    json_out_key(o, name);
    json_out_cstring(o, s);
}

/* A string; none at all when s is NULL (cJSON_CreateString(NULL) made no item). */
static void add_string(struct json_out *o, const char *name, const char *s)
{
    if (s)
        add_static(o, name, s);
}

static void add_null(struct json_out *o, const char *name)
{
    json_out_key(o, name);
    json_out_raw(o, "null", 4);
}

static void add_bool(struct json_out *o, const char *name, bool b)
{
    json_out_key(o, name);
    if (b)
        json_out_raw(o, "true", 4);
    else
        json_out_raw(o, "false", 5);
}

static void add_true(struct json_out *o, const char *name) { add_bool(o, name, true); }

static void name_value(struct json_out *o, enum td_registry reg, uint16_t v)
{
    char buf[TD_REG_NAME_BUF];
    json_out_cstring(o, td_registry_name(reg, v, buf));
}

static void add_name(struct json_out *o, const char *name, enum td_registry reg, uint16_t v)
{
    json_out_key(o, name);
    name_value(o, reg, v);
}

/* The fragments json.c memoises (json_out_memo_*): a registry's list of names, a certificate. */
enum { MEMO_TAG_NAMES = 0, MEMO_TAG_CERTIFICATE = 0x10000 };

/* A list of names, rendered once per distinct list (the lists a client software sends repeat). */
static void add_names(struct json_out *o, const char *name, enum td_registry reg, const uint16_t *v, size_t n)
{
    size_t start;
    json_out_key(o, name);
    if (json_out_memo_copy(o, MEMO_TAG_NAMES + (uint32_t)reg, v, n * sizeof *v))
        return;
    start = o->len;
    json_out_open(o, '[');
    for (size_t i = 0; i < n; i++) {
        json_out_elem(o);
        name_value(o, reg, v[i]);
    }
    json_out_close(o, ']');
    json_out_memo_keep(o, MEMO_TAG_NAMES + (uint32_t)reg, v, n * sizeof *v, start);
}

/* `<name>_omitted`: entries of a list past its output cap (docs/limits.md), when there are any. */
static void add_omitted(struct json_out *o, const char *name, size_t omitted)
{
    char key[64];
    if (omitted == 0)
        return;
    snprintf(key, sizeof key, "%s_omitted", name);
    add_u64(o, key, omitted);
}

/* A list of code points as names: the entries the parser left listed, then the count of the rest. */
static void add_code_points(struct json_out *o, const char *name, enum td_registry reg,
                            const struct td_u16_list *l)
{
    add_names(o, name, reg, l->v, td_u16_listed(l));
    add_omitted(o, name, l->omitted);
}

static void add_byte_names(struct json_out *o, const char *name, enum td_registry reg, const struct td_bytes *b)
{
    json_out_key(o, name);
    json_out_open(o, '[');
    for (size_t i = 0; i < b->len; i++) {
        json_out_elem(o);
        name_value(o, reg, b->data[i]);
    }
    json_out_close(o, ']');
}

static void add_hex(struct json_out *o, const char *name, const struct td_bytes *b)
{
    json_out_key(o, name);
    json_out_hex(o, b->data, b->len);
}

/* An escaped wire string as a value; returns whether a _hex sibling is due. */
static bool wire_value(struct json_out *o, const uint8_t *p, size_t n)
{
    char *text = json_out_scratch(o, td_escape_size(n));
    bool changed;
    if (text == NULL)
        return false;
    changed = td_escape(p, n, text);
    json_out_cstring(o, text);
    return changed;
}

static void add_wire(struct json_out *o, const char *name, const uint8_t *p, size_t n)
{
    json_out_key(o, name);
    if (wire_value(o, p, n)) {
        char hexname[64];
        snprintf(hexname, sizeof hexname, "%s_hex", name);
        json_out_key(o, hexname);
        json_out_hex(o, p, n);
    }
}

static void add_wire_list(struct json_out *o, const char *name, const struct td_bytes_list *l)
{
    bool any = false;
    json_out_key(o, name);
    json_out_open(o, '[');
    for (size_t i = 0; i < l->n; i++) {
        json_out_elem(o);
        any |= wire_value(o, l->v[i].data, l->v[i].len);
    }
    json_out_close(o, ']');
    if (any) {
        char hexname[64];
        snprintf(hexname, sizeof hexname, "%s_hex", name);
        json_out_key(o, hexname);
        json_out_open(o, '[');
        for (size_t i = 0; i < l->n; i++) {
            json_out_elem(o);
            json_out_hex(o, l->v[i].data, l->v[i].len);
        }
        json_out_close(o, ']');
    }
    add_omitted(o, name, l->omitted);
}

/* Every event has a time: format its second once, then only the microseconds. */
static void add_time(struct json_writer *j, struct json_out *o, const char *name, td_time_us t)
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
    add_static(o, name, j->time_text);
}

static void add_endpoint(struct json_out *o, const char *name, const struct td_endpoint *ep)
{
    char buf[TD_ADDR_BUF];
    json_out_key(o, name);
    json_out_open(o, '{');
    add_static(o, CK(ENDPOINT_IP), td_format_addr(ep->family, ep->addr, buf));
    add_u64(o, CK(ENDPOINT_PORT), (uint64_t)(ep->port));
    json_out_close(o, '}');
}

/* conn ... transport: the members every event of the connection repeats. */
static void conn_head(struct json_out *o, const struct td_conn_id *c)
{
    add_u64(o, CK(CONN), c->conn);
    add_endpoint(o, CK(CLIENT), &c->client);
    add_endpoint(o, CK(SERVER), &c->server);
    if (c->nvlan) {
        json_out_key(o, CK(VLAN));
        json_out_open(o, '[');
        for (uint8_t i = 0; i < c->nvlan; i++) {
            json_out_elem(o);
            json_out_uint(o, c->vlan[i]);
        }
        json_out_close(o, ']');
    }
    if (c->transport == TD_TRANSPORT_QUIC) {
        char vbuf[11];
        add_static(o, CK(TRANSPORT), "quic");
        add_static(o, CK(QUIC_VERSION), td_quic_version_name(c->quic_version, vbuf));
    }
    if (c->transport == TD_TRANSPORT_DTLS)
        add_static(o, CK(TRANSPORT), "dtls");
    if (c->transport == TD_TRANSPORT_TCP)
        add_static(o, CK(TRANSPORT), "tcp");
}

static bool same_endpoint(const struct td_endpoint *a, const struct td_endpoint *b)
{
    return a->family == b->family && a->port == b->port &&
           memcmp(a->addr, b->addr, a->family == 4 ? 4 : sizeof a->addr) == 0;
}

/* Field by field: what conn_head prints (padding and unused entries are not compared). */
static bool same_conn_id(const struct td_conn_id *a, const struct td_conn_id *b)
{
    return a->conn == b->conn && same_endpoint(&a->client, &b->client) &&
           same_endpoint(&a->server, &b->server) && a->nvlan == b->nvlan &&
           memcmp(a->vlan, b->vlan, a->nvlan * sizeof a->vlan[0]) == 0 &&
           a->transport == b->transport &&
           (a->transport != TD_TRANSPORT_QUIC || a->quic_version == b->quic_version);
}

/* conn_head, copied from its slot when the identity is unchanged since it was rendered. */
static void cached_conn_head(struct json_writer *j, struct json_out *o, const struct td_conn_id *c)
{
    struct conn_head *h = &j->heads[c->conn % CONN_HEAD_SLOTS];
    size_t start = o->len;

    if (h->valid && same_conn_id(&h->id, c)) {
        json_out_raw(o, h->text, h->len);
        return;
    }
    conn_head(o, c);
    h->valid = !o->failed && o->len - start <= CONN_HEAD_MAX;
    if (h->valid) {
        h->id = *c;
        h->len = (uint16_t)(o->len - start);
        memcpy(h->text, o->buf + start, h->len);
    }
}

/* The connection's event is its last: its slot is free again. */
static void drop_conn_head(struct json_writer *j, const struct td_conn_id *c)
{
    struct conn_head *h = &j->heads[c->conn % CONN_HEAD_SLOTS];
    if (h->valid && h->id.conn == c->conn)
        h->valid = false;
}

/* Opens the event's object: type, ts, frame, then the connection's members. */
static struct json_out *event_head(struct json_writer *j, const char *type, const struct td_event *ev)
{
    struct json_out *o = &j->out;
    json_out_reset(o);
    json_out_open(o, '{');
    add_static(o, CK(TYPE), type);
    add_time(j, o, CK(TS), ev->ts);
    /* a message's packet, as Wireshark numbers it: the one that completed it */
    if (ev->type == TD_EV_MESSAGE && ev->frame)
        add_u64(o, "frame", ev->frame);
    if (ev->conn)
        cached_conn_head(j, o, ev->conn);
    return o;
}

/* ---- messages ----------------------------------------------------------- */

static void client_hello(struct json_out *o, const struct td_client_hello *ch)
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
        add_string(o, "ja3", ch->ja3);
        add_string(o, "ja3_string", ch->ja3_string);
    }
    if (ch->ja4)
        add_string(o, "ja4", ch->ja4);
    if (ch->has_ec_point_formats)
        add_byte_names(o, "ec_point_formats", TD_REG_EC_POINT_FORMATS, &ch->ec_point_formats);
    if (ch->sslv2_format) {
        add_true(o, "sslv2_format");
        if (ch->sslv2_only_kinds)
            add_u64(o, "sslv2_only_cipher_kinds", ch->sslv2_only_kinds);
    }
}

static void server_hello(struct json_out *o, const struct td_server_hello *sh)
{
    add_name(o, "legacy_version", TD_REG_VERSIONS, sh->legacy_version);
    add_name(o, "version", TD_REG_VERSIONS, sh->version);
    if (sh->sslv2_format) {
        add_hex(o, "connection_id", &sh->random);
        add_true(o, "sslv2_format");
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
        add_string(o, "ja3s", sh->ja3s);
        add_string(o, "ja3s_string", sh->ja3s_string);
    }
}

static void encrypted_extensions(struct json_out *o, const struct td_encrypted_extensions *ee)
{
    add_code_points(o, "extensions", TD_REG_EXTENSIONS, &ee->extensions);
    if (ee->has_alpn)
        add_wire(o, "alpn", ee->alpn.data, ee->alpn.len);
    if (ee->server_name_ack)
        add_true(o, "server_name_ack");
    if (ee->early_data)
        add_true(o, "early_data");
    if (ee->has_record_size_limit)
        add_u64(o, "record_size_limit", ee->record_size_limit);
    if (ee->has_max_fragment_length)
        add_u64(o, "max_fragment_length", ee->max_fragment_length);
    if (ee->has_supported_groups)
        add_code_points(o, "supported_groups", TD_REG_SUPPORTED_GROUPS, &ee->supported_groups);
    if (ee->has_quic_transport_parameters)
        add_true(o, "quic_transport_parameters");
}

static void add_cstring(struct json_out *o, const char *name, const char *s)
{
    if (s)
        add_wire(o, name, (const uint8_t *)s, strlen(s));
    else
        add_null(o, name);
}

/* One certificate's object (RFC 8446 §4.4.2 CertificateEntry, RFC 5280 fields). */
static void certificate_entry(struct json_out *o, const struct td_cert_info *ci)
{
    char buf[TD_TIME_BUF];
    if (ci->parsed) {
        add_cstring(o, "subject", ci->subject);
        add_cstring(o, "issuer", ci->issuer);
        add_cstring(o, "serial", ci->serial);
        if (ci->has_validity) {
            add_string(o, "not_before", td_format_time_seconds(ci->not_before, buf));
            add_string(o, "not_after", td_format_time_seconds(ci->not_after, buf));
        } else {
            add_null(o, "not_before");
            add_null(o, "not_after");
        }
        add_wire_list(o, "san", &ci->san);
        add_cstring(o, "key_type", ci->key_type);
        add_u64(o, "key_bits", (uint64_t)(ci->key_bits));
        add_cstring(o, "signature_algorithm", ci->signature_algorithm);
        add_bool(o, "is_ca", ci->is_ca);
    }
    if (ci->sha256[0]) {
        add_string(o, "sha256", ci->sha256);
        add_string(o, "sha1", ci->sha1);
    }
    add_u64(o, "length", ci->der_len);
}

static void certificate(struct json_out *o, const struct td_certificate *c)
{
    json_out_key(o, "certificates");
    json_out_open(o, '[');
    for (size_t i = 0; i < c->count; i++) {
        const struct td_cert_info *ci = &c->certs[i];
        size_t start;
        json_out_elem(o);
        /* an entry is a function of its DER: keyed by the DER's SHA-256 when it was hashed */
        if (ci->sha256[0] && json_out_memo_copy(o, MEMO_TAG_CERTIFICATE, ci->sha256, sizeof ci->sha256))
            continue;
        start = o->len;
        json_out_open(o, '{');
        certificate_entry(o, ci);
        json_out_close(o, '}');
        if (ci->sha256[0])
            json_out_memo_keep(o, MEMO_TAG_CERTIFICATE, ci->sha256, sizeof ci->sha256, start);
    }
    json_out_close(o, ']');
    add_omitted(o, "certificates", c->omitted);
}

static void compressed_certificate(struct json_out *o, const struct td_compressed_certificate *cc)
{
    add_name(o, "compression", TD_REG_CERT_COMPRESSION, cc->algorithm);
    if (cc->compressed_length)
        add_u64(o, "compressed_length", cc->compressed_length);
    add_u64(o, "uncompressed_length", cc->uncompressed_length);
    if (cc->decompressed)
        certificate(o, &cc->certificate);
}

static void server_key_exchange(struct json_out *o, const struct td_server_key_exchange *k)
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

static void alert(struct json_out *o, const struct td_alert *a)
{
    add_name(o, CK(ALERT_LEVEL), TD_REG_ALERT_LEVELS, a->level);
    add_name(o, CK(ALERT_DESCRIPTION), TD_REG_ALERTS, a->description);
}

static void message_fields(struct json_out *o, const struct td_message *m)
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

static void message_event(struct json_writer *j, const struct td_event *ev)
{
    const struct td_message *m = ev->u.message;
    struct json_out *o = event_head(j, "message", ev);

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
        add_true(o, "encrypted");
        add_u64(o, "length", m->length);
        return;
    }
    if (m->decrypted)
        add_true(o, "decrypted");
    if (m->finished_check != TD_FINISHED_UNCHECKED)
        add_bool(o, "verified", m->finished_check == TD_FINISHED_VERIFIED);
    if (m->malformed)
        add_true(o, "malformed");
    if (m->truncated) {
        add_true(o, "truncated");
        add_u64(o, "length", m->length);
        add_u64(o, "captured", m->captured);
    }
    if (m->kind == TD_MSG_OTHER_HANDSHAKE)
        add_name(o, "handshake_type", TD_REG_HANDSHAKE_TYPES, m->handshake_type);
    if (m->parsed)
        message_fields(o, m);
    else if (m->has_fields)
        add_bool(o, "parsed", false);
}

/* ---- connection, anomaly, stats ----------------------------------------- */

static void add_opt_wire(struct json_out *o, const char *name, const char *s, size_t len)
{
    if (s)
        add_wire(o, name, (const uint8_t *)s, len);
    else
        add_null(o, name);
}

static void add_opt_string(struct json_out *o, const char *name, const char *s)
{
    if (s && *s)
        add_static(o, name, s);
    else
        add_null(o, name);
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

static void add_opt_time(struct json_out *o, const char *name, bool known, int64_t seconds)
{
    char buf[TD_TIME_BUF];
    if (known)
        add_static(o, name, td_format_time_seconds(seconds, buf));
    else
        add_null(o, name);
}

/* An array of certificate fingerprints (sha256 hex). */
static void add_sha256_array(struct json_out *o, const char *name, const char (*v)[65], size_t n)
{
    json_out_key(o, name);
    json_out_open(o, '[');
    for (size_t i = 0; i < n; i++) {
        json_out_elem(o);
        json_out_cstring(o, v[i]);
    }
    json_out_close(o, ']');
}

/* The connection record (model.h struct td_conn_record): group ... findings. */
static void connection_record(struct json_out *o, const struct td_conn_record *r)
{
    static const char *const ech[] = {NULL, "none", "offered", "grease", "accepted"};
    const struct td_cert_identity *leaf = &r->leaf[TD_SERVER];

    if (r->has_group)
        add_name(o, CK(GROUP), TD_REG_SUPPORTED_GROUPS, r->group);
    else
        add_null(o, CK(GROUP));
    add_cstring(o, CK(SUBJECT), leaf->subject);
    add_cstring(o, CK(ISSUER), leaf->issuer);
    add_opt_time(o, CK(NOT_BEFORE), leaf->has_validity, leaf->not_before);
    add_opt_time(o, CK(NOT_AFTER), leaf->has_validity, leaf->not_after);
    if (r->sni_matches_cert < 0)
        add_null(o, CK(SNI_MATCHES_CERT));
    else
        add_bool(o, CK(SNI_MATCHES_CERT), r->sni_matches_cert);
    if (r->client_certs_known)
        add_sha256_array(o, CK(CLIENT_CERTIFICATES), r->client_certs, r->client_cert_count);
    else
        add_null(o, CK(CLIENT_CERTIFICATES));
    add_cstring(o, CK(CLIENT_SUBJECT), r->leaf[TD_CLIENT].subject);
    if (r->has_client_suites)
        add_u64(o, CK(CLIENT_CIPHER_SUITES_COUNT), r->client_cipher_suites);
    else
        add_null(o, CK(CLIENT_CIPHER_SUITES_COUNT));
    if (ech[r->ech])
        add_static(o, CK(ECH), ech[r->ech]);
    else
        add_null(o, CK(ECH));
    json_out_key(o, CK(FINDINGS));
    json_out_open(o, '[');
    for (size_t i = 0; r->findings && i < r->findings->count; i++) {
        json_out_elem(o);
        json_out_open(o, '{');
        add_static(o, CK(FINDING_CODE), td_finding_name(r->findings->list[i].code));
        add_string(o, CK(FINDING_REASON), r->findings->list[i].reason);
        json_out_close(o, '}');
    }
    json_out_close(o, ']');
}

/* certificate_validation: status is the first problem found (or "ok"), then every problem. */
static void certificate_validation(struct json_out *o, const struct td_conn_summary *s)
{
    const char *status = "ok";
    if (!s->validation.done) {
        add_null(o, CK(CERTIFICATE_VALIDATION));
        return;
    }
    for (int k = 0; k < TD_CERT_PROBLEMS; k++)
        if (s->validation.problems >> k & 1) {
            status = td_cert_problem_name((enum td_cert_problem)k);
            break;
        }
    json_out_key(o, CK(CERTIFICATE_VALIDATION));
    json_out_open(o, '{');
    add_static(o, CK(VALIDATION_STATUS), status);
    json_out_key(o, CK(VALIDATION_ERRORS));
    json_out_open(o, '[');
    for (int k = 0; k < TD_CERT_PROBLEMS; k++) {
        if (!(s->validation.problems >> k & 1))
            continue;
        json_out_elem(o);
        json_out_cstring(o, td_cert_problem_name((enum td_cert_problem)k));
    }
    json_out_close(o, ']');
    if (s->validation.detail[0])
        add_static(o, CK(VALIDATION_DETAIL), s->validation.detail);
    json_out_close(o, '}');
}

static void connection_event(struct json_writer *j, const struct td_event *ev)
{
    const struct td_conn_summary *s = ev->u.connection;
    struct json_out *o = event_head(j, "connection", ev);
    char *history;
    static const char *const resumed[] = {"no", "session_id", "session_ticket", "psk"};

    if (ev->conn)
        drop_conn_head(j, ev->conn);
    add_time(j, o, CK(START), s->start);
    add_time(j, o, CK(END), s->end);
    add_opt_string(o, CK(COMMUNITY_ID), s->community_id);
    if (s->has_version)
        add_name(o, CK(VERSION), TD_REG_VERSIONS, s->version);
    else
        add_null(o, CK(VERSION));
    if (s->has_cipher_suite)
        add_name(o, CK(CIPHER_SUITE), TD_REG_CIPHER_SUITES, s->cipher_suite);
    else
        add_null(o, CK(CIPHER_SUITE));
    add_opt_wire(o, CK(SNI), s->sni, s->sni_len);
    add_opt_wire(o, CK(ALPN), s->alpn, s->alpn_len);
    add_bool(o, CK(ESTABLISHED), s->established);
    if (s->resumption_known)
        add_static(o, CK(RESUMED), resumed[s->resumed]);
    else
        add_null(o, CK(RESUMED));
    if (s->resumed_from)
        add_u64(o, CK(RESUMED_FROM), s->resumed_from);
    else
        add_null(o, CK(RESUMED_FROM));
    history = history_text(s);
    add_opt_string(o, CK(HISTORY), history);
    free(history);
    add_opt_string(o, CK(JA3), s->ja3);
    add_opt_string(o, CK(JA3S), s->ja3s);
    add_opt_string(o, CK(JA4), s->ja4);
    add_sha256_array(o, CK(SERVER_CERTIFICATES), s->server_certs, s->server_cert_count);
    certificate_validation(o, s);
    json_out_key(o, CK(ALERTS));
    json_out_open(o, '[');
    for (size_t i = 0; i < s->alert_count; i++) {
        json_out_elem(o);
        json_out_open(o, '{');
        add_static(o, CK(ALERT_FROM), s->alerts[i].from == TD_CLIENT ? "client" : "server");
        if (s->alerts[i].encrypted) {
            add_null(o, CK(ALERT_LEVEL));
            add_null(o, CK(ALERT_DESCRIPTION));
            add_true(o, CK(ALERT_ENCRYPTED));
        } else {
            alert(o, &s->alerts[i].alert);
        }
        json_out_close(o, '}');
    }
    json_out_close(o, ']');
    if (s->has_handshake_time)
        add_i64(o, CK(HANDSHAKE_US), s->handshake_us);
    else
        add_null(o, CK(HANDSHAKE_US));
    if (s->has_rtt)
        add_i64(o, CK(TCP_RTT_US), s->tcp_rtt_us);
    else
        add_null(o, CK(TCP_RTT_US));
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
        json_out_key(o, CK(SECRETS));
        json_out_open(o, '[');
        for (size_t i = 0; i < s->secret_count; i++) {
            struct td_bytes b = {s->secrets[i].bytes, s->secrets[i].len};
            json_out_elem(o);
            json_out_open(o, '{');
            add_static(o, CK(SECRET_LABEL), s->secrets[i].label);
            add_hex(o, CK(SECRET_VALUE), &b);
            json_out_close(o, '}');
        }
        json_out_close(o, ']');
    }
}

static void anomaly_event(struct json_writer *j, const struct td_event *ev)
{
    struct json_out *o = event_head(j, "anomaly", ev);
    add_string(o, "what", td_anomaly_name(ev->u.anomaly->kind));
    add_wire(o, "detail", (const uint8_t *)ev->u.anomaly->detail, strlen(ev->u.anomaly->detail));
}

static void stats_event(struct json_writer *j, const struct td_event *ev)
{
    const struct td_stats *st = ev->u.stats;
    struct json_out *o = event_head(j, "stats", ev);

    add_u64(o, "packets", st->packets);
    add_u64(o, "bytes", st->bytes);
    add_u64(o, "connections", st->connections);
    add_u64(o, "tls_connections", st->tls_connections);
    json_out_key(o, "anomalies");
    json_out_open(o, '{');
    for (int k = 0; k < TD_ANOM_COUNT; k++)
        if (st->anomalies[k])
            add_u64(o, td_anomaly_name((enum td_anomaly_kind)k), st->anomalies[k]);
    json_out_close(o, '}');
    add_u64(o, "evicted_flows", st->evicted_flows);
    if (st->udp_packets_ignored) { /* only when there were some: the contract's stats otherwise */
        add_u64(o, "udp_packets_not_dissected", st->udp_packets_ignored);
        add_u64(o, "udp_bytes_not_dissected", st->udp_bytes_ignored);
    }
    if (st->live) {
        add_u64(o, "kernel_received", st->kernel_received);
        add_u64(o, "kernel_dropped", st->kernel_dropped);
    }
}

/* The event's line in the writer's buffer (no newline), or NULL when out of memory. */
static const char *render_event(struct json_writer *j, const struct td_event *ev)
{
    switch (ev->type) {
    case TD_EV_MESSAGE: message_event(j, ev); break;
    case TD_EV_CONNECTION: connection_event(j, ev); break;
    case TD_EV_ANOMALY: anomaly_event(j, ev); break;
    case TD_EV_STATS: stats_event(j, ev); break;
    default: return NULL;
    }
    json_out_close(&j->out, '}');
    return json_out_text(&j->out);
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
    j->out.buf[j->out.len] = '\n'; /* the buffer keeps room for it (json_out_reserve) */
    fwrite(line, 1, j->out.len + 1, j->w.out);
}

static void json_destroy(struct td_writer *w)
{
    struct json_writer *j = (struct json_writer *)w;
    json_out_free(&j->out);
    free(j->heads);
}

struct td_sink *td_json_sink_new(FILE *out)
{
    struct json_writer *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->heads = calloc(CONN_HEAD_SLOTS, sizeof *j->heads);
    if (j->heads == NULL || !json_out_init(&j->out, 64 * 1024) || !json_out_memo_enable(&j->out)) {
        json_out_free(&j->out);
        free(j->heads);
        free(j);
        return NULL;
    }
    j->w.sink.event = json_event;
    j->w.out = out;
    j->w.destroy = json_destroy;
    return &j->w.sink;
}
