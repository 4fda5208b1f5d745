/*
 * connection.c — one QUIC connection seen from the wire (RFC 9000 §17,
 * RFC 9001 §5): datagrams split into their coalesced long-header packets
 * (§12.2: each Length says where the next begins; a short-header packet
 * takes the rest), Initial packets opened with the keys of RFC 9001 §5.2,
 * Handshake packets, with a key log, with keys from the sender's handshake
 * traffic secret under the negotiated suite (§5.1), their frames read,
 * their CRYPTO bytes reassembled per packet-number space and direction and
 * fed to the TLS session without records (RFC 9001 §4.1.3), the Handshake
 * space's as decrypted.  1-RTT packets are counted.
 *
 *   Long Header Packet {                 Initial Packet {  (type 0; v2: 1)
 *     Header Form (1) = 1,                 ...,
 *     Fixed Bit (1) = 1,                   Token Length (i),
 *     Long Packet Type (2),                Token (..),
 *     Type-Specific Bits (4),              Length (i),
 *     Version (32),                        Packet Number (8..32),
 *     Destination Connection ID Length (8),  Packet Payload (8..),
 *     Destination Connection ID (0..160),  }
 *     Source Connection ID Length (8),
 *     Source Connection ID (0..160),
 *     Type-Specific Payload (..),
 *   }
 *
 * Flow side 0 is the client (it sent the Initial the connection was found
 * by); keys for both directions come from that Initial's Destination
 * Connection ID and do not change when later Initials carry the server's
 * chosen ID (RFC 9001 §5.2).
 */
#include "tlsdissect/quic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "quic/crypto_stream.h"
#include "quic/frames.h"
#include "quic/initial.h"
#include "quic/varint.h"
#include "tlsdissect/cursor.h"

/* The packet-number spaces whose CRYPTO frames are read (RFC 9000 §12.3; 1-RTT is not). */
enum space { SPACE_INITIAL, SPACE_HANDSHAKE };
static const char *const space_name[2] = {"Initial", "Handshake"};

struct td_quic_conn {
    struct td_conn *conn;
    struct td_tls_session *tls;
    uint32_t version;
    struct td_quic_keys keys[2][2]; /* by space, then flow side: side 0 is the client */
    bool keys_ok;                   /* the Initial keys */
    enum hs_keys { HS_KEYS_NOT_YET, HS_KEYS_OK, HS_KEYS_NONE } hs_keys[2];
    uint64_t largest_pn[2][2];      /* by space, then side */
    bool have_pn[2][2];
    struct td_quic_crypto_stream crypto[2][2]; /* by space, then side */
    uint64_t hs_unopened[2];        /* Handshake packets whose protection did not open */
    uint8_t odcid[TD_QUIC_MAX_CID]; /* the client's first Destination Connection ID */
    size_t odcid_len;
    uint64_t retries;               /* Retry packets seen */
    uint64_t handshake_packets[2], short_packets[2];
    bool client_handshake_seen;        /* the client sent a Handshake packet */
    bool short_after_handshake[2];     /* ... and then each side a 1-RTT packet */
    td_time_us first_ts;
    bool have_first_ts;
    td_time_us now;
};

/* ---- long headers --------------------------------------------------------- */

enum hdr_status {
    HDR_OK,
    HDR_SHORT,           /* a short header: 1-RTT, to the end of the datagram */
    HDR_NOT_QUIC,        /* a zero byte: padding after the packets */
    HDR_VERSION_NEGOTIATION,
    HDR_RETRY,
    HDR_UNKNOWN_VERSION,
    HDR_MALFORMED,
};

struct long_hdr {
    uint8_t first;
    uint32_t version;
    uint8_t dcid_len, scid_len;
    uint8_t dcid[TD_QUIC_MAX_CID], scid[TD_QUIC_MAX_CID];
    enum td_quic_long_type type;
    uint64_t length;   /* of packet number and payload */
    size_t pn_offset;  /* from the packet's first byte */
    char detail[96];
};

/* Read one packet's header; on HDR_OK the cursor is at the packet number. */
static enum hdr_status read_long_header(struct td_cur *c, struct long_hdr *h)
{
    size_t start = td_cur_declared(c);
    uint64_t token_len;

    h->detail[0] = '\0';
    if (!td_cur_u8(c, &h->first))
        return HDR_MALFORMED;
    /* the fixed bit is not required: peers that negotiated grease_quic_bit
     * (RFC 9287) clear it, so only a zero byte (padding) is not a packet */
    if (!(h->first & 0x80))
        return h->first != 0 ? HDR_SHORT : HDR_NOT_QUIC;
    if (!td_cur_u32(c, &h->version) || !td_cur_u8(c, &h->dcid_len))
        goto short_header;
    if (h->version == 0)
        return HDR_VERSION_NEGOTIATION;
    if (!td_quic_version_known(h->version))
        return HDR_UNKNOWN_VERSION;
    if (h->dcid_len > TD_QUIC_MAX_CID || !td_cur_copy(c, h->dcid, h->dcid_len) ||
        !td_cur_u8(c, &h->scid_len) || h->scid_len > TD_QUIC_MAX_CID ||
        !td_cur_copy(c, h->scid, h->scid_len)) {
        snprintf(h->detail, sizeof h->detail, "connection ID longer than 20 bytes, or cut");
        return HDR_MALFORMED;
    }
    h->type = td_quic_long_type(h->version, h->first);
    if (h->type == TD_QUIC_PT_RETRY)
        return HDR_RETRY;
    if (h->type == TD_QUIC_PT_INITIAL &&
        (!td_quic_varint(c, &token_len) || !td_cur_skip(c, token_len > SIZE_MAX ? SIZE_MAX : (size_t)token_len))) {
        snprintf(h->detail, sizeof h->detail, "Initial token longer than the datagram");
        return HDR_MALFORMED;
    }
    if (!td_quic_varint(c, &h->length))
        goto short_header;
    h->pn_offset = start - td_cur_declared(c);
    if (h->length > td_cur_declared(c)) {
        snprintf(h->detail, sizeof h->detail, "Length %llu > %zu bytes left in the datagram",
                 (unsigned long long)h->length, td_cur_declared(c));
        return HDR_MALFORMED;
    }
    return HDR_OK;
short_header:
    snprintf(h->detail, sizeof h->detail, "long header cut short");
    return HDR_MALFORMED;
}

bool td_quic_detect(const uint8_t *p, size_t caplen, size_t len, uint32_t *version,
                    uint8_t dcid[TD_QUIC_MAX_CID], size_t *dcid_len)
{
    struct td_cur c = td_cur_make_partial(p, caplen, len);
    struct long_hdr h;

    /* a client's first Initial: fixed bit set, a DCID of at least 8 bytes (RFC 9000 §7.2) */
    if (read_long_header(&c, &h) != HDR_OK || h.type != TD_QUIC_PT_INITIAL ||
        !(h.first & 0x40) || h.dcid_len < 8)
        return false;
    *version = h.version;
    memcpy(dcid, h.dcid, h.dcid_len);
    *dcid_len = h.dcid_len;
    return true;
}

/* ---- the connection -------------------------------------------------------- */

struct td_quic_conn *td_quic_new(const struct td_tls_env *env, struct td_conn *conn,
                                 uint32_t version, const uint8_t *dcid, size_t dcid_len)
{
    struct td_quic_conn *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->conn = conn;
    q->version = version;
    memcpy(q->odcid, dcid, dcid_len);
    q->odcid_len = dcid_len;
    td_conn_set_quic(conn, version);
    q->tls = td_tls_new(env, conn, 0, false);
    if (q->tls == NULL) {
        free(q);
        return NULL;
    }
    q->keys_ok = td_quic_initial_keys(version, dcid, dcid_len, &q->keys[SPACE_INITIAL][0],
                                      &q->keys[SPACE_INITIAL][1]) == 0;
    for (int sp = 0; sp < 2; sp++)
        for (int side = 0; side < 2; side++)
            td_quic_crypto_init(&q->crypto[sp][side], TD_QUIC_CRYPTO_CAP, env->buffers);
    return q;
}

void td_quic_free(struct td_quic_conn *q)
{
    if (q == NULL)
        return;
    for (int sp = 0; sp < 2; sp++)
        for (int side = 0; side < 2; side++)
            td_quic_crypto_release(&q->crypto[sp][side]);
    td_tls_free(q->tls);
    OPENSSL_cleanse(q->keys, sizeof q->keys);
    free(q);
}

static const char *who(int side) { return side == 0 ? "client" : "server"; }

struct delivery {
    struct td_quic_conn *q;
    int side;
    enum space space;
    struct td_quic_crypto_notes notes;
};

static void deliver(void *ctx, const uint8_t *p, size_t n)
{
    struct delivery *d = ctx;
    if (d->space == SPACE_HANDSHAKE)
        td_tls_handshake_data_decrypted(d->q->tls, d->side, p, n, d->q->now);
    else
        td_tls_handshake_data(d->q->tls, d->side, p, n, d->q->now);
}

static void on_crypto(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    struct delivery *d = ctx;
    td_quic_crypto_push(&d->q->crypto[d->space][d->side], offset, data, len, deliver, d,
                        &d->notes);
}

/* RFC 9001 §4.8: a CRYPTO_ERROR (0x100 + alert) carries a TLS alert. */
static void on_close(void *ctx, const struct td_quic_close *cl)
{
    struct delivery *d = ctx;
    struct td_quic_conn *q = d->q;

    if (!cl->application && cl->error >= 0x100 && cl->error <= 0x1ff) {
        struct td_message m = {.kind = TD_MSG_ALERT, .from = d->side == 0 ? TD_CLIENT : TD_SERVER,
                               .without_record = true, .parsed = true, .has_fields = true,
                               .length = 2};
        m.u.alert.level = 2; /* QUIC has no warning alerts (RFC 9001 §4.8) */
        m.u.alert.description = (uint8_t)(cl->error - 0x100);
        td_conn_message(q->conn, &m, q->now);
        td_conn_add_alert(q->conn, m.from, false, &m.u.alert);
        return;
    }
    td_conn_anomaly(q->conn, TD_ANOM_QUIC_CONNECTION_CLOSE, q->now,
                    "%s: CONNECTION_CLOSE (%s) error 0x%llx, frame type 0x%llx, %zu-byte reason",
                    who(d->side), cl->application ? "application" : "transport",
                    (unsigned long long)cl->error, (unsigned long long)cl->frame_type,
                    cl->reason_len);
}

static void report_crypto_notes(struct td_quic_conn *q, int side, enum space sp,
                                const struct td_quic_crypto_notes *n)
{
    if (n->conflicts)
        td_conn_anomaly(q->conn, TD_ANOM_QUIC_CRYPTO_CONFLICT, q->now,
                        "%s: %llu resent CRYPTO bytes differ from the first copy (first copy kept)",
                        who(side), (unsigned long long)n->conflicts);
    if (n->beyond_cap)
        td_conn_anomaly(q->conn, TD_ANOM_LIMIT_REACHED, q->now,
                        "%s: %llu CRYPTO bytes at offsets past the %d-byte cap of the %s "
                        "space: dropped", who(side), (unsigned long long)n->beyond_cap,
                        TD_QUIC_CRYPTO_CAP, space_name[sp]);
    if (n->no_room)
        td_conn_anomaly(q->conn, TD_ANOM_LIMIT_REACHED, q->now,
                        "%s: %llu CRYPTO bytes could not be held (the TLS buffer budget is used "
                        "up, or memory): dropped", who(side), (unsigned long long)n->no_room);
}

/*
 * The keys of side's Handshake packets, once: from the key log's handshake
 * traffic secret of the sender and the suite of the ServerHello (which
 * comes first: it travels in the server's Initial).  False when there are
 * none (no key log, no secrets for this connection, a suite QUIC does not use).
 */
static bool handshake_keys(struct td_quic_conn *q, int side)
{
    uint8_t secret[TD_KEYLOG_SECRET_MAX];
    uint16_t suite = 0;
    size_t len;
    int rc;

    if (q->hs_keys[side] != HS_KEYS_NOT_YET)
        return q->hs_keys[side] == HS_KEYS_OK;
    len = td_tls_quic_handshake_secret(q->tls, side, secret, &suite);
    if (len == 0)
        return false; /* perhaps later: the ServerHello may not have been read yet */
    rc = td_quic_keys_for_suite(q->version, suite, secret, len, &q->keys[SPACE_HANDSHAKE][side]);
    OPENSSL_cleanse(secret, sizeof secret);
    q->hs_keys[side] = rc == 0 ? HS_KEYS_OK : HS_KEYS_NONE;
    if (rc != 0)
        td_conn_anomaly(q->conn, rc == -1 ? TD_ANOM_DECRYPTION_UNSUPPORTED : TD_ANOM_DECRYPTION_FAILED,
                        q->now, "%s: the key log has the handshake traffic secret, but QUIC "
                        "packets protected with suite 0x%04x %s: Handshake packets not decrypted",
                        who(side), suite, rc == -1 ? "are not decrypted here" : "could not be keyed");
    return rc == 0;
}

/* Open one Initial or Handshake packet (a copy of its bytes) and read its frames. */
static void protected_packet(struct td_quic_conn *q, int side, enum space sp, const uint8_t *start,
                             size_t total, const struct long_hdr *h, uint64_t index)
{
    struct td_cur whole = td_cur_make(start, total);
    uint8_t *pkt;
    const uint8_t *plain;
    size_t plain_len;
    uint64_t pn;
    int rc;
    struct delivery d = {q, side, sp, {0}};
    struct td_quic_frame_handler fh = {on_crypto, on_close, &d};
    struct td_quic_frames_result fr;

    if (sp == SPACE_INITIAL && !q->keys_ok) {
        td_conn_anomaly(q->conn, TD_ANOM_OUT_OF_MEMORY, q->now,
                        "the Initial keys could not be derived: packets not decrypted");
        return;
    }
    pkt = malloc(total);
    if (pkt == NULL || !td_cur_copy(&whole, pkt, total)) {
        free(pkt);
        td_conn_anomaly(q->conn, TD_ANOM_OUT_OF_MEMORY, q->now,
                        "%s: no memory to decrypt a %zu-byte %s packet", who(side), total,
                        space_name[sp]);
        return;
    }
    rc = td_quic_open(&q->keys[sp][side], pkt, total, h->pn_offset, q->largest_pn[sp][side],
                      q->have_pn[sp][side], &pn, &plain, &plain_len);
    if (rc != 0) {
        /* a Handshake packet that does not open is reported once, the others counted */
        if (sp == SPACE_HANDSHAKE && rc == -2)
            td_tls_quic_handshake_unopened(q->tls, side, q->now);
        if (sp == SPACE_HANDSHAKE && rc == -2 && q->hs_unopened[side]++ > 0) {
            free(pkt);
            return;
        }
        td_conn_anomaly(q->conn, rc == -1 ? TD_ANOM_QUIC_MALFORMED : TD_ANOM_QUIC_UNDECRYPTABLE,
                        q->now, "%s: %s packet %llu of a datagram (%zu bytes): %s", who(side),
                        space_name[sp], (unsigned long long)index, total,
                        rc == -1 ? "too short for a packet number, sample and tag"
                        : sp == SPACE_INITIAL ? "its protection does not open with the Initial keys "
                                                "of the client's first Destination Connection ID"
                                              : "its protection does not open with the keys of the "
                                                "key log's handshake traffic secret");
        free(pkt);
        return;
    }
    if (!q->have_pn[sp][side] || pn > q->largest_pn[sp][side])
        q->largest_pn[sp][side] = pn;
    q->have_pn[sp][side] = true;
    td_quic_frames(plain, plain_len, &fh, &fr);
    if (fr.malformed)
        td_conn_anomaly(q->conn, TD_ANOM_QUIC_MALFORMED, q->now, "%s: %s packet number %llu: %s",
                        who(side), space_name[sp], (unsigned long long)pn, fr.detail);
    else if (fr.other)
        td_conn_anomaly(q->conn, TD_ANOM_QUIC_MALFORMED, q->now,
                        "%s: %s packet number %llu: %u frames of types not allowed in "
                        "%s packets (RFC 9000 §12.4), skipped", who(side), space_name[sp],
                        (unsigned long long)pn, fr.other, space_name[sp]);
    report_crypto_notes(q, side, sp, &d.notes);
    free(pkt);
}

/* Handshake and 1-RTT packets (decrypted or not) tell that the handshake went on. */
static void count_packet(struct td_quic_conn *q, int side, bool handshake, size_t bytes)
{
    struct td_conn_summary *sum = &q->conn->sum;
    if (handshake) {
        q->handshake_packets[side]++;
        if (side == 0)
            q->client_handshake_seen = true;
        return;
    }
    q->short_packets[side]++;
    sum->quic_1rtt_packets[side == 0 ? TD_CLIENT : TD_SERVER]++;
    if (side == 0)
        sum->bytes_client += bytes;
    else
        sum->bytes_server += bytes;
    if (q->client_handshake_seen)
        q->short_after_handshake[side] = true;
    /* the client's Handshake flight, then 1-RTT from both sides: the handshake completed */
    if (q->short_after_handshake[0] && q->short_after_handshake[1] && sum->tls_seen &&
        !sum->established) {
        sum->established = true;
        sum->has_handshake_time = q->have_first_ts;
        sum->handshake_us = q->now - q->first_ts;
    }
}

/*
 * RFC 9000 §17.2.1: Version Negotiation { 1, Unused (7), Version = 0,
 * DCID Len, DCID, SCID Len, SCID, Supported Version (32) ... }: reported
 * with the versions it lists (the first 8).
 */
static void version_negotiation(struct td_quic_conn *q, int side, const uint8_t *p, size_t n)
{
    struct td_cur c = td_cur_make(p, n);
    uint8_t cid_len;
    uint32_t v;
    char list[8 * 11 + 16] = "", vbuf[11];
    size_t used = 0, count = 0;

    if (!td_cur_skip(&c, 5) || !td_cur_u8(&c, &cid_len) || !td_cur_skip(&c, cid_len) ||
        !td_cur_u8(&c, &cid_len) || !td_cur_skip(&c, cid_len)) {
        td_conn_anomaly(q->conn, TD_ANOM_QUIC_MALFORMED, q->now,
                        "%s: Version Negotiation packet cut inside its connection IDs", who(side));
        return;
    }
    while (td_cur_u32(&c, &v)) {
        if (count++ < 8 && used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", count > 1 ? ", " : "",
                                     td_quic_version_name(v, vbuf));
    }
    td_conn_anomaly(q->conn, TD_ANOM_QUIC_UNSUPPORTED, q->now,
                    "%s: Version Negotiation packet listing %zu versions (%s%s): not followed in "
                    "this version", who(side), count, count ? list : "none",
                    count > 8 ? ", ..." : "");
}

/*
 * RFC 9000 §17.2.5: Retry { Header (with SCID), Retry Token (..), Retry
 * Integrity Tag (128) }.  Its tag is checked (RFC 9001 §5.8); the first
 * Retry from the server whose tag verifies is followed, as the client does
 * (§17.2.5.2): the Initial keys of both directions come from its Source
 * Connection ID from now on (RFC 9001 §5.2), and the client's CRYPTO stream
 * starts again with a new ClientHello.  Later Retries are counted.
 */
static void retry(struct td_quic_conn *q, int side, const uint8_t *p, size_t n, bool cut,
                  const struct long_hdr *h)
{
    int ok;

    if (q->retries++ > 0)
        return;
    ok = cut ? -1 : td_quic_retry_tag_ok(q->version, q->odcid, q->odcid_len, p, n);
    if (ok == 1 && side == 1 &&
        td_quic_initial_keys(q->version, h->scid, h->scid_len, &q->keys[SPACE_INITIAL][0],
                             &q->keys[SPACE_INITIAL][1]) == 0) {
        q->keys_ok = true;
        for (int i = 0; i < 2; i++) {
            td_quic_crypto_release(&q->crypto[SPACE_INITIAL][i]);
            td_quic_crypto_init(&q->crypto[SPACE_INITIAL][i], TD_QUIC_CRYPTO_CAP,
                                q->crypto[SPACE_INITIAL][i].budget);
        }
        td_tls_quic_retry(q->tls);
        struct td_message m = {.kind = TD_MSG_QUIC_RETRY, .from = TD_SERVER,
                               .without_record = true, .length = n};
        td_conn_message(q->conn, &m, q->now);
        return;
    }
    td_conn_anomaly(q->conn, TD_ANOM_QUIC_UNSUPPORTED, q->now,
                    "%s: Retry packet (%zu bytes), integrity tag %s: not followed (the client's "
                    "Initials after it are not decrypted)", who(side), n,
                    ok == 1   ? "verified, but sent by the client"
                    : ok == 0 ? "does NOT verify"
                              : "not checked (cut, too short or too long)");
}

void td_quic_datagram(struct td_quic_conn *q, int side, const uint8_t *p, size_t caplen,
                      size_t len, td_time_us now)
{
    struct td_cur c = td_cur_make_partial(p, caplen, len);
    uint64_t index = 0;

    q->now = now;
    if (!q->have_first_ts) {
        q->have_first_ts = true;
        q->first_ts = now;
    }
    while (td_cur_declared(&c) > 0) {
        const uint8_t *start = td_cur_ptr(&c);
        struct long_hdr h;
        struct td_cur body;
        enum hdr_status st = read_long_header(&c, &h);
        char vbuf[11], vbuf2[11];

        index++;
        switch (st) {
        case HDR_OK:
            break;
        case HDR_SHORT:
            count_packet(q, side, false, td_cur_declared(&c) + 1);
            return;
        case HDR_NOT_QUIC:
            return; /* zero padding after the packets (or junk): nothing to read */
        case HDR_VERSION_NEGOTIATION:
            version_negotiation(q, side, start, td_cur_remaining(&c) + (size_t)(td_cur_ptr(&c) - start));
            return;
        case HDR_RETRY:
            retry(q, side, start, td_cur_remaining(&c) + (size_t)(td_cur_ptr(&c) - start),
                  td_cur_remaining(&c) < td_cur_declared(&c), &h);
            return;
        case HDR_UNKNOWN_VERSION:
            td_conn_anomaly(q->conn, TD_ANOM_QUIC_UNSUPPORTED, now,
                            "%s: packet %llu of a datagram has version %s, not the connection's: "
                            "the rest of the datagram is not read", who(side),
                            (unsigned long long)index, td_quic_version_name(h.version, vbuf));
            return;
        case HDR_MALFORMED:
            if (c.status == TD_CUR_TRUNCATED)
                td_conn_anomaly(q->conn, TD_ANOM_TRUNCATED_CAPTURE, now,
                                "%s: a datagram cut by the snaplen inside a QUIC header", who(side));
            else
                td_conn_anomaly(q->conn, TD_ANOM_QUIC_MALFORMED, now,
                                "%s: packet %llu of a datagram: %s", who(side),
                                (unsigned long long)index, h.detail[0] ? h.detail : "bad header");
            return;
        }
        if (h.version != q->version) {
            td_conn_anomaly(q->conn, TD_ANOM_QUIC_UNSUPPORTED, now,
                            "%s: a packet of version %s in a connection of version %s: skipped",
                            who(side), td_quic_version_name(h.version, vbuf),
                            td_quic_version_name(q->version, vbuf2));
            td_cur_skip(&c, (size_t)h.length);
            continue;
        }
        if (!td_cur_sub(&c, (size_t)h.length, &body)) {
            td_conn_anomaly(q->conn, TD_ANOM_TRUNCATED_CAPTURE, now,
                            "%s: a %s packet cut by the snaplen: not decrypted", who(side),
                            h.type == TD_QUIC_PT_INITIAL ? "Initial" : "long-header");
            return;
        }
        if (h.type == TD_QUIC_PT_INITIAL)
            protected_packet(q, side, SPACE_INITIAL, start, h.pn_offset + (size_t)h.length, &h,
                             index);
        else if (h.type == TD_QUIC_PT_HANDSHAKE && handshake_keys(q, side))
            protected_packet(q, side, SPACE_HANDSHAKE, start, h.pn_offset + (size_t)h.length, &h,
                             index);
        if (h.type != TD_QUIC_PT_INITIAL)
            count_packet(q, side, h.type == TD_QUIC_PT_HANDSHAKE, (size_t)h.length);
    }
}

void td_quic_end(struct td_quic_conn *q, td_time_us now)
{
    q->now = now;
    for (int sp = 0; sp < 2; sp++)
        for (int side = 0; side < 2; side++)
            if (td_quic_crypto_waiting(&q->crypto[sp][side]))
                td_conn_anomaly(q->conn, TD_ANOM_INCOMPLETE_MESSAGE, now,
                                "%s: %zu CRYPTO bytes of the %s space wait behind a hole at "
                                "offset %zu that never filled", who(side),
                                td_quic_crypto_waiting(&q->crypto[sp][side]), space_name[sp],
                                q->crypto[sp][side].delivered);
    if (q->retries > 1)
        td_conn_anomaly(q->conn, TD_ANOM_QUIC_UNSUPPORTED, now,
                        "%llu more Retry packets (not checked: a client follows only the first)",
                        (unsigned long long)(q->retries - 1));
    for (int side = 0; side < 2; side++)
        if (q->hs_unopened[side] > 1)
            td_conn_anomaly(q->conn, TD_ANOM_QUIC_UNDECRYPTABLE, now,
                            "%s: %llu more Handshake packets did not open with the key log's "
                            "handshake traffic secret", who(side),
                            (unsigned long long)(q->hs_unopened[side] - 1));
    td_tls_end(q->tls, now);
}
