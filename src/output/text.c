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
#define CERT_COL 19             /* -v: where a certificate's own lines start (file mode) */
#define FRAME_COL_EXTRA 9      /* -v: "  #frame " after the time (frames up to 6 digits stay aligned) */
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
    size_t block_indent; /* -v: where a certificate's wrapped fields start (0: the message fields' column) */
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
    return DETAIL_COL + (t->opt.live ? LIVE_PREFIX_EXTRA : 0) + (t->opt.verbose ? FRAME_COL_EXTRA : 0);
}

/* Where a field's continuation lines start. */
static size_t field_col(const struct text_writer *t)
{
    return t->block_indent ? t->block_indent : detail_col(t);
}

/* Bytes of s that fit in room columns, not splitting a UTF-8 sequence (at least one). */
static size_t fitting_prefix(const char *s, size_t len, size_t room)
{
    size_t n = len < room ? len : room;
    while (n > 1 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n ? n : 1;
}

/*
 * -v: s from the cursor, broken after a comma or a space so that no line
 * passes WIDTH (a piece longer than a whole line is cut where the line
 * ends); continuation lines start at indent.
 */
static void wrap_text(struct text_writer *t, enum color c, const char *s, size_t indent)
{
    char piece[WIDTH + 1];
    while (*s) {
        size_t len = strcspn(s, ", ");
        size_t room = WIDTH > t->col ? WIDTH - t->col : 0;
        if (s[len])
            len++; /* the separator stays with its piece */
        if (len > room && t->col > indent) {
            newline(t);
            pad_to(t, indent);
            continue;
        }
        if (len > room)
            len = fitting_prefix(s, len, room);
        memcpy(piece, s, len);
        piece[len] = '\0';
        text(t, c, piece);
        s += len;
    }
}

/* -v: a field token that may be longer than a line, wrapped inside itself. */
static void long_token(struct text_writer *t, enum color c, const char *s)
{
    size_t first = strcspn(s, ", ") + 1;
    if (t->col > field_col(t) && t->col + 1 + first > WIDTH) {
        newline(t);
        pad_to(t, field_col(t));
    } else if (t->col > field_col(t)) {
        put(t, " ", 1);
        t->col++;
    }
    wrap_text(t, c, s, field_col(t));
}

/* A field token, wrapped onto a continuation line when the row is full. */
static void token(struct text_writer *t, enum color c, const char *s)
{
    size_t len = strlen(s);
    if (t->col > field_col(t) && t->col + 1 + len > WIDTH) {
        newline(t);
        pad_to(t, field_col(t));
    } else if (t->col > field_col(t)) {
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
    if (t->opt.verbose)
        long_token(t, C_NONE, buf);
    else
        token(t, C_NONE, buf);
    free(buf);
}

/* -v: key=name,name,... every name (the listed ones, then "+N more" past the output cap) */
static void all_names_token(struct text_writer *t, const char *key, enum td_registry reg,
                            const uint16_t *v, size_t n, size_t omitted)
{
    struct td_buf joined = {0};
    char name[TD_REG_NAME_BUF];
    td_buf_append(&joined, (const uint8_t *)key, strlen(key), TEXT_LIMIT);
    td_buf_append(&joined, (const uint8_t *)"=", 1, TEXT_LIMIT);
    for (size_t i = 0; i < n; i++) {
        const char *s = reg != TD_REG_CERTIFICATE_TYPES && td_is_grease(v[i])
                            ? "GREASE" : td_registry_name(reg, v[i], name);
        if (i)
            td_buf_append(&joined, (const uint8_t *)",", 1, TEXT_LIMIT);
        td_buf_append(&joined, (const uint8_t *)s, strlen(s), TEXT_LIMIT);
    }
    td_buf_append(&joined, (const uint8_t *)"", 1, TEXT_LIMIT);
    if (joined.data)
        long_token(t, C_NONE, (const char *)joined.data);
    td_buf_free(&joined);
    if (omitted)
        tokenf(t, "+%zu more", omitted);
}

/* key=name,name,... (at most `max` names, then "+N"; -v: all of them) */
static void names_token(struct text_writer *t, const char *key, enum td_registry reg,
                        const uint16_t *v, size_t n, size_t max)
{
    char buf[1024], name[TD_REG_NAME_BUF];
    if (t->opt.verbose) {
        all_names_token(t, key, reg, v, n, 0);
        return;
    }
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

/* A code point list: its first `max` names (-v: every listed one, then "+N more"). */
static void codes_token(struct text_writer *t, const char *key, enum td_registry reg,
                        const struct td_u16_list *l, size_t max)
{
    if (t->opt.verbose)
        all_names_token(t, key, reg, l->v, td_u16_listed(l), l->omitted);
    else
        names_token(t, key, reg, l->v, l->n, max);
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

/* key=hex of b (-vv: the random values, session IDs, cookies, nonces) */
static void hex_token(struct text_writer *t, const char *key, const struct td_bytes *b)
{
    size_t klen = strlen(key);
    char *buf = malloc(klen + 2 + 2 * b->len);
    if (buf == NULL)
        return;
    memcpy(buf, key, klen);
    buf[klen] = '=';
    for (size_t i = 0; i < b->len; i++)
        snprintf(buf + klen + 1 + 2 * i, 3, "%02x", b->data[i]);
    buf[klen + 1 + 2 * b->len] = '\0';
    long_token(t, C_NONE, buf);
    free(buf);
}

/* key=name,... of a list of one-byte code points (compression methods, point formats, psk modes) */
static void byte_names_token(struct text_writer *t, const char *key, enum td_registry reg,
                             const struct td_bytes *b)
{
    uint16_t v[256];
    size_t n = b->len < 256 ? b->len : 256;
    for (size_t i = 0; i < n; i++)
        v[i] = b->data[i];
    all_names_token(t, key, reg, v, n, b->len - n);
}

/* -v: the ClientHello's lists that the default line leaves out; -vv: every other field. */
static void client_hello_verbose(struct text_writer *t, const struct td_client_hello *ch)
{
    char b[TD_REG_NAME_BUF];
    if (ch->has_signature_algorithms)
        codes_token(t, "signature_algorithms", TD_REG_SIGNATURE_SCHEMES, &ch->signature_algorithms, 0);
    if (ch->has_psk_modes)
        byte_names_token(t, "psk_modes", TD_REG_PSK_MODES, &ch->psk_modes);
    if (ch->has_ec_point_formats)
        byte_names_token(t, "ec_point_formats", TD_REG_EC_POINT_FORMATS, &ch->ec_point_formats);
    if (ch->has_compression_methods)
        byte_names_token(t, "compression", TD_REG_COMPRESSION_METHODS, &ch->compression_methods);
    if (ch->has_connection_id)
        hex_token(t, "connection_id", &ch->connection_id);
    if (ch->ja3)
        tokenf(t, "ja3=%s", ch->ja3);
    if (t->opt.verbose < 2)
        return;
    tokenf(t, "legacy_version=%s", reg(TD_REG_VERSIONS, ch->legacy_version, b));
    hex_token(t, "random", &ch->random);
    hex_token(t, "session_id", &ch->session_id);
    if (ch->has_cookie)
        hex_token(t, "cookie", &ch->cookie);
    if (ch->has_pre_shared_key)
        tokenf(t, "psk_identities=%zuB", ch->psk_identities.len);
    if (ch->sslv2_format && ch->sslv2_only_kinds)
        tokenf(t, "sslv2_only_cipher_kinds=%zu", ch->sslv2_only_kinds);
    if (ch->ja3_string)
        wire_token(t, "ja3_string", (const uint8_t *)ch->ja3_string, strlen(ch->ja3_string));
}

/* -v: the ServerHello's extensions, compression, JA3S; -vv: every other field. */
static void server_hello_verbose(struct text_writer *t, const struct td_server_hello *sh)
{
    char b[TD_REG_NAME_BUF];
    if (sh->sslv2_format) {
        if (t->opt.verbose >= 2)
            hex_token(t, "connection_id", &sh->random);
        return;
    }
    if (sh->has_cipher_suite)
        tokenf(t, "compression=%s", reg(TD_REG_COMPRESSION_METHODS, sh->compression_method, b));
    if (sh->has_extensions)
        codes_token(t, "extensions", TD_REG_EXTENSIONS, &sh->extensions, 0);
    if (sh->has_connection_id)
        hex_token(t, "connection_id", &sh->connection_id);
    if (sh->ja3s)
        tokenf(t, "ja3s=%s", sh->ja3s);
    if (t->opt.verbose < 2)
        return;
    tokenf(t, "legacy_version=%s", reg(TD_REG_VERSIONS, sh->legacy_version, b));
    hex_token(t, "random", &sh->random);
    hex_token(t, "session_id", &sh->session_id);
    if (sh->ja3s_string)
        wire_token(t, "ja3s_string", (const uint8_t *)sh->ja3s_string, strlen(sh->ja3s_string));
}

/* -v: a C string from the certificate (subject, issuer: libcrypto's text of wire bytes), escaped. */
static void cstring_token(struct text_writer *t, const char *key, const char *s)
{
    if (s)
        wire_token(t, key, (const uint8_t *)s, strlen(s));
    else
        tokenf(t, "%s=(none)", key);
}

/*
 * -v: every field of one certificate, on lines of their own from the column
 * where --explain's sentences start (a sha256 fits on the line there).
 */
static void certificate_verbose(struct text_writer *t, size_t i, const struct td_cert_info *ci)
{
    char from[TD_TIME_BUF], to[TD_TIME_BUF];
    newline(t);
    t->block_indent = CERT_COL + (t->opt.live ? LIVE_PREFIX_EXTRA : 0);
    pad_to(t, t->block_indent);
    tokenf(t, "[%zu]", i);
    if (ci->parsed) {
        cstring_token(t, "subject", ci->subject);
        cstring_token(t, "issuer", ci->issuer);
        cstring_token(t, "serial", ci->serial);
        if (ci->has_validity)
            tokenf(t, "valid=%s..%s", td_format_time_seconds(ci->not_before, from),
                   td_format_time_seconds(ci->not_after, to));
        if (ci->san.n) {
            struct td_buf joined = {0};
            for (size_t k = 0; k < ci->san.n; k++) {
                if (k)
                    td_buf_append(&joined, (const uint8_t *)",", 1, TEXT_LIMIT);
                td_buf_append(&joined, ci->san.v[k].data, ci->san.v[k].len, TEXT_LIMIT);
            }
            wire_token(t, "san", joined.data, joined.len);
            td_buf_free(&joined);
            more_token(t, ci->san.omitted);
        }
        tokenf(t, "key=%s/%d", ci->key_type ? ci->key_type : "unknown", ci->key_bits);
        if (ci->signature_algorithm)
            tokenf(t, "signature=%s", ci->signature_algorithm);
        if (ci->is_ca)
            token(t, C_NONE, "CA");
    } else {
        token(t, C_WARN, "(not decodable)");
    }
    tokenf(t, "length=%zuB", ci->der_len);
    tokenf(t, "sha256=%s", ci->sha256);
    if (t->opt.verbose >= 2)
        tokenf(t, "sha1=%s", ci->sha1);
    t->block_indent = 0;
}

/* ---- message fields ------------------------------------------------------- */

static void client_hello(struct text_writer *t, const struct td_client_hello *ch)
{
    char b[TD_REG_NAME_BUF];
    if (ch->has_supported_versions)
        codes_token(t, "versions", TD_REG_VERSIONS, &ch->supported_versions, 6);
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
    if (ch->has_cipher_suites && t->opt.verbose)
        codes_token(t, "suites", TD_REG_CIPHER_SUITES, &ch->cipher_suites, 0);
    else if (ch->has_cipher_suites)
        tokenf(t, "suites=%zu", ch->cipher_suites.n);
    if (ch->has_supported_groups)
        codes_token(t, "groups", TD_REG_SUPPORTED_GROUPS, &ch->supported_groups, 4);
    if (ch->has_key_share)
        codes_token(t, "key_share", TD_REG_SUPPORTED_GROUPS, &ch->key_share, 3);
    if (ch->has_compress_certificate)
        codes_token(t, "compress_cert", TD_REG_CERT_COMPRESSION, &ch->compress_certificate, 3);
    if (ch->has_extensions && !ch->sslv2_format && t->opt.verbose)
        codes_token(t, "extensions", TD_REG_EXTENSIONS, &ch->extensions, 0);
    else if (ch->has_extensions && !ch->sslv2_format)
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
        codes_token(t, "groups", TD_REG_SUPPORTED_GROUPS, &ee->supported_groups, 4);
    if (ee->has_quic_transport_parameters)
        token(t, C_NONE, "quic_transport_parameters");
    if (t->opt.verbose)
        codes_token(t, "extensions", TD_REG_EXTENSIONS, &ee->extensions, 0);
    else
        tokenf(t, "extensions=%zu", ee->extensions.n);
}

static void certificate(struct text_writer *t, const struct td_certificate *c)
{
    size_t total = c->count + c->omitted;
    tokenf(t, "%zu cert%s:", total, total == 1 ? "" : "s");
    if (t->opt.verbose >= 2 && c->context.len)
        hex_token(t, "context", &c->context);
    for (size_t i = 0; !t->opt.verbose && i < c->count; i++) {
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
        if (t->opt.verbose)
            client_hello_verbose(t, &m->u.client_hello);
        break;
    case TD_MSG_SERVER_HELLO:
    case TD_MSG_HELLO_RETRY_REQUEST:
        server_hello(t, &m->u.server_hello, m->kind == TD_MSG_HELLO_RETRY_REQUEST);
        if (t->opt.verbose)
            server_hello_verbose(t, &m->u.server_hello);
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
        if (t->opt.verbose >= 2)
            hex_token(t, "cookie", &m->u.hello_verify_request.cookie);
        else
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
        if (r->has_signature_algorithms && t->opt.verbose)
            codes_token(t, "signature_algorithms", TD_REG_SIGNATURE_SCHEMES, &r->signature_algorithms, 0);
        else if (r->has_signature_algorithms)
            tokenf(t, "signature_algorithms=%zu", r->signature_algorithms.n);
        tokenf(t, "CAs=%zu", r->ca_count);
        if (r->has_compress_certificate)
            codes_token(t, "compress_cert", TD_REG_CERT_COMPRESSION, &r->compress_certificate, 3);
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
            if (t->opt.verbose >= 2)
                hex_token(t, "nonce", &m->u.new_session_ticket.ticket_nonce);
            else
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
        if (t->opt.verbose) {
            level = td_registry_lookup(TD_REG_CERT_STATUS_TYPES, m->u.certificate_status.status_type);
            tokenf(t, "status_type=%s", level ? level : "unknown");
        }
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

/* -vv: the message event's own fields (record, DTLS stamp, length) that the line does not show. */
static void message_framing(struct text_writer *t, const struct td_message *m)
{
    char b[TD_REG_NAME_BUF];
    if (!m->without_record)
        tokenf(t, "record_version=%s", reg(TD_REG_VERSIONS, m->record_version, b));
    if (m->dtls.present) {
        tokenf(t, "epoch=%u", (unsigned)m->dtls.epoch);
        if (m->dtls.has_message_seq)
            tokenf(t, "message_seq=%u fragments=%u", (unsigned)m->dtls.message_seq, m->dtls.fragments);
    }
    if (!m->encrypted)
        tokenf(t, "length=%zuB", m->length);
}

/* -v: a Certificate's (or the one a CompressedCertificate carries) certificates, a block each. */
static void certificate_lines(struct text_writer *t, const struct td_message *m)
{
    const struct td_certificate *c = NULL;
    if (m->encrypted || !m->parsed)
        return;
    if (m->kind == TD_MSG_CERTIFICATE)
        c = &m->u.certificate;
    else if (m->kind == TD_MSG_COMPRESSED_CERTIFICATE && m->u.compressed_certificate.decompressed)
        c = &m->u.compressed_certificate.certificate;
    for (size_t i = 0; c && i < c->count; i++)
        certificate_verbose(t, i, &c->certs[i]);
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

/*
 * The line prefix: "+seconds" (live mode: "#conn" first); -v: then the
 * message's frame, "#N" as Wireshark numbers the packet (blank on other lines).
 */
static void prefix(struct text_writer *t, const struct conn_text *c, const struct td_event *ev)
{
    int64_t rel = ev->ts - c->first_ts;
    if (t->opt.live)
        textf(t, C_DIM, "#%-5llu", (unsigned long long)c->conn);
    else
        text(t, C_NONE, "  ");
    textf(t, C_DIM, "%+11.6f", (double)rel / 1e6);
    if (t->opt.verbose) {
        size_t end = t->col + FRAME_COL_EXTRA;
        if (ev->type == TD_EV_MESSAGE && ev->frame)
            textf(t, C_DIM, "  #%llu", (unsigned long long)ev->frame);
        pad_to(t, end);
    }
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
    prefix(t, c, ev);
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
    if (t->opt.verbose >= 2)
        message_framing(t, m);
    if (t->opt.verbose)
        certificate_lines(t, m);
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
        prefix(t, c, ev);
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

/* -v: one field of the connection on a line of its own: "    name value", wrapped at WIDTH. */
static void summary_field(struct text_writer *t, const char *name, const char *value)
{
    newline(t);
    textf(t, C_DIM, "    %-27s", name);
    wrap_text(t, C_NONE, value && *value ? value : "-", 31);
}

/* -v: a field that holds wire bytes (or libcrypto's text of them), escaped; NULL: unknown. */
static void summary_wire_field(struct text_writer *t, const char *name, const char *s, size_t len)
{
    char *escaped = s ? malloc(td_escape_size(len)) : NULL;
    if (escaped)
        td_escape_terminal((const uint8_t *)s, len, escaped);
    summary_field(t, name, escaped);
    free(escaped);
}

static void summary_fieldf(struct text_writer *t, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void summary_fieldf(struct text_writer *t, const char *name, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    summary_field(t, name, buf);
}

/* -v: a list of sha256 hex strings, comma-separated; NULL list: unknown. */
static void summary_hashes(struct text_writer *t, const char *name, const char (*hashes)[65], size_t n,
                           bool known)
{
    struct td_buf joined = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            td_buf_append(&joined, (const uint8_t *)",", 1, TEXT_LIMIT);
        td_buf_append(&joined, (const uint8_t *)hashes[i], strlen(hashes[i]), TEXT_LIMIT);
    }
    td_buf_append(&joined, (const uint8_t *)"", 1, TEXT_LIMIT);
    summary_field(t, name, !known ? NULL : n && joined.data ? (const char *)joined.data : "(none)");
    td_buf_free(&joined);
}

/* -v: the transcript as the connection event's history says it ("C:ClientHello S:ServerHello ..."). */
static void summary_history(struct text_writer *t, const struct td_conn_summary *s)
{
    struct td_buf h = {0};
    char item[64];
    for (size_t i = 0; i < s->history_len; i++) {
        int n = snprintf(item, sizeof item, "%s%c:%s", i ? " " : "", (s->history[i] & 1) ? 'S' : 'C',
                         td_msg_kind_name((enum td_msg_kind)(s->history[i] >> 1)));
        td_buf_append(&h, (const uint8_t *)item, (size_t)n, TEXT_LIMIT);
    }
    if (s->history_dropped) {
        int n = snprintf(item, sizeof item, " ...(+%zu)", s->history_dropped);
        td_buf_append(&h, (const uint8_t *)item, (size_t)n, TEXT_LIMIT);
    }
    td_buf_append(&h, (const uint8_t *)"", 1, TEXT_LIMIT);
    summary_field(t, "history", h.data ? (const char *)h.data : NULL);
    td_buf_free(&h);
}

/* -v: every field of the connection event, one a line, in the order the JSON writes them. */
static void connection_verbose(struct text_writer *t, const struct td_conn_summary *s)
{
    static const char *const resumed[] = {"no", "session_id", "session_ticket", "psk"};
    static const char *const ech[] = {NULL, "none", "offered", "grease", "accepted"};
    const struct td_conn_record *r = &s->record;
    const struct td_cert_identity *leaf = &r->leaf[TD_SERVER];
    char b[TD_REG_NAME_BUF], t1[TD_TIME_BUF], t2[TD_TIME_BUF];

    summary_field(t, "start", td_format_time(s->start, t1));
    summary_field(t, "end", td_format_time(s->end, t2));
    summary_field(t, "community_id", s->community_id);
    summary_wire_field(t, "sni", s->sni, s->sni_len);
    summary_wire_field(t, "alpn", s->alpn, s->alpn_len);
    summary_field(t, "resumed", s->resumption_known ? resumed[s->resumed] : NULL);
    if (s->resumed_from)
        summary_fieldf(t, "resumed_from", "conn %llu", (unsigned long long)s->resumed_from);
    summary_history(t, s);
    summary_field(t, "ja3", s->ja3);
    summary_field(t, "ja3s", s->ja3s);
    summary_field(t, "ja4", s->ja4);
    summary_hashes(t, "server_certificates", (const char (*)[65])s->server_certs, s->server_cert_count, true);
    if (s->validation.done && s->validation.detail[0])
        summary_wire_field(t, "certificate_validation", s->validation.detail, strlen(s->validation.detail));
    if (s->has_handshake_time)
        summary_fieldf(t, "handshake_us", "%lld", (long long)s->handshake_us);
    else
        summary_field(t, "handshake_us", NULL);
    if (s->has_rtt)
        summary_fieldf(t, "tcp_rtt_us", "%lld", (long long)s->tcp_rtt_us);
    else
        summary_field(t, "tcp_rtt_us", NULL);
    summary_fieldf(t, "bytes", "client %llu, server %llu", (unsigned long long)s->bytes_client,
                   (unsigned long long)s->bytes_server);
    summary_fieldf(t, "anomalies", "%llu", (unsigned long long)s->anomalies);
    summary_field(t, "group", r->has_group ? reg(TD_REG_SUPPORTED_GROUPS, r->group, b) : NULL);
    summary_wire_field(t, "subject", leaf->subject, leaf->subject ? strlen(leaf->subject) : 0);
    summary_wire_field(t, "issuer", leaf->issuer, leaf->issuer ? strlen(leaf->issuer) : 0);
    summary_field(t, "not_before", leaf->has_validity ? td_format_time_seconds(leaf->not_before, t1) : NULL);
    summary_field(t, "not_after", leaf->has_validity ? td_format_time_seconds(leaf->not_after, t2) : NULL);
    summary_field(t, "sni_matches_cert",
                  r->sni_matches_cert < 0 ? NULL : r->sni_matches_cert ? "true" : "false");
    summary_hashes(t, "client_certificates", (const char (*)[65])r->client_certs, r->client_cert_count,
                   r->client_certs_known);
    summary_wire_field(t, "client_subject", r->leaf[TD_CLIENT].subject,
                       r->leaf[TD_CLIENT].subject ? strlen(r->leaf[TD_CLIENT].subject) : 0);
    if (r->has_client_suites)
        summary_fieldf(t, "client_cipher_suites_count", "%zu", r->client_cipher_suites);
    else
        summary_field(t, "client_cipher_suites_count", NULL);
    summary_field(t, "ech", ech[r->ech]);
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
    if (t->opt.verbose)
        connection_verbose(t, s);
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
