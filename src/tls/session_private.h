/*
 * session_private.h — the state of one TLS connection, shared by the files
 * of the session: session.c (the state machine: hellos, messages, gaps, the
 * end), session_records.c (what each kind of record means, with and without
 * encryption), session_decrypt.c (TLS 1.3 record protection with key log
 * secrets), session_decrypt12.c (TLS 1.0-1.2's), session_early.c (0-RTT
 * early data), session_transcript.c (Finished verification) and
 * session_await.c (live: waiting for a key log still being written).
 * Private to src/tls; other modules use include/tlsdissect/session.h.
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

struct td_transcript;

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
    enum td_protection reading_with; /* ... opened with these keys */
    uint64_t record_index;  /* the record being read (record.h's index) */
    uint8_t key_updates;    /* TLS 1.3: the KeyUpdates this side made (its application secret's N) */
};

/* TLS 1.3 decryption of one connection, made only when the key log has its secrets. */
struct td_tls13_decrypt {
    struct td_rp *rp[2];        /* by flow side; NULL: that side is no longer decrypted */
    bool to_application[2];     /* a Finished was read: the next record uses the traffic secret */
    bool key_update[2];         /* a KeyUpdate was read: the next record uses the next secret */
    bool application[2];        /* the side's records are under its application traffic secret */
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
    bool offered_encrypt_then_mac; /* the first ClientHello has encrypt_then_mac (RFC 7366) */

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

    /* Finished verification (session_transcript.c), only with the key log's secrets */
    struct td_transcript *transcript;   /* NULL: not kept (no keys), over, or lost */
    bool transcript_chosen;             /* the ServerHello chose its hash */
    bool transcript_lost;               /* a message of it was not seen whole: why says how */
    bool reported_unverified;
    char transcript_lost_why[128];
    struct td_tls13_early *early;   /* NULL unless 0-RTT was offered with a key log */
    struct td_tls12_decrypt *dec12; /* TLS <= 1.2: NULL unless decrypting */
    struct td_tls12_hello {         /* ... and what its key block needs of the ServerHello */
        bool known;
        bool encrypt_then_mac;      /* both hellos carry it (RFC 7366) */
        uint16_t version, suite;
        uint8_t server_random[32];
    } hello12;
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

/* ---- session_facts.c: what the connection record notes of each message -- */
void td_sess_note_facts(struct td_tls_session *s, enum td_side from, const struct td_message *m);

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

/* ---- session_transcript.c: Finished verification ---------------------- */
/* A handshake message read (before it is emitted): hashed; a decrypted Finished checked. */
void td_sess_transcript_message(struct td_tls_session *s, int side, const struct td_hs_message *hm,
                                struct td_message *m);
/* After the message was emitted: the anomaly of a Finished that does not verify. */
void td_sess_transcript_report(struct td_tls_session *s, int side, const struct td_message *m);
/* A message of the transcript will not be seen whole: no verdict (printf-style why). */
void td_sess_transcript_lose(struct td_tls_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void td_sess_transcript_free(struct td_tls_session *s);
/* The side's handshake traffic secret again, its sequence number back at 0 (a skipped early record). */
bool td_sess_restart_handshake_secret(struct td_tls_session *s, int side);

/* ---- session_early.c: 0-RTT early data (RFC 8446 §4.2.10) -------------- */
/* A first ClientHello offering early_data (with client_random kept when a key log was given). */
void td_sess_early_client_hello(struct td_tls_session *s);
void td_sess_early_free(struct td_tls_session *s);
/* What the server's messages say: rejected, or (EncryptedExtensions) accepted. */
void td_sess_early_server_hello(struct td_tls_session *s, const struct td_server_hello *sh, bool is_hrr);
void td_sess_early_extensions(struct td_tls_session *s, const struct td_encrypted_extensions *ee);
/* EndOfEarlyData was read: the client's next records use its handshake traffic secret. */
void td_sess_early_end(struct td_tls_session *s);
/* The side's records must keep their bodies: they may be opened with the early secret. */
bool td_sess_early_needs_bodies(const struct td_tls_session *s, int side);
/* A client application_data record: true when it was an early record, opened (and read). */
bool td_sess_early_record(struct td_tls_session *s, int side, const struct td_record *r);
/* A client record that did not open with its handshake secret: true when it is skipped as early data. */
bool td_sess_early_skip(struct td_tls_session *s, int side);
/* A client record opened with its handshake secret: no early record comes after it. */
void td_sess_early_handshake_opened(struct td_tls_session *s, int side);
/* Early records skipped so far. */
unsigned td_sess_early_skipped(const struct td_tls_session *s);

/* ---- session_decrypt12.c: TLS 1.0-1.2 record protection ---------------- */
/* After a TLS <= 1.2 ServerHello: keys when the key log has the master secret. */
/* The first TLS <= 1.2 ServerHello: what the key block needs from it. */
void td_sess_note_server_hello12(struct td_tls_session *s, const struct td_server_hello *sh);
/* Start when the key log has the CLIENT_RANDOM line (after td_sess_note_server_hello12). */
void td_sess_start_decrypting12(struct td_tls_session *s);
void td_sess_stop_decrypting12(struct td_tls_session *s);
/* A side's ChangeCipherSpec: its next records are opened with the keys derived for it. */
void td_sess_tls12_cipher_changed(struct td_tls_session *s, int side);
/* A gap lost a side's record framing: its later records are not decrypted. */
void td_sess_tls12_stop_side(struct td_tls_session *s, int side);
bool td_sess_tls12_decrypting(const struct td_tls_session *s, int side);
/*
 * A record of a side being decrypted: true with *inner its plaintext (read it
 * as if in clear, then call td_sess_tls12_done); false: label it as without keys.
 */
bool td_sess_tls12_open(struct td_tls_session *s, int side, const struct td_record *r,
                        struct td_record *inner);
void td_sess_tls12_done(struct td_tls_session *s, int side, const struct td_record *inner);
/* DTLS 1.0/1.2: a record of a side opened with its own epoch and sequence_number
 * (RFC 6347 §4.1.2.1); true with *inner its plaintext; a failure is reported and
 * does not stop the later records. */
bool td_sess_dtls12_open(struct td_tls_session *s, int side, const struct td_record *r,
                         uint16_t epoch, uint64_t sequence, struct td_record *inner);

#endif
