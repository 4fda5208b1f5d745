/*
 * session.h — the TLS view of one TCP connection: both directions' record
 * readers and handshake assemblers, what was negotiated, and the rules
 * that label each record (RFC 8446 §2 and §5, RFC 5246 §7.1 and §7.3).
 *
 * It is fed the reassembled byte stream of each direction (flow sides 0
 * and 1) and reports messages, anomalies and summary facts to a
 * struct td_conn.  Which side is the client is settled by the first
 * ClientHello (or ServerHello); until then the caller's guess holds.
 */
#ifndef TLSDISSECT_SESSION_H
#define TLSDISSECT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"
#include "tlsdissect/certificate.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/keylog.h"
#include "tlsdissect/resume.h"
#include "tlsdissect/stream.h"
#include "tlsdissect/validate.h"

struct td_tls_config {
    size_t max_handshake_message; /* bytes; longer messages are skipped and reported */
    uint64_t detect_budget;       /* bytes scanned per direction for a first record */
    size_t app_data_bytes;        /* --app-data: decrypted application bytes kept per side */
    bool show_secrets;            /* --show-secrets: the key log's lines in the summary */
};

/* The scratch a key log needs: one record's plaintext (RFC 8446 §5.2: 2^14 + 256,
 * and the TLS 1.2 limit of RFC 5246 §6.2.3 beyond it). */
#define TD_TLS_PLAINTEXT_SCRATCH (16384 + 2048)

/* --app-data: at most this many decrypted bytes are kept per side. */
#define TD_APP_DATA_MAX 65536u

/* What every session of a run shares (owned by the caller). */
struct td_tls_env {
    const struct td_tls_config *cfg;
    struct td_arena *arena;          /* per-event scratch, reset after each event */
    struct td_cert_cache *certs;
    struct td_resume_map *resume;
    struct td_validator *validator;  /* NULL: certificates are not validated */
    const struct td_digests *digests;
    struct td_mem_budget *buffers;   /* records and messages spanning segments; NULL: none */
    bool quic;                       /* the sessions are fed by td_tls_handshake_data (QUIC) */
    bool dtls;                       /* the sessions are fed by td_tls_dtls_* (DTLS) */
    struct td_keylog *keylog;        /* NULL: no key log given (nothing is decrypted) */
    uint8_t *plaintext;              /* with a key log: TD_TLS_PLAINTEXT_SCRATCH bytes for the
                                      * record being opened (one at a time, every session) */
};

struct td_tls_session;

/*
 * client_side: the flow side believed to be the client (the SYN sender);
 * midstream: the connection's start was not seen, so a record found without
 * a hello is accepted.
 */
struct td_tls_session *td_tls_new(const struct td_tls_env *env, struct td_conn *conn,
                                  int client_side, bool midstream);
void td_tls_free(struct td_tls_session *s);

/* In-order bytes of one direction; returns the bytes it will not need next. */
uint64_t td_tls_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n,
                     td_time_us now);

/* Missing bytes of one direction; returns the bytes it will not need next. */
uint64_t td_tls_gap(struct td_tls_session *s, int side, uint64_t n, enum td_gap_reason why,
                    td_time_us now);

/*
 * QUIC (RFC 9001 §4.1.3): in-order handshake bytes of one direction, as the
 * CRYPTO frames carry them, without a record layer.  Messages are parsed
 * and reported as over TCP; their record_version is 0 (none).  For
 * sessions of an environment whose `quic` is set (JA4's transport is `q`).
 */
void td_tls_handshake_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n,
                           td_time_us now);

/*
 * QUIC: the same for the bytes of the Handshake packet-number space, which
 * came out of packets opened with the key log's handshake traffic secret:
 * their messages are reported decrypted (protection: handshake secret) and
 * a Finished among them is checked against the transcript.
 */
void td_tls_handshake_data_decrypted(struct td_tls_session *s, int side, const uint8_t *p,
                                     size_t n, td_time_us now);

/*
 * QUIC (RFC 9001 §5.1): the secret that protects side's Handshake packets,
 * the sender's handshake traffic secret in the key log, once a TLS 1.3
 * ServerHello chose the suite (into *suite).  Its length into secret
 * (TD_KEYLOG_SECRET_MAX bytes; the caller cleanses it), or 0 when there is
 * none (no key log, no ServerHello yet, not TLS 1.3).
 */
/*
 * QUIC: a Handshake packet of side did not open with that secret: its
 * CRYPTO bytes are lost, so the transcript is (no Finished after it can be
 * checked) and the connection's decryption is "failed".
 */
void td_tls_quic_handshake_unopened(struct td_tls_session *s, int side, td_time_us now);

/*
 * QUIC (RFC 9000 §17.2.5.2): the client followed a Retry; the ClientHello
 * it sends in its next Initials starts the handshake again (its own event,
 * the one whose random, SNI and fingerprints the connection keeps, and
 * where the transcript starts), not a second ClientHello.
 */
void td_tls_quic_retry(struct td_tls_session *s);

size_t td_tls_quic_handshake_secret(const struct td_tls_session *s, int side, uint8_t *secret,
                                    uint16_t *suite);

/*
 * DTLS (RFC 6347, RFC 9147; session_dtls.c), for sessions of an environment
 * whose `dtls` is set (JA4's transport is `d`; hellos carry a cookie):
 *  - td_tls_dtls_message: one whole handshake message in clear, reassembled
 *    from its fragments and given in TLS form (4-byte header, body);
 *  - td_tls_dtls_record: any other record (ChangeCipherSpec, alerts,
 *    application data, ACK, and handshake records of epoch > 0, which are
 *    encrypted); captured of length body bytes were kept.
 * stamp says where the message or record was; events carry it.
 */
void td_tls_dtls_message(struct td_tls_session *s, int side, const uint8_t *msg, size_t n,
                         uint16_t record_version, const struct td_dtls_stamp *stamp,
                         td_time_us now);
void td_tls_dtls_record(struct td_tls_session *s, int side, uint8_t type, uint16_t version,
                        const uint8_t *body, size_t captured, size_t length,
                        const struct td_dtls_stamp *stamp, td_time_us now);

/*
 * DTLS 1.0/1.2 with the key log's master secret (RFC 6347 §4.1.2.1): open a
 * record of epoch 1 with its own epoch and sequence_number, in whatever
 * order records come.  True: *plain (plain_len bytes, valid until
 * td_tls_dtls_plaintext_done) is its content, to be handed back as the
 * message fragments or the record it holds, stamped decrypted.  False: not
 * opened (no keys, another epoch, not captured whole, or it does not
 * authenticate, which is an anomaly but leaves later records decryptable);
 * hand it on as the protected record.
 */
bool td_tls_dtls_open(struct td_tls_session *s, int side, uint8_t type, uint16_t version,
                      uint16_t epoch, uint64_t sequence, const uint8_t *body, size_t length,
                      td_time_us now, const uint8_t **plain, size_t *plain_len);
void td_tls_dtls_plaintext_done(struct td_tls_session *s, size_t plain_len);

/* DTLS: the ServerHello chose DTLS 1.3 (later records use the unified header). */
bool td_tls_dtls13(const struct td_tls_session *s);

/* DTLS: the length of the connection ID on the records flow side `side` sends
 * (RFC 9146 §3: the one its peer's hello asked for), or -1 when none was asked. */
int td_tls_dtls_cid_length(const struct td_tls_session *s, int side);

/* The connection ended: report what was left half-read. */
void td_tls_end(struct td_tls_session *s, td_time_us now);

/* TLS was found in at least one direction. */
bool td_tls_detected(const struct td_tls_session *s);

/* Both directions gave up looking for TLS. */
bool td_tls_hopeless(const struct td_tls_session *s);

#endif
