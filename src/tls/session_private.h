/*
 * session_private.h — the state of one TLS connection, shared by the three
 * files of the session: session.c (the state machine: hellos, messages,
 * gaps, the end), session_records.c (what each kind of record means, with
 * and without encryption) and session_decrypt.c (TLS 1.3 record protection
 * with key log secrets).  Private to src/tls; other modules use
 * include/tlsdissect/session.h.
 */
#ifndef TLSDISSECT_TLS_SESSION_PRIVATE_H
#define TLSDISSECT_TLS_SESSION_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/session.h"
#include "tls/handshake.h"
#include "tls/keyexchange.h"
#include "tls/record.h"
#include "tls/resumption.h"

struct td_tls_dir {
    struct td_record_reader rec;
    struct td_hs_assembler hs;
    bool encrypted;         /* TLS <= 1.2: after this side's ChangeCipherSpec */
    bool finished_seen;     /* this side's Finished was seen */
    bool flight_done;       /* TLS 1.3: this side's encrypted handshake flight is over */
    bool sent_encrypted;    /* TLS 1.3: this side sent an application_data record */
    unsigned flight_records;
    bool sslv2_clear_done;  /* SSL 2.0: the messages in clear are over */
    bool sslv2_sent_encrypted;
    bool reported_discard;  /* the over-long message being skipped was reported */
    bool reported_version;  /* an odd record version of this side was reported */
    bool reported_unrecognised; /* "no TLS record in this direction" was reported */
    uint64_t offset;        /* stream offset, for anomaly details */
    bool reading_decrypted; /* the content being read came out of a decrypted record */
};

/* TLS 1.3 decryption of one connection, made only when the key log has its secrets. */
struct td_tls13_decrypt {
    struct td_rp *rp[2];        /* by flow side; NULL: that side is no longer decrypted */
    bool to_application[2];     /* a Finished was read: the next record uses the traffic secret */
    bool key_update[2];         /* a KeyUpdate was read: the next record uses the next secret */
};

struct td_tls_session {
    const struct td_tls_env *env;
    struct td_conn *conn;
    struct td_tls_dir dir[2];
    int client_side;
    bool roles_fixed;
    bool detected;
    td_time_us now;

    /* what the client offered */
    unsigned client_hellos;
    bool ch_seen;
    td_time_us ch_ts;
    bool offered_tls13;
    bool offered_early_data;    /* the first ClientHello has early_data (RFC 8446 §4.2.10) */

    /* what the server chose */
    bool sh_seen;
    bool hrr_seen;
    uint16_t version;
    uint16_t cipher_suite;
    bool tls13;
    struct td_kex kex;
    size_t finished_record_len; /* TLS 1.3: an encrypted Finished record's length */
    struct td_resumption_tracker resumption;
    uint16_t selected_version;  /* by the ServerHello or HelloRetryRequest */
    bool server_certificate_seen;
    bool sslv2_client_master_key;
    bool has_client_random;
    uint8_t client_random[32];      /* the first ClientHello's: the key log's key */
    struct td_tls13_decrypt *dec;   /* NULL unless decrypting */
    struct td_key_wait *await;      /* live: records held until the key log has the secrets */
    bool hvr_seen;                  /* DTLS: a HelloVerifyRequest (RFC 6347 §4.2.1) */
    const struct td_dtls_stamp *dtls_stamp; /* DTLS: where the record being read was */
    uint64_t dtls_records[2];       /* DTLS: records handed to the session, by side */
    int dtls_cid_len[2];            /* DTLS: connection ID length on the records each role
                                     * (enum td_side) sends, from the peer's hello; -1: none */
};

/* ---- session.c: the connection's roles and what it tells the model ---- */
enum td_side td_sess_role(const struct td_tls_session *s, int side);
const char *td_sess_direction(const struct td_tls_session *s, int side);
void td_sess_fix_roles(struct td_tls_session *s, int client_side);
void td_sess_mark_detected(struct td_tls_session *s);
/* Hand a message to the model, stamped with what the writers need to know. */
void td_sess_emit(struct td_tls_session *s, int side, struct td_message *m);
void td_sess_report_parse(struct td_tls_session *s, const struct td_parse *p);
/* Both Finished messages seen (or their evidence): the handshake is over. */
void td_sess_handshake_complete(struct td_tls_session *s);
void td_sess_publish_resumption(struct td_tls_session *s);
void td_sess_add_app_bytes(struct td_tls_session *s, int side, size_t n);
/* Decrypted application data: counted, and its first bytes kept with --app-data. */
void td_sess_add_app_data(struct td_tls_session *s, int side, const uint8_t *p, size_t n);
void td_sess_on_client_hello(struct td_tls_session *s, struct td_client_hello *ch);
void td_sess_on_server_hello(struct td_tls_session *s, const struct td_server_hello *sh, bool is_hrr);
/* The handshake assembler's callback: one message. */
void td_sess_on_message(void *ctx, int side, const struct td_hs_message *hm);

/* ---- session_records.c: the record reader's callbacks ------------------ */
void td_sess_on_record(void *ctx, int side, const struct td_record *r);
void td_sess_on_note(void *ctx, int side, enum td_rec_note what, const char *detail);
/* A handshake record in clear (or decrypted): its messages. */
void td_sess_read_handshake_record(struct td_tls_session *s, int side, const struct td_record *r);
/* An alert record (in clear, encrypted, or decrypted). */
void td_sess_on_alert(struct td_tls_session *s, int side, const struct td_record *r);
/* A handshake message that could not be buffered was skipped: say so. */
void td_sess_report_refusal(struct td_tls_session *s, int side);
/* TLS 1.3 without keys: an application_data record, labelled by position. */
void td_sess_on_tls13_encrypted(struct td_tls_session *s, int side, const struct td_record *r);

/* ---- session_decrypt.c: TLS 1.3 record protection ---------------------- */
/* After a TLS 1.3 ServerHello: start when the key log has the secrets. */
void td_sess_start_decrypting(struct td_tls_session *s, uint16_t suite);
void td_sess_stop_decrypting(struct td_tls_session *s);
/* An application_data record of a connection being decrypted. */
void td_sess_on_tls13_decrypt(struct td_tls_session *s, int side, const struct td_record *r);
/* After a side's Finished: its application traffic secret, if the key log has it. */
bool td_sess_install_application_secret(struct td_tls_session *s, int side);
/* No usable traffic secret for a side: its later records are counted, not opened. */
void td_sess_stop_decrypting_side(struct td_tls_session *s, int side);

/* ---- session_await.c: a live key log that is still being written -------- */
/* A TLS 1.3 ServerHello without secrets in a followed key log: hold the records. */
void td_sess_await_keys(struct td_tls_session *s, uint16_t suite);
/* After a side's Finished, its application secret is missing: hold records (true) if followed. */
bool td_sess_await_application_secret(struct td_tls_session *s, int side);
/* While waiting: true when the record was held; false when the wait ended (read it). */
bool td_sess_await_record(struct td_tls_session *s, int side, const struct td_record *r);
/* Stop waiting and read the held records (last_chance: look in the key log once more). */
void td_sess_await_end(struct td_tls_session *s, bool last_chance);
void td_sess_await_free(struct td_tls_session *s);

#endif
