/*
 * text.c — the human-readable transcript: per connection, one line per
 * message (time since the connection's first message, direction, name,
 * key fields), anomalies inline, and a one-line summary; fits 100 columns.
 *
 * Events of different connections interleave in a capture, so each
 * connection's lines are kept until its summary arrives and printed as one
 * block (live mode prints every line at once, tagged with the connection
 * number).  Wire strings are escaped as in the JSON output, so a hostile
 * name can never reach the terminal raw.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_map.h"
#include "explain.h"
#include "tlsdissect/findings.h"
#include "sink_private.h"
#include "tlsdissect/buffer.h"
#include "tlsdissect/codepoints.h"
#include "tlsdissect/escape.h"
#include "tlsdissect/format.h"
#include "tlsdissect/quic.h"
#include "tlsdissect/registry.h"

#define WIDTH 100
#define DETAIL_COL 39          /* where message fields start (file mode) */
#define LIVE_PREFIX_EXTRA 4    /* live lines start with "#conn " instead of two spaces */
#define BLOCK_FLUSH (256 * 1024) /* a transcript this long is printed early */
#define TEXT_LIMIT (1u << 30)

enum color { C_NONE, C_DIM, C_BOLD, C_CLIENT, C_SERVER, C_WARN, C_BAD, C_GOOD };
static const char *const color_code[] = {
    [C_NONE] = "", [C_DIM] = "\033[2m", [C_BOLD] = "\033[1m", [C_CLIENT] = "\033[36m",
    [C_SERVER] = "\033[35m", [C_WARN] = "\033[33m", [C_BAD] = "\033[31m", [C_GOOD] = "\033[32m",
};

struct conn_text {
    uint64_t conn; /* first, for conn_map.h; 0: empty slot */
    struct td_conn_id id;
    td_time_us first_ts;
    bool header_done; /* live mode: the header line was printed */
    uint64_t explained[2]; /* bit (kind * 2 + from): explanation shown once */
    uint32_t keys_explained; /* bit (protection * 2 + from), and KeyUpdates: keys said once */
    struct td_buf text;
};

struct text_writer {
    struct td_writer w;
    struct td_text_options opt;
    struct td_conn_map conns;
    struct td_buf line;
    size_t col;
};

/* ---- the per-connection state (conn_map.h) ------------------------------ */

static struct conn_text *find_or_add(struct text_writer *t, const struct td_conn_id *id,
                                     td_time_us ts)
{
    struct conn_text *c = td_conn_map_find(&t->conns, id->conn);
    if (c)
        return c;
    c = td_conn_map_add(&t->conns, id->conn);
    if (c == NULL)
        return NULL;
    c->id = *id;
    c->first_ts = ts;
    return c;
}

static void release_conn_text(void *elem) { td_buf_free(&((struct conn_text *)elem)->text); }

static void remove_slot(struct text_writer *t, struct conn_text *c)
{
    release_conn_text(c);
    td_conn_map_remove(&t->conns, c);
}

/* ---- line building -------------------------------------------------------- */

static void put(struct text_writer *t, const char *s, size_t n)
{
    td_buf_append(&t->line, (const uint8_t *)s, n, TEXT_LIMIT);
}

static void puts_(struct text_writer *t, const char *s) { put(t, s, strlen(s)); }

static void color_on(struct text_writer *t, enum color c)
{
    if (t->opt.color && c != C_NONE)
        puts_(t, color_code[c]);
}

static void color_off(struct text_writer *t, enum color c)
{
    if (t->opt.color && c != C_NONE)
        puts_(t, "\033[0m");
}

/* Text that moves the cursor; colour codes do not. */
static void text(struct text_writer *t, enum color c, const char *s)
{
    color_on(t, c);
    puts_(t, s);
    color_off(t, c);
    t->col += strlen(s);
}

static void textf(struct text_writer *t, enum color c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void textf(struct text_writer *t, enum color c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    text(t, c, buf);
}

static void newline(struct text_writer *t)
{
    while (t->line.len > 0 && t->line.data[t->line.len - 1] == ' ')
        t->line.len--; /* no trailing blanks */
    put(t, "\n", 1);
    t->col = 0;
}

/* Words of s in colour c, wrapped at WIDTH with continuation lines indented. */
static void words(struct text_writer *t, enum color c, const char *s, size_t indent)
{
    bool first = true;
    while (*s) {
        const char *sp = strchr(s, ' ');
        size_t len = sp ? (size_t)(sp - s) : strlen(s);
        char word[256];
        if (len >= sizeof word)
            len = sizeof word - 1;
        memcpy(word, s, len);
        word[len] = '\0';
        if (!first && t->col + 1 + len > WIDTH) {
            newline(t);
            while (t->col < indent) {
                put(t, " ", 1);
                t->col++;
            }
        } else if (!first) {
            put(t, " ", 1);
            t->col++;
        }
        text(t, c, word);
        first = false;
        s += len;
        while (*s == ' ')
            s++;
    }
}

static void pad_to(struct text_writer *t, size_t col)
{
    while (t->col < col) {
        put(t, " ", 1);
        t->col++;
    }
}

/* Where message fields start: as wide a name column live as from a file. */
static size_t detail_col(const struct text_writer *t)
{
    return DETAIL_COL + (t->opt.live ? LIVE_PREFIX_EXTRA : 0);
}

/* A field token, wrapped onto a continuation line when the row is full. */
static void token(struct text_writer *t, enum color c, const char *s)
{
    size_t len = strlen(s);
    if (t->col > detail_col(t) && t->col + 1 + len > WIDTH) {
        newline(t);
        pad_to(t, detail_col(t));
    } else if (t->col > detail_col(t)) {
        put(t, " ", 1);
        t->col++;
    }
    text(t, c, s);
}

static void tokenf(struct text_writer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tokenf(struct text_writer *t, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    token(t, C_NONE, buf);
}

/* key=escaped wire string */
static void wire_token(struct text_writer *t, const char *key, const uint8_t *p, size_t n)
{
    size_t klen = strlen(key);
    char *buf = malloc(klen + 1 + td_escape_size(n));
    if (buf == NULL)
        return;
    memcpy(buf, key, klen);
    buf[klen] = '=';
    td_escape_terminal(p, n, buf + klen + 1);
    token(t, C_NONE, buf);
    free(buf);
}

/* key=name,name,... (at most `max` names, then "+N") */
static void names_token(struct text_writer *t, const char *key, enum td_registry reg,
                        const uint16_t *v, size_t n, size_t max)
{
    char buf[1024], name[TD_REG_NAME_BUF];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%s=", key);
    /* GREASE (RFC 8701) reads as such here; the JSON keeps the contract's hex */
    for (size_t i = 0; i < n && i < max && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? "," : "",
                                reg != TD_REG_CERTIFICATE_TYPES && td_is_grease(v[i])
                                    ? "GREASE" : td_registry_name(reg, v[i], name));
    if (n > max && len < sizeof buf)
        snprintf(buf + len, sizeof buf - len, ",+%zu", n - max);
    token(t, C_NONE, buf);
}

/* "+N more": entries of a list past its output cap (the parser counted them). */
static void more_token(struct text_writer *t, size_t omitted)
{
    if (omitted)
        tokenf(t, "+%zu more", omitted);
}

static const char *reg(enum td_registry r, uint16_t v, char buf[TD_REG_NAME_BUF])
{
    return td_registry_name(r, v, buf);
}

/* ---- message fields ------------------------------------------------------- */

static void client_hello(struct text_writer *t, const struct td_client_hello *ch)
{
    char b[TD_REG_NAME_BUF];
    if (ch->has_supported_versions)
        names_token(t, "versions", TD_REG_VERSIONS, ch->supported_versions.v,
                    ch->supported_versions.n, 6);
    else
        token(t, C_NONE, reg(TD_REG_VERSIONS, ch->legacy_version, b));
    if (ch->sslv2_format)
        token(t, C_NONE, "(SSLv2 format)");
    if (ch->has_sni)
        wire_token(t, "sni", ch->sni.data, ch->sni.len);
    if (ch->has_alpn && ch->alpn.n) {
        struct td_buf joined = {0};
        for (size_t i = 0; i < ch->alpn.n; i++) {
            if (i)
                td_buf_append(&joined, (const uint8_t *)",", 1, TEXT_LIMIT);
            td_buf_append(&joined, ch->alpn.v[i].data, ch->alpn.v[i].len, TEXT_LIMIT);
        }
        wire_token(t, "alpn", joined.data, joined.len);
        td_buf_free(&joined);
        more_token(t, ch->alpn.omitted);
    }
    if (ch->has_cipher_suites)
        tokenf(t, "suites=%zu", ch->cipher_suites.n);
    if (ch->has_supported_groups)
        names_token(t, "groups", TD_REG_SUPPORTED_GROUPS, ch->supported_groups.v,
                    ch->supported_groups.n, 4);
    if (ch->has_key_share)
        names_token(t, "key_share", TD_REG_SUPPORTED_GROUPS, ch->key_share.v, ch->key_share.n, 3);
    if (ch->has_compress_certificate)
        names_token(t, "compress_cert", TD_REG_CERT_COMPRESSION, ch->compress_certificate.v,
                    ch->compress_certificate.n, 3);
    if (ch->has_extensions && !ch->sslv2_format)
        tokenf(t, "extensions=%zu", ch->extensions.n);
    if (ch->session_id.len)
        tokenf(t, "session_id=%zuB", ch->session_id.len);
    if (ch->cookie.len)
        tokenf(t, "cookie=%zuB", ch->cookie.len);
    if (ch->has_session_ticket)
        tokenf(t, "ticket=%zuB", ch->session_ticket.len);
    if (ch->has_pre_shared_key)
        token(t, C_NONE, "psk");
    if (ch->ja4)
        tokenf(t, "ja4=%s", ch->ja4);
}

static void server_hello(struct text_writer *t, const struct td_server_hello *sh, bool hrr)
{
    char b[TD_REG_NAME_BUF];
    token(t, C_BOLD, reg(TD_REG_VERSIONS, sh->version, b));
    if (sh->sslv2_format || !sh->has_cipher_suite)
        return;
    token(t, C_NONE, reg(TD_REG_CIPHER_SUITES, sh->cipher_suite, b));
    if (sh->has_key_share)
        tokenf(t, "%s=%s", hrr ? "wants_key_share" : "key_share",
               reg(TD_REG_SUPPORTED_GROUPS, sh->key_share, b));
    if (sh->has_alpn)
        wire_token(t, "alpn", sh->alpn.data, sh->alpn.len);
    if (sh->has_pre_shared_key)
        token(t, C_NONE, "psk");
    if (sh->session_id.len && !hrr)
        tokenf(t, "session_id=%zuB", sh->session_id.len);
}

static void encrypted_extensions(struct text_writer *t, const struct td_encrypted_extensions *ee)
{
    if (ee->has_alpn)
        wire_token(t, "alpn", ee->alpn.data, ee->alpn.len);
    if (ee->server_name_ack)
        token(t, C_NONE, "sni_ack");
    if (ee->early_data)
        token(t, C_NONE, "early_data");
    if (ee->has_record_size_limit)
        tokenf(t, "record_size_limit=%u", ee->record_size_limit);
    if (ee->has_max_fragment_length)
        tokenf(t, "max_fragment_length=%u", ee->max_fragment_length);
    if (ee->has_supported_groups)
        names_token(t, "groups", TD_REG_SUPPORTED_GROUPS, ee->supported_groups.v,
                    ee->supported_groups.n, 4);
    if (ee->has_quic_transport_parameters)
        token(t, C_NONE, "quic_transport_parameters");
    tokenf(t, "extensions=%zu", ee->extensions.n);
}

static void certificate(struct text_writer *t, const struct td_certificate *c)
{
    size_t total = c->count + c->omitted;
    tokenf(t, "%zu cert%s:", total, total == 1 ? "" : "s");
    for (size_t i = 0; i < c->count; i++) {
        const struct td_cert_info *ci = &c->certs[i];
        char buf[64];
        if (!ci->parsed) {
            tokenf(t, "[%zu] (not decodable, %zu bytes)", i, ci->der_len);
            continue;
        }
        if (ci->subject_cn.data)
            wire_token(t, i == 0 ? "CN" : "| CN", ci->subject_cn.data, ci->subject_cn.len);
        else
            wire_token(t, i == 0 ? "subject" : "| subject", (const uint8_t *)(ci->subject ? ci->subject : ""),
                       ci->subject ? strlen(ci->subject) : 0);
        snprintf(buf, sizeof buf, "(%s %d%s)", ci->key_type ? ci->key_type : "key", ci->key_bits,
                 ci->is_ca ? ", CA" : "");
        token(t, C_DIM, buf);
    }
    more_token(t, c->omitted);
}

static void message_fields(struct text_writer *t, const struct td_message *m)
{
    char b[TD_REG_NAME_BUF];
    const char *level;
    switch (m->kind) {
    case TD_MSG_CLIENT_HELLO:
        client_hello(t, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        server_hello(t, &m->u.server_hello, m->kind == TD_MSG_HELLO_RETRY_REQUEST);
        break;
    case TD_MSG_ENCRYPTED_EXTENSIONS:
        encrypted_extensions(t, &m->u.encrypted_extensions);
        break;
    case TD_MSG_CERTIFICATE:
        certificate(t, &m->u.certificate);
        break;
    case TD_MSG_COMPRESSED_CERTIFICATE: {
        const struct td_compressed_certificate *cc = &m->u.compressed_certificate;
        token(t, C_NONE, reg(TD_REG_CERT_COMPRESSION, cc->algorithm, b));
        if (cc->compressed_length)
            tokenf(t, "%zu->%zuB", cc->compressed_length, cc->uncompressed_length);
        else
            tokenf(t, "->%zuB", cc->uncompressed_length);
        if (cc->decompressed)
            certificate(t, &cc->certificate);
        break;
    }
    case TD_MSG_HELLO_VERIFY_REQUEST:
        token(t, C_NONE, reg(TD_REG_VERSIONS, m->u.hello_verify_request.server_version, b));
        tokenf(t, "cookie=%zuB", m->u.hello_verify_request.cookie.len);
        break;
    case TD_MSG_SERVER_KEY_EXCHANGE: {
        const struct td_server_key_exchange *k = &m->u.server_key_exchange;
        token(t, C_NONE, k->kex ? k->kex : "unknown key exchange");
        if (k->has_group)
            token(t, C_NONE, reg(TD_REG_SUPPORTED_GROUPS, k->group, b));
        if (k->dh_prime_bits)
            tokenf(t, "%d-bit prime", k->dh_prime_bits);
        if (k->params_parsed)
            tokenf(t, "key=%zuB", k->public_key_bytes);
        if (k->has_signature_algorithm)
            tokenf(t, "signed=%s", reg(TD_REG_SIGNATURE_SCHEMES, k->signature_algorithm, b));
        break;
    }
    case TD_MSG_CLIENT_KEY_EXCHANGE:
        token(t, C_NONE, m->u.client_key_exchange.kex ? m->u.client_key_exchange.kex : "unknown key exchange");
        tokenf(t, "key=%zuB", m->u.client_key_exchange.length);
        break;
    case TD_MSG_CERTIFICATE_REQUEST: {
        const struct td_certificate_request *r = &m->u.certificate_request;
        if (r->certificate_types.len) {
            uint16_t types[256];
            for (size_t i = 0; i < r->certificate_types.len && i < 256; i++)
                types[i] = r->certificate_types.data[i];
            names_token(t, "types", TD_REG_CERTIFICATE_TYPES, types,
                        r->certificate_types.len < 256 ? r->certificate_types.len : 256, 4);
        }
        if (r->has_signature_algorithms)
            tokenf(t, "signature_algorithms=%zu", r->signature_algorithms.n);
        tokenf(t, "CAs=%zu", r->ca_count);
        if (r->has_compress_certificate)
            names_token(t, "compress_cert", TD_REG_CERT_COMPRESSION, r->compress_certificate.v,
                        r->compress_certificate.n, 3);
        break;
    }
    case TD_MSG_CERTIFICATE_VERIFY:
        if (m->u.certificate_verify.has_signature_algorithm)
            token(t, C_NONE, reg(TD_REG_SIGNATURE_SCHEMES, m->u.certificate_verify.signature_algorithm, b));
        break;
    case TD_MSG_NEW_SESSION_TICKET:
        tokenf(t, "lifetime=%us", (unsigned)m->u.new_session_ticket.lifetime_hint);
        tokenf(t, "ticket=%zuB", m->u.new_session_ticket.ticket_length);
        if (m->u.new_session_ticket.tls13) {
            tokenf(t, "age_add=%u", (unsigned)m->u.new_session_ticket.ticket_age_add);
            tokenf(t, "nonce=%zuB", m->u.new_session_ticket.ticket_nonce.len);
        }
        if (m->u.new_session_ticket.has_max_early_data_size)
            tokenf(t, "max_early_data=%uB", (unsigned)m->u.new_session_ticket.max_early_data_size);
        break;
    case TD_MSG_ALERT:
        level = td_registry_lookup(TD_REG_ALERT_LEVELS, m->u.alert.level);
        token(t, m->u.alert.level == TD_ALERT_LEVEL_FATAL ? C_BAD : C_WARN, level ? level : "level?");
        token(t, m->u.alert.level == TD_ALERT_LEVEL_FATAL ? C_BAD : C_NONE,
              reg(TD_REG_ALERTS, m->u.alert.description, b));
        break;
    case TD_MSG_CERTIFICATE_STATUS:
        tokenf(t, "ocsp_response=%zuB", m->u.certificate_status.response_length);
        break;
    case TD_MSG_FINISHED:
        if (m->decrypted)
            tokenf(t, "verify_data=%zuB", m->length);
        break;
    case TD_MSG_KEY_UPDATE:
        token(t, C_NONE, m->u.key_update_request ? "update_requested" : "update_not_requested");
        break;
    case TD_MSG_OTHER_HANDSHAKE:
        token(t, C_NONE, reg(TD_REG_HANDSHAKE_TYPES, m->handshake_type, b));
        break;
    default:
        break;
    }
}

/* ---- events --------------------------------------------------------------- */

static void emit_line(struct text_writer *t, struct conn_text *c)
{
    if (c && !t->opt.live) {
        td_buf_append(&c->text, t->line.data, t->line.len, TEXT_LIMIT);
        if (c->text.len > BLOCK_FLUSH) {
            fwrite(c->text.data, 1, c->text.len, t->w.out);
            td_buf_clear(&c->text);
        }
    } else {
        fwrite(t->line.data, 1, t->line.len, t->w.out);
    }
    td_buf_clear(&t->line);
    t->col = 0;
}

static void endpoint_text(const struct td_endpoint *ep, char *buf, size_t size)
{
    char addr[TD_ADDR_BUF];
    td_format_addr(ep->family, ep->addr, addr);
    snprintf(buf, size, ep->family == 6 ? "[%s]:%u" : "%s:%u", addr, ep->port);
}

static void header(struct text_writer *t, const struct td_conn_id *id, td_time_us start)
{
    char a[64], b[64], ts[TD_TIME_BUF];
    endpoint_text(&id->client, a, sizeof a);
    endpoint_text(&id->server, b, sizeof b);
    textf(t, C_BOLD, "conn %llu", (unsigned long long)id->conn);
    textf(t, C_NONE, "  %s -> %s", a, b);
    for (uint8_t i = 0; i < id->nvlan; i++)
        textf(t, C_NONE, "%s%u", i ? "." : "  vlan ", id->vlan[i]);
    if (id->transport == TD_TRANSPORT_QUIC) {
        char vbuf[11];
        textf(t, C_NONE, "  quic %s", td_quic_version_name(id->quic_version, vbuf));
    }
    if (id->transport == TD_TRANSPORT_DTLS)
        text(t, C_NONE, "  dtls");
    textf(t, C_DIM, "  %s", td_format_time(start, ts));
    newline(t);
}

/* Live: a connection's header line comes before its first line of any kind. */
static void live_header(struct text_writer *t, struct conn_text *c, const struct td_event *ev)
{
    if (t->opt.live && !c->header_done) {
        header(t, ev->conn, ev->ts);
        emit_line(t, NULL);
        c->header_done = true;
    }
}

/* The line prefix: "+seconds  C>S  " (live mode: "#conn" first). */
static void prefix(struct text_writer *t, const struct conn_text *c, td_time_us ts)
{
    int64_t rel = ts - c->first_ts;
    if (t->opt.live)
        textf(t, C_DIM, "#%-5llu", (unsigned long long)c->conn);
    else
        text(t, C_NONE, "  ");
    textf(t, C_DIM, "%+11.6f", (double)rel / 1e6);
}

static void message(struct text_writer *t, const struct td_event *ev)
{
    const struct td_message *m = ev->u.message;
    struct conn_text *c = find_or_add(t, ev->conn, ev->ts);
    bool client = m->from == TD_CLIENT;
    const char *why;

    if (c == NULL)
        return;
    live_header(t, c, ev);
    prefix(t, c, ev->ts);
    text(t, C_NONE, "  ");
    text(t, client ? C_CLIENT : C_SERVER, client ? "C>S" : "S>C");
    text(t, C_NONE, "  ");
    text(t, C_BOLD, td_msg_kind_name(m->kind));
    if (t->col >= detail_col(t)) {
        put(t, " ", 1); /* EncryptedExtensions is one column too long */
        t->col++;
    }
    pad_to(t, detail_col(t));
    if (m->encrypted)
        tokenf(t, "(encrypted, %zu bytes)", m->length);
    else if (!m->parsed && m->has_fields)
        token(t, C_WARN, "(could not be parsed)");
    else
        message_fields(t, m);
    if (m->decrypted && m->finished_check == TD_FINISHED_VERIFIED)
        token(t, C_DIM, "(decrypted, verified)");
    else if (m->decrypted)
        token(t, C_DIM, "(decrypted)");
    if (m->finished_check == TD_FINISHED_MISMATCH)
        token(t, C_WARN, "(verify_data does NOT match)");
    if (m->dtls.fragments > 1)
        tokenf(t, "(%u fragments)", m->dtls.fragments);
    if (m->malformed && m->parsed)
        token(t, C_WARN, "(malformed)");
    if (m->truncated) {
        char cut[64];
        snprintf(cut, sizeof cut, "(truncated: %zu of %zu bytes captured)", m->captured, m->length);
        token(t, C_WARN, cut);
    }
    newline(t);
    unsigned bit = (unsigned)m->kind * 2 + (client ? 0 : 1);
    if (t->opt.explain && !(c->explained[bit / 64] >> (bit % 64) & 1) &&
        (why = td_explain(m)) != NULL) {
        c->explained[bit / 64] |= 1ull << (bit % 64);
        pad_to(t, 19);
        words(t, C_DIM, why, 19);
        newline(t);
    }
    /* with keys: which ones opened it, once per sender and kind of keys (a KeyUpdate is new) */
    unsigned kbit = ((unsigned)m->protection + (m->key_updates ? 8u : 0u)) * 2 + (client ? 0 : 1);
    if (t->opt.explain && kbit < 32 && !(c->keys_explained >> kbit & 1) &&
        (why = td_explain_keys(m)) != NULL) {
        c->keys_explained |= 1u << kbit;
        pad_to(t, 19);
        words(t, C_DIM, why, 19);
        newline(t);
    }
    emit_line(t, c);
}

static void anomaly(struct text_writer *t, const struct td_event *ev)
{
    const struct td_anomaly *a = ev->u.anomaly;
    struct conn_text *c = ev->conn ? find_or_add(t, ev->conn, ev->ts) : NULL;
    char *detail = malloc(td_escape_size(strlen(a->detail)));

    if (detail == NULL)
        return;
    td_escape_terminal((const uint8_t *)a->detail, strlen(a->detail), detail);
    if (c) {
        live_header(t, c, ev);
        prefix(t, c, ev->ts);
        text(t, C_NONE, "  ");
    }
    textf(t, C_WARN, "! %s:", td_anomaly_name(a->kind));
    put(t, " ", 1);
    t->col++;
    words(t, C_NONE, detail, c ? detail_col(t) : 4);
    newline(t);
    emit_line(t, c);
    free(detail);
}

static void summary_item(struct text_writer *t, enum color c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --app-data: a side's first decrypted bytes, escaped, on a line of their own. */
static void app_data_line(struct text_writer *t, char side, const struct td_app_data *a)
{
    char *escaped = malloc(td_escape_size(a->len));
    if (escaped == NULL)
        return;
    td_escape_terminal(a->data, a->len, escaped);
    newline(t);
    textf(t, C_DIM, "    %c data: ", side);
    text(t, C_NONE, a->len ? escaped : "(none)");
    free(escaped);
}

/* One line per finding (docs/findings.md); with --explain, why it matters. */
static void findings_lines(struct text_writer *t, const struct td_findings *f)
{
    for (size_t i = 0; f && i < f->count; i++) {
        const char *why = t->opt.explain ? td_explain_finding(f->list[i].code) : NULL;
        newline(t);
        textf(t, C_BAD, "    ! %s:", td_finding_name(f->list[i].code));
        put(t, " ", 1);
        t->col++;
        words(t, C_NONE, f->list[i].reason, 6);
        if (why) {
            newline(t);
            pad_to(t, 6);
            words(t, C_DIM, why, 6);
        }
    }
}

static void connection(struct text_writer *t, const struct td_event *ev)
{
    const struct td_conn_summary *s = ev->u.connection;
    struct conn_text *c = find_or_add(t, ev->conn, s->start);
    char b[TD_REG_NAME_BUF];

    if (c == NULL)
        return;
    if (!t->opt.live) {
        header(t, ev->conn, s->start);
        fwrite(t->line.data, 1, t->line.len, t->w.out);
        td_buf_clear(&t->line);
        t->col = 0;
        if (c->text.len) /* (-q: no message text was kept) */
            fwrite(c->text.data, 1, c->text.len, t->w.out);
        td_buf_clear(&c->text);
        text(t, C_NONE, "  = ");
    } else {
        textf(t, C_DIM, "#%-5llu", (unsigned long long)c->conn);
        text(t, C_NONE, "= ");
    }
    if (s->has_version)
        textf(t, C_BOLD, "%s", reg(TD_REG_VERSIONS, s->version, b));
    else
        text(t, C_DIM, "version unknown");
    if (s->has_cipher_suite)
        summary_item(t, C_NONE, "%s", reg(TD_REG_CIPHER_SUITES, s->cipher_suite, b));
    summary_item(t, s->established ? C_GOOD : C_BAD, "%s",
                 s->established ? "established" : "not established");
    if (s->resumption_known && s->resumed != TD_RESUMED_NO) {
        static const char *const how[] = {"", "session id", "session ticket", "PSK"};
        if (s->resumed_from)
            summary_item(t, C_NONE, "resumed (%s, from conn %llu)", how[s->resumed],
                         (unsigned long long)s->resumed_from);
        else
            summary_item(t, C_NONE, "resumed (%s)", how[s->resumed]);
    }
    if (s->has_handshake_time)
        summary_item(t, C_NONE, "handshake %.3f ms", (double)s->handshake_us / 1000.0);
    if (s->validation.done) {
        char problems[128] = "";
        size_t len = 0;
        for (int k = 0; k < TD_CERT_PROBLEMS; k++)
            if (s->validation.problems >> k & 1 && len < sizeof problems)
                len += (size_t)snprintf(problems + len, sizeof problems - len, "%s%s", len ? "," : "",
                                        td_cert_problem_name((enum td_cert_problem)k));
        if (len)
            summary_item(t, C_BAD, "certificate %s", problems);
        else
            summary_item(t, C_GOOD, "certificate ok");
    }
    for (size_t i = 0; i < s->alert_count; i++) {
        const struct td_alert_seen *a = &s->alerts[i];
        if (a->encrypted)
            summary_item(t, C_DIM, "%c:alert(encrypted)", a->from == TD_CLIENT ? 'C' : 'S');
        else
            summary_item(t, a->alert.level == TD_ALERT_LEVEL_FATAL ? C_BAD : C_WARN, "%c:%s",
                         a->from == TD_CLIENT ? 'C' : 'S', reg(TD_REG_ALERTS, a->alert.description, b));
    }
    if (s->decryption == TD_DECRYPTION_OK)
        summary_item(t, C_GOOD, "decrypted");
    else if (s->decryption != TD_DECRYPTION_NONE)
        summary_item(t, s->decryption == TD_DECRYPTION_NO_KEYS ? C_DIM : C_BAD, "decryption %s",
                     td_decryption_name(s->decryption));
    if (s->early_data != TD_EARLY_DATA_NONE && s->has_early_data_bytes)
        summary_item(t, s->early_data == TD_EARLY_DATA_REJECTED ? C_WARN : C_NONE,
                     "early data %s (%llu bytes decrypted)", td_early_data_name(s->early_data),
                     (unsigned long long)s->early_data_bytes);
    else if (s->early_data != TD_EARLY_DATA_NONE)
        summary_item(t, s->early_data == TD_EARLY_DATA_REJECTED ? C_WARN : C_NONE, "early data %s",
                     td_early_data_name(s->early_data));
    if (s->anomalies)
        summary_item(t, C_WARN, "%llu anomal%s", (unsigned long long)s->anomalies,
                     s->anomalies == 1 ? "y" : "ies");
    for (int side = TD_CLIENT; side <= TD_SERVER; side++)
        if (s->app_data[side].kept)
            app_data_line(t, side == TD_CLIENT ? 'C' : 'S', &s->app_data[side]);
    findings_lines(t, s->record.findings);
    for (size_t i = 0; s->secrets_shown && i < s->secret_count; i++) {
        char hex[2 * sizeof s->secrets[i].bytes + 1];
        for (size_t k = 0; k < s->secrets[i].len; k++)
            snprintf(hex + 2 * k, 3, "%02x", s->secrets[i].bytes[k]);
        hex[2 * s->secrets[i].len] = '\0';
        newline(t);
        textf(t, C_DIM, "    secret %s ", s->secrets[i].label);
        text(t, C_NONE, hex);
    }
    newline(t);
    if (!t->opt.live)
        newline(t);
    fwrite(t->line.data, 1, t->line.len, t->w.out);
    td_buf_clear(&t->line);
    t->col = 0;
    remove_slot(t, c);
}

/* One item of the summary line, two spaces apart, wrapped at WIDTH. */
static void summary_item(struct text_writer *t, enum color c, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    size_t len;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    len = strlen(buf);
    if (t->col + 2 + len > WIDTH) {
        newline(t);
        pad_to(t, 4);
    } else {
        put(t, "  ", 2);
        t->col += 2;
    }
    text(t, c, buf);
}

static void stats(struct text_writer *t, const struct td_event *ev)
{
    const struct td_stats *st = ev->u.stats;
    bool any = false;
    textf(t, C_DIM, "%llu packets, %llu bytes, %llu connections, %llu with TLS",
          (unsigned long long)st->packets, (unsigned long long)st->bytes,
          (unsigned long long)st->connections, (unsigned long long)st->tls_connections);
    for (int k = 0; k < TD_ANOM_COUNT; k++) {
        if (!st->anomalies[k])
            continue;
        textf(t, C_WARN, "%s%s %llu", any ? ", " : "; anomalies: ", td_anomaly_name((enum td_anomaly_kind)k),
              (unsigned long long)st->anomalies[k]);
        any = true;
    }
    if (st->evicted_flows)
        textf(t, C_WARN, "; %llu connections evicted", (unsigned long long)st->evicted_flows);
    if (st->udp_packets_ignored)
        textf(t, C_DIM, "; %llu UDP packets (%llu bytes) not dissected (neither QUIC nor DTLS)",
              (unsigned long long)st->udp_packets_ignored, (unsigned long long)st->udp_bytes_ignored);
    if (st->live)
        textf(t, C_DIM, "; kernel: %llu received, %llu dropped",
              (unsigned long long)st->kernel_received, (unsigned long long)st->kernel_dropped);
    newline(t);
    emit_line(t, NULL);
}

static void text_event(struct td_sink *sink, const struct td_event *ev)
{
    struct text_writer *t = (struct text_writer *)sink;
    switch (ev->type) {
    case TD_EV_MESSAGE: message(t, ev); break;
    case TD_EV_ANOMALY: anomaly(t, ev); break;
    case TD_EV_CONNECTION: connection(t, ev); break;
    case TD_EV_STATS: stats(t, ev); break;
    }
}

static void text_destroy(struct td_writer *w)
{
    struct text_writer *t = (struct text_writer *)w;
    td_conn_map_free(&t->conns, release_conn_text);
    td_buf_free(&t->line);
}

struct td_sink *td_text_sink_new(FILE *out, const struct td_text_options *opts)
{
    struct text_writer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->opt = *opts;
    td_conn_map_init(&t->conns, sizeof(struct conn_text));
    t->w.sink.event = text_event;
    t->w.out = out;
    t->w.destroy = text_destroy;
    return &t->w.sink;
}
