/*
 * record.c — TLS record framing for one direction (RFC 8446 §5.1,
 * RFC 5246 §6.2.1) and SSL 2.0 record headers (RFC 6101 Appendix E,
 * draft-hickman-netscape-ssl-00 §1.2: a 2-byte header with the top bit
 * set, or a 3-byte header carrying a padding count).
 *
 * Invariants kept here:
 *  - In TD_REC_HEADER, hdr[0..hdr_have) are the first bytes of the next
 *    record header; in TD_REC_BODY, `left` body bytes remain and, when the
 *    body is wanted and spans deliveries, body.data holds the bytes so far.
 *  - Records are handed to the handler only once their last byte arrived.
 *  - A record found by a weak match is held back until the header after it
 *    confirms the framing; its body is never wanted.
 */
#include "tls/record.h"

#include <stdio.h>
#include <string.h>

#include "tlsdissect/cursor.h"
#include "tlsdissect/stream.h"

/* M_CHECK: a hello header whose record body must confirm it (hello_structure_fits). */
enum match { M_NO, M_NEED, M_STRONG, M_WEAK, M_CHECK };

/* Buffer storage kept between records; more is freed once its record is handed over. */
#define TD_RECORD_BUFFER_KEEP (32 * 1024)

/* Bytes a strong match looks at: record header, handshake header, version. */
#define MATCH_BYTES 13

void td_record_init(struct td_record_reader *r, uint64_t detect_budget, bool allow_weak)
{
    memset(r, 0, sizeof *r);
    r->state = TD_REC_DETECT;
    r->detect_budget = detect_budget;
    r->allow_weak = allow_weak;
    r->want_mask = 0x1f; /* every content type until the session says otherwise */
    r->want_sslv2 = true;
}

void td_record_set_budget(struct td_record_reader *r, struct td_mem_budget *budget)
{
    r->body.budget = budget;
    r->held_body.budget = budget;
}

void td_record_release(struct td_record_reader *r)
{
    td_buf_free(&r->body);
    td_buf_free(&r->held_body);
}

/*
 * Versions are weak evidence.  legacy_record_version MUST be ignored
 * (RFC 8446 §5.1) and real stacks accept any minor version (OpenSSL checks
 * only the major byte of the first record), so a hello is recognised by its
 * structure; a version only helps where there is no hello to look at.
 */
static bool tls_version_known(uint8_t major, uint8_t minor) { return major == 3 && minor <= 4; }
static bool tls_major(uint8_t major) { return major == 3; }

/* A record header after the first: any content type's version goes once a
 * version of this direction is known (the session reports odd ones). */
static bool record_version_acceptable(const struct td_record_reader *r, uint16_t version)
{
    return tls_major((uint8_t)(version >> 8)) || (r->records > 0 && version == r->known_version);
}

/* An SSLv2 CLIENT-HELLO or SERVER-HELLO starting at p (2-byte header). */
static enum match match_sslv2(const uint8_t *p, size_t n)
{
    struct td_cur c = td_cur_make(p, n);
    uint16_t len, a, b, chal;
    uint8_t type, major, minor, hit, cert_type;

    if (!td_cur_u16(&c, &len) || !td_cur_u8(&c, &type))
        return M_NEED;
    len &= 0x7fff;
    if (type == 1) { /* CLIENT-HELLO: version, cipher_spec, session_id, challenge lengths */
        if (!td_cur_u8(&c, &major) || !td_cur_u8(&c, &minor) || !td_cur_u16(&c, &a) ||
            !td_cur_u16(&c, &b) || !td_cur_u16(&c, &chal))
            return M_NEED;
        if (!((major == 0 && minor == 2) || tls_major(major)))
            return M_NO;
        if (a == 0 || a % 3 || (b != 0 && b != 16 && b != 32) || chal < 16 || chal > 32)
            return M_NO;
        /* a wrong record length is the parser's to report (bad_length), not a reason to miss it */
        return M_STRONG;
    }
    if (type == 4) { /* SERVER-HELLO: hit, cert type, version, cert/cipher/conn-id lengths */
        uint16_t version, cert;
        if (!td_cur_u8(&c, &hit) || !td_cur_u8(&c, &cert_type) || !td_cur_u16(&c, &version) ||
            !td_cur_u16(&c, &cert) || !td_cur_u16(&c, &a) || !td_cur_u16(&c, &b))
            return M_NEED;
        (void)cert_type;
        if (hit > 1 || version != TD_VERSION_SSL_2_0 || a % 3 || b < 16 || b > 32)
            return M_NO;
        return 11u + cert + a + b == len ? M_STRONG : M_NO;
    }
    return M_NO;
}

/*
 * A handshake record that starts with a ClientHello or ServerHello header.
 * c is past the record header.  The hello is taken on its structure:
 *  - its message fills the record exactly: a hello, whatever the versions;
 *  - both versions are known TLS versions: a hello (as every stack sends it);
 *  - otherwise (a coalesced or split hello with odd versions) the record body
 *    decides once it is read: M_CHECK (see hello_structure_fits).
 */
static enum match match_hello(struct td_cur *c, uint16_t version, uint16_t len)
{
    uint8_t hs_type, hs_major, hs_minor;
    uint32_t hs_len;

    if (!td_cur_u8(c, &hs_type) || !td_cur_u24(c, &hs_len) || !td_cur_u8(c, &hs_major) ||
        !td_cur_u8(c, &hs_minor))
        return M_NEED;
    if ((hs_type != TD_HS_CLIENT_HELLO && hs_type != TD_HS_SERVER_HELLO) || hs_len < 38)
        return M_NO;
    if (hs_len + 4u == len)
        return M_STRONG;
    if (tls_version_known((uint8_t)(version >> 8), (uint8_t)version) &&
        tls_version_known(hs_major, hs_minor))
        return M_STRONG;
    if (hs_len + 4u < len || (tls_major((uint8_t)(version >> 8)) && tls_major(hs_major)))
        return M_CHECK;
    return M_NO;
}

/* Whether a record header plausibly starts at p. */
static enum match match_at(const struct td_record_reader *r, const uint8_t *p, size_t n)
{
    struct td_cur c = td_cur_make(p, n);
    uint8_t type;
    uint16_t version, len;

    if (!td_cur_u8(&c, &type))
        return M_NEED;
    if (type & 0x80)
        return r->state == TD_REC_DETECT ? match_sslv2(p, n) : M_NO;
    if (type < TD_CT_CHANGE_CIPHER_SPEC || type > TD_CT_HEARTBEAT)
        return M_NO;
    if (!td_cur_u16(&c, &version) || !td_cur_u16(&c, &len))
        return M_NEED;
    if (type == TD_CT_HANDSHAKE && len >= 4) {
        enum match m = match_hello(&c, version, len);
        /* Confirming by the body is for the first record only (the detection
         * budget bounds the rescans), and not inside a rejected body, which
         * bounds the recursion to one level. */
        if (m == M_CHECK && (r->state != TD_REC_DETECT || r->rescanning))
            m = M_NO;
        if (m != M_NO)
            return m;
    }
    if (!tls_version_known((uint8_t)(version >> 8), (uint8_t)version))
        return M_NO;
    if (r->known_version && version != r->known_version)
        return M_NO;
    if (len > TD_RECORD_MAX || (len == 0 && type != TD_CT_APPLICATION_DATA))
        return M_NO;
    if (type == TD_CT_CHANGE_CIPHER_SPEC && len != 1)
        return M_NO;
    if (type == TD_CT_HEARTBEAT && len < 3)
        return M_NO;
    return M_WEAK;
}

/*
 * The body of a record matched as M_CHECK: does it hold a hello whose
 * vectors fit (RFC 8446 §4.1.2-4.1.3)?  A hello inside the record must parse
 * exactly; one that continues in later records must parse as far as it goes
 * (a read that runs past the record's end decides nothing; a length beyond
 * the message's own does).
 *
 *   ClientHello: version, random[32], session_id<0..32>,
 *                cipher_suites<2..2^16-2>, compression_methods<1..2^8-1>,
 *                [extensions<0..2^16-1>]
 *   ServerHello: version, random[32], session_id<0..32>, cipher_suite,
 *                compression_method, [extensions<0..2^16-1>]
 */
static bool hello_structure_fits(const uint8_t *body, size_t n)
{
    struct td_cur c = td_cur_make(body, n), hello, v;
    uint8_t type = 0;
    uint32_t len = 0;
    bool whole;

    td_cur_u8(&c, &type);
    td_cur_u24(&c, &len);
    whole = len <= td_cur_remaining(&c);
    hello = td_cur_make_partial(td_cur_ptr(&c), td_cur_remaining(&c), len);
    td_cur_skip(&hello, 2 + 32);
    td_cur_vec(&hello, 1, 0, 32, 1, &v);
    if (type == 1) {
        td_cur_vec(&hello, 2, 2, 0xfffe, 2, &v);
        td_cur_vec(&hello, 1, 1, 0xff, 1, &v);
    } else {
        td_cur_skip(&hello, 3);
    }
    if (td_cur_remaining(&hello))
        td_cur_vec(&hello, 2, 0, 0xffff, 1, &v);
    if (whole)
        return td_cur_ok(&hello) && td_cur_remaining(&hello) == 0;
    return td_cur_ok(&hello) || hello.status == TD_CUR_TRUNCATED;
}

static void note(const struct td_record_handler *h, int side, enum td_rec_note what,
                 const char *detail)
{
    if (h->note)
        h->note(h->ctx, side, what, detail);
}

static void start_scanning(struct td_record_reader *r, enum td_rec_state state)
{
    r->state = state;
    r->tentative = false;
    r->check_hello = false;
    r->header_matched = false;
    r->held = false;
    r->carry_len = 0;
    r->hdr_have = 0;
    td_buf_clear(&r->body);
}

static void feed(struct td_record_reader *r, int side, const uint8_t *p, size_t n,
                 const struct td_record_handler *h);

/* A header was found by scanning: switch to framing and feed its bytes. */
static void found(struct td_record_reader *r, int side, enum match m, const uint8_t *p, size_t n,
                  const struct td_record_handler *h)
{
    enum td_rec_state was = r->state;
    /* The first bytes of a stream whose peer speaks TLS need no confirmation. */
    if (m == M_WEAK && r->trust_start && was == TD_REC_DETECT && r->scanned == 0)
        m = M_STRONG;
    r->found_in = was;
    r->state = TD_REC_HEADER;
    r->hdr_have = 0;
    r->tentative = m == M_WEAK;
    /* Where nothing says the stream is TLS (it began with a SYN, yet no hello
     * came), only the next record header, chaining exactly, confirms a match. */
    r->chain_only = m == M_WEAK && !r->allow_weak && !r->trust_start;
    r->check_hello = m == M_CHECK;
    r->header_matched = true;
    if (m == M_STRONG) {
        note(h, side, was == TD_REC_DETECT ? TD_RECN_FOUND : TD_RECN_RESYNCED,
             was == TD_REC_DETECT ? "hello" : "hello after lost framing");
    }
    if (n)
        feed(r, side, p, n, h);
}

/*
 * Scan for a header.  Returns how many bytes of p were used (skipped, kept
 * in the carry window, or fed to framing after a match in the window).
 */
static size_t scan(struct td_record_reader *r, int side, const uint8_t *p, size_t n,
                   const struct td_record_handler *h)
{
    size_t i;

    if (r->carry_len) {
        uint8_t win[sizeof r->carry + MATCH_BYTES];
        size_t add = n < MATCH_BYTES ? n : MATCH_BYTES, wlen = r->carry_len + add;
        memcpy(win, r->carry, r->carry_len);
        memcpy(win + r->carry_len, p, add);
        for (i = 0; i < r->carry_len; i++) {
            enum match m = match_at(r, win + i, wlen - i);
            if (m == M_NO)
                continue;
            if (m == M_NEED) {
                /* still undecided: keep the window from i, with the new bytes */
                size_t keep = wlen - i;
                if (keep <= sizeof r->carry && add == n) {
                    memmove(r->carry, win + i, keep);
                    r->carry_len = (uint8_t)keep;
                    r->scanned += i;
                    return n;
                }
                continue; /* cannot happen with MATCH_BYTES <= carry size */
            }
            /* a header starts in the window: feed its carried bytes, then p */
            uint8_t held[sizeof r->carry];
            size_t held_len = r->carry_len - i;
            memcpy(held, r->carry + i, held_len);
            r->carry_len = 0;
            r->scanned += i;
            found(r, side, m, held, held_len, h);
            return 0;
        }
        r->scanned += r->carry_len; /* none of the window's bytes starts a header */
        r->carry_len = 0;
    }
    for (i = 0; i < n; i++) {
        enum match m;
        /* fast reject: a TLS header byte, or an SSLv2 top bit */
        if ((p[i] < TD_CT_CHANGE_CIPHER_SPEC || p[i] > TD_CT_HEARTBEAT) && !(p[i] & 0x80))
            continue;
        m = match_at(r, p + i, n - i);
        if (m == M_NO)
            continue;
        if (m == M_NEED) {
            if (n - i <= sizeof r->carry) {
                memcpy(r->carry, p + i, n - i);
                r->carry_len = (uint8_t)(n - i);
                r->scanned += i;
                return n;
            }
            continue;
        }
        r->scanned += i;
        found(r, side, m, NULL, 0, h);
        return i;
    }
    r->scanned += n;
    return n;
}

/*
 * A record matched as M_CHECK turned out not to hold a hello: it was no
 * record.  Scan its bytes again from the one after the header's first.
 */
static void reject_hello(struct td_record_reader *r, int side, const uint8_t *body,
                         const struct td_record_handler *h)
{
    uint8_t hdr_rest[4];
    struct td_buf kept = r->body; /* body may point into it: keep it while rescanning */
    size_t len = r->length;

    memcpy(hdr_rest, r->hdr + 1, sizeof hdr_rest);
    memset(&r->body, 0, sizeof r->body);
    r->body.budget = kept.budget;
    start_scanning(r, r->records == 0 ? TD_REC_DETECT : TD_REC_RESYNC);
    r->scanned += 1;
    r->rescanning = true;
    feed(r, side, hdr_rest, sizeof hdr_rest, h);
    if (body)
        feed(r, side, body, len, h);
    r->rescanning = false;
    if (r->body.data == NULL && r->body.cap == 0) {
        r->body = kept; /* give the storage back for reuse */
        td_buf_clear(&r->body);
    } else {
        td_buf_free(&kept);
    }
}

static void deliver(struct td_record_reader *r, int side, const uint8_t *body,
                    const struct td_record_handler *h)
{
    struct td_record rec = {r->type, r->version, r->length - r->handed, body, 0, false, 0};
    r->state = TD_REC_HEADER;
    r->hdr_have = 0;
    r->handed = 0;
    if (r->check_hello) {
        r->check_hello = false;
        if (body == NULL || !hello_structure_fits(body, r->length)) {
            reject_hello(r, side, body, h);
            return;
        }
        note(h, side, r->found_in == TD_REC_DETECT ? TD_RECN_FOUND : TD_RECN_RESYNCED,
             r->found_in == TD_REC_DETECT ? "hello" : "hello after lost framing");
    }
    if (r->tentative) {
        /* found by a weak match: keep it, body too, until the next header confirms it */
        td_buf_clear(&r->held_body);
        r->held_wanted = body != NULL;
        r->held = body == NULL || td_buf_append(&r->held_body, body, r->length, TD_RECORD_MAX + 65536) == 0;
        rec.body = NULL;
        r->held_rec = rec;
        td_buf_clear(&r->body);
        return;
    }
    td_buf_clear(&r->body);
    if (!r->sslv2)
        r->known_version = r->version;
    rec.index = r->records++;
    h->record(h->ctx, side, &rec);
    td_buf_clear_trim(&r->body, TD_RECORD_BUFFER_KEEP);
}

/* The header after a weakly matched record parsed: the framing is real. */
static void confirm(struct td_record_reader *r, int side, const struct td_record_handler *h)
{
    struct td_record rec = r->held_rec;
    if (r->held_wanted)
        rec.body = r->held_body.len ? r->held_body.data : (const uint8_t *)"";
    r->held = false;
    r->tentative = false;
    note(h, side, r->found_in == TD_REC_DETECT ? TD_RECN_FOUND_WEAK : TD_RECN_RESYNCED,
         r->found_in == TD_REC_DETECT ? "record header without a hello"
                                      : "record header after lost framing");
    if (rec.type)
        r->known_version = rec.version;
    rec.index = r->records++;
    h->record(h->ctx, side, &rec);
    td_buf_clear_trim(&r->held_body, TD_RECORD_BUFFER_KEEP);
}

/* A complete header in r->hdr: validate it and start the body. */
static bool begin_record(struct td_record_reader *r, int side, const struct td_record_handler *h)
{
    struct td_cur c = td_cur_make(r->hdr, r->hdr_have);
    uint16_t len = 0;
    uint8_t pad = 0;
    bool matched = r->header_matched; /* the scanner chose this header: its version went */

    r->header_matched = false;

    if (r->sslv2) {
        /* 2 bytes: a length with the top bit set; 3 bytes: 14-bit length and padding */
        td_cur_u16(&c, &len);
        if (r->hdr_need == 3)
            td_cur_u8(&c, &pad);
        r->type = 0;
        r->version = TD_VERSION_SSL_2_0;
        r->length = len & (r->hdr_need == 2 ? 0x7fff : 0x3fff);
        r->padding = pad;
        r->want_body = r->want_sslv2;
    } else {
        td_cur_u8(&c, &r->type);
        td_cur_u16(&c, &r->version);
        td_cur_u16(&c, &len);
        r->length = len;
        r->padding = 0;
        if (!td_cur_ok(&c) || r->type < TD_CT_CHANGE_CIPHER_SPEC || r->type > TD_CT_HEARTBEAT ||
            !(matched || record_version_acceptable(r, r->version)))
            return false;
        if (r->length > TD_RECORD_MAX) {
            char detail[120];
            snprintf(detail, sizeof detail, "record[%llu] (content type %u): length %zu > %d",
                     (unsigned long long)r->records, r->type, r->length, TD_RECORD_MAX);
            note(h, side, TD_RECN_TOO_LONG, detail);
        }
        r->want_body = (r->want_mask >> (r->type - TD_CT_CHANGE_CIPHER_SPEC)) & 1;
    }
    r->left = r->length;
    r->handed = 0;
    r->state = TD_REC_BODY;
    return true;
}

/* The header bytes needed, decided by the first byte. */
static uint8_t header_size(const struct td_record_reader *r, uint8_t first)
{
    if (r->sslv2_allowed || r->state == TD_REC_HEADER) {
        if (first & 0x80)
            return 2;
        if (r->sslv2_allowed && (first < TD_CT_CHANGE_CIPHER_SPEC || first > TD_CT_HEARTBEAT))
            return 3;
    }
    return 5;
}

static void lose_framing(struct td_record_reader *r, int side, const struct td_record_handler *h,
                         bool silent)
{
    uint8_t held[5];
    size_t held_len = r->hdr_have > 1 ? (size_t)r->hdr_have - 1 : 0;
    char detail[120];

    snprintf(detail, sizeof detail, "record[%llu]: header %02x %02x %02x %02x %02x is not a TLS record",
             (unsigned long long)r->records, r->hdr[0], r->hdr[1], r->hdr[2], r->hdr[3], r->hdr[4]);
    memcpy(held, r->hdr + 1, held_len);
    start_scanning(r, r->records == 0 ? TD_REC_DETECT : TD_REC_RESYNC);
    if (!silent)
        note(h, side, TD_RECN_BAD_HEADER, detail);
    /* rescan the header's later bytes: a header may start among them */
    if (held_len)
        feed(r, side, held, held_len, h);
}

static void feed(struct td_record_reader *r, int side, const uint8_t *p, size_t n,
                 const struct td_record_handler *h)
{
    while (n > 0) {
        size_t take;
        switch (r->state) {
        case TD_REC_DEAD:
            return;
        case TD_REC_DETECT:
        case TD_REC_RESYNC:
            take = scan(r, side, p, n, h);
            p += take;
            n -= take;
            if (r->state == TD_REC_DETECT && r->scanned > r->detect_budget) {
                char detail[80];
                snprintf(detail, sizeof detail, "no TLS record in the first %llu bytes",
                         (unsigned long long)r->scanned);
                start_scanning(r, TD_REC_DEAD);
                note(h, side, TD_RECN_GAVE_UP, detail);
                return;
            }
            break;
        case TD_REC_HEADER:
            if (r->hdr_have == 0) {
                r->hdr_need = header_size(r, p[0]);
                r->sslv2 = r->hdr_need != 5;
            }
            take = r->hdr_need - r->hdr_have;
            if (take > n)
                take = n;
            memcpy(r->hdr + r->hdr_have, p, take);
            r->hdr_have = (uint8_t)(r->hdr_have + take);
            p += take;
            n -= take;
            if (r->hdr_have < r->hdr_need)
                break;
            if (r->sslv2)
                r->sslv2_allowed = true;
            if (r->held) {
                bool was_held = true;
                r->tentative = false; /* decide want_body as for a confirmed record */
                if (!begin_record(r, side, h)) {
                    r->held = false;
                    lose_framing(r, side, h, was_held);
                    break;
                }
                confirm(r, side, h);
            } else if (!begin_record(r, side, h)) {
                lose_framing(r, side, h, r->tentative);
                break;
            }
            if (r->left == 0)
                deliver(r, side, r->want_body ? (const uint8_t *)"" : NULL, h);
            break;
        case TD_REC_BODY:
            take = r->left < n ? r->left : n;
            if (r->want_body) {
                if (r->body.len == 0 && take == r->left) {
                    const uint8_t *body = p;
                    p += take;
                    n -= take;
                    r->left = 0;
                    deliver(r, side, body, h);
                    break;
                }
                int rc = td_buf_append(&r->body, p, take, TD_RECORD_MAX + 65536);
                if (rc != 0) {
                    note(h, side, rc == TD_BUF_OVER_BUDGET ? TD_RECN_OVER_BUDGET : TD_RECN_BODY_TOO_BIG,
                         "record body could not be buffered");
                    r->want_body = false;
                    td_buf_clear(&r->body);
                }
            }
            p += take;
            n -= take;
            r->left -= take;
            if (r->left == 0) {
                /* A weakly matched record that ends exactly where a segment
                 * ends is framed right: senders write whole records. */
                if (r->tentative && n == 0 && !r->chain_only) {
                    r->tentative = false;
                    note(h, side, r->found_in == TD_REC_DETECT ? TD_RECN_FOUND_WEAK : TD_RECN_RESYNCED,
                         r->found_in == TD_REC_DETECT ? "record header without a hello"
                                                      : "record header after lost framing");
                }
                deliver(r, side, r->want_body ? r->body.data : NULL, h);
            }
            break;
        }
    }
}

void td_record_feed(struct td_record_reader *r, int side, const uint8_t *p, size_t n,
                    const struct td_record_handler *h)
{
    feed(r, side, p, n, h);
}

/*
 * A gap inside the body of a handshake record: the record's length still
 * frames what follows.  Hand over the bytes so far as a piece followed by
 * the missing ones, and go on reading the rest of the body.
 */
static void hole_in_record(struct td_record_reader *r, int side, uint64_t n,
                           const struct td_record_handler *h)
{
    size_t piece = r->length - r->handed - r->left;
    struct td_record rec = {r->type, r->version, piece, r->body.len ? r->body.data : (const uint8_t *)"",
                            r->records, false, n};
    h->record(h->ctx, side, &rec);
    td_buf_clear(&r->body);
    r->handed += piece + (size_t)n;
    r->left -= (size_t)n;
    if (r->left == 0) {
        r->state = TD_REC_HEADER;
        r->hdr_have = 0;
        r->handed = 0;
        r->records++;
        if (!r->sslv2)
            r->known_version = r->version;
    }
}

enum td_rec_gap td_record_gap(struct td_record_reader *r, int side, uint64_t n, bool salvage,
                              const struct td_record_handler *h)
{
    switch (r->state) {
    case TD_REC_DEAD:
        return TD_REC_GAP_UNAFFECTED;
    case TD_REC_DETECT:
    case TD_REC_RESYNC:
        r->carry_len = 0;
        return TD_REC_GAP_UNAFFECTED; /* nothing framed to lose */
    case TD_REC_BODY:
        if (!r->want_body && n <= r->left) {
            r->left -= (size_t)n;
            if (r->left == 0)
                deliver(r, side, NULL, h);
            return TD_REC_GAP_UNAFFECTED;
        }
        if (r->want_body && n <= r->left && r->type == TD_CT_HANDSHAKE && !r->sslv2 &&
            !r->tentative && !r->check_hello) {
            hole_in_record(r, side, n, h);
            return TD_REC_GAP_IN_RECORD;
        }
        if (r->want_body && n <= r->left && r->type == TD_CT_APPLICATION_DATA && !r->sslv2 &&
            !r->tentative && !r->check_hello) {
            /* a protected record with a hole cannot be opened, but where it
             * ends is known: its rest is skipped and it is handed over
             * without a body, keeping its place in the record count */
            r->want_body = false;
            td_buf_clear(&r->body);
            r->left -= (size_t)n;
            if (r->left == 0)
                deliver(r, side, NULL, h);
            return TD_REC_GAP_UNAFFECTED;
        }
        break;
    case TD_REC_HEADER:
        break;
    }
    if (salvage && r->state == TD_REC_BODY && r->want_body && !r->tentative && r->body.len > 0) {
        struct td_record rec = {r->type, r->version, r->body.len, r->body.data, r->records++, true, 0};
        h->record(h->ctx, side, &rec);
    }
    start_scanning(r, TD_REC_RESYNC);
    return TD_REC_GAP_FRAMING_LOST;
}

uint64_t td_record_skippable(const struct td_record_reader *r)
{
    if (r->state == TD_REC_DEAD)
        return TD_STREAM_SKIP_ALL;
    if (r->state == TD_REC_BODY && !r->want_body)
        return r->left;
    return 0;
}
