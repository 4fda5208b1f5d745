/*
 * model.h — the plain result model: what the parsers found, as C values.
 *
 * Parsers (src/tls) fill these structs; writers (src/output) only read them
 * and never see wire bytes.  The fields follow the output contract
 * (docs/output-contract.md): message events carry one handshake message or
 * record-level event (RFC 8446 §4, RFC 5246 §7), connection events carry the
 * per-connection summary.
 *
 * Lifetime: a struct td_event and everything it points to lives only for the
 * duration of the sink call that receives it (lists sit in a per-event arena
 * that is reset afterwards).  A writer that keeps anything copies it.
 */
#ifndef TLSDISSECT_MODEL_H
#define TLSDISSECT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/format.h"

/* Bytes taken from the wire (a string or opaque value); not NUL-terminated. */
struct td_bytes {
    const uint8_t *data;
    size_t len;
};

/*
 * Output caps on lists read from the wire (docs/limits.md).  An event lists
 * at most this many entries of one list; the parser counts the rest (the
 * lists' `omitted`, written as `<field>_omitted` and `+N more`) and reports
 * limit_reached.  Real handshakes stay far below them: a ClientHello may
 * carry 2^15 - 1 cipher suites, real ones fewer than 100.
 */
#define TD_MAX_LISTED_CIPHER_SUITES 256
#define TD_MAX_LISTED_CODE_POINTS 64 /* extensions, groups, signature algorithms, versions, key shares */
#define TD_MAX_LISTED_ALPN 32
#define TD_MAX_LISTED_CERTIFICATES 128 /* per Certificate message */
#define TD_MAX_LISTED_SAN 1024         /* per certificate */

/*
 * Code points in wire order.  All n values are kept, because JA3 and JA4
 * hash whole lists (2 bytes a value: never more than the message itself);
 * an event lists the first n - omitted.
 */
struct td_u16_list {
    const uint16_t *v;
    size_t n;
    size_t omitted; /* trailing values past the list's output cap */
};

static inline size_t td_u16_listed(const struct td_u16_list *l) { return l->n - l->omitted; }

/* Byte strings in wire order: the first n are kept and listed, `omitted` more were only counted. */
struct td_bytes_list {
    const struct td_bytes *v;
    size_t n;
    size_t omitted;
};

enum td_side { TD_CLIENT = 0, TD_SERVER = 1 };

#define TD_MAX_VLAN 4

struct td_endpoint {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
};

/* What carries the TLS handshake.  TCP events do not show it yet (their
 * output is the contract's as it stands); QUIC events say "transport". */
enum td_transport { TD_TRANSPORT_TCP = 0, TD_TRANSPORT_QUIC, TD_TRANSPORT_DTLS };

/* Identity of a connection: the common fields of every event that has one. */
struct td_conn_id {
    uint64_t conn; /* 1-based */
    struct td_endpoint client;
    struct td_endpoint server;
    uint16_t vlan[TD_MAX_VLAN]; /* outermost first */
    uint8_t nvlan;
    uint8_t transport;     /* enum td_transport */
    uint32_t quic_version; /* TD_TRANSPORT_QUIC: the version of the client's first Initial */
};

enum td_msg_kind {
    TD_MSG_HELLO_REQUEST,
    TD_MSG_CLIENT_HELLO,
    TD_MSG_SERVER_HELLO,
    TD_MSG_HELLO_RETRY_REQUEST,
    TD_MSG_NEW_SESSION_TICKET,
    TD_MSG_END_OF_EARLY_DATA,
    TD_MSG_ENCRYPTED_EXTENSIONS,
    TD_MSG_CERTIFICATE,
    TD_MSG_SERVER_KEY_EXCHANGE,
    TD_MSG_CERTIFICATE_REQUEST,
    TD_MSG_SERVER_HELLO_DONE,
    TD_MSG_CERTIFICATE_VERIFY,
    TD_MSG_CLIENT_KEY_EXCHANGE,
    TD_MSG_FINISHED,
    TD_MSG_CERTIFICATE_STATUS,
    TD_MSG_KEY_UPDATE,
    TD_MSG_CHANGE_CIPHER_SPEC,
    TD_MSG_ALERT,
    TD_MSG_ENCRYPTED_HANDSHAKE,
    TD_MSG_HEARTBEAT,
    TD_MSG_COMPRESSED_CERTIFICATE,
    TD_MSG_HELLO_VERIFY_REQUEST, /* DTLS 1.0/1.2 (RFC 6347 §4.2.1) */
    TD_MSG_ACK,                  /* a DTLS 1.3 ACK record in clear (RFC 9147 §7) */
    TD_MSG_QUIC_RETRY,           /* a QUIC Retry the client followed (RFC 9000 §17.2.5) */
    TD_MSG_OTHER_HANDSHAKE, /* a handshake type without a message name here */
};

/* TLS <= 1.2: whether the handshake resumes a session, as far as it is known. */
enum td_resumption_hint {
    TD_HINT_NONE,       /* no ServerHello yet, or TLS 1.3 */
    TD_HINT_FULL,       /* a full handshake */
    TD_HINT_RESUMING,   /* the server echoed the client's session ID, or went to ChangeCipherSpec */
    TD_HINT_UNDECIDED,  /* a ticket was offered: the server's next message tells */
};

/* The contract's name of a message kind ("ClientHello", ...). */
const char *td_msg_kind_name(enum td_msg_kind kind);

/* RFC 8446 §4.1.2, RFC 5246 §7.4.1.2, RFC 6101 E.2 (SSLv2-compatible form). */
struct td_client_hello {
    bool sslv2_format;      /* arrived as an SSLv2-compatible CLIENT-HELLO */
    uint16_t legacy_version;
    struct td_bytes random; /* 32 bytes (SSLv2: the challenge) */
    struct td_bytes session_id;
    bool has_cookie;                        /* DTLS (RFC 6347 §4.2.1): the cookie field */
    struct td_bytes cookie;
    bool has_cipher_suites;                 /* the has_ flags: fields read (a truncated */
    bool has_compression_methods;           /* message stops early) */
    bool has_extensions;
    struct td_u16_list cipher_suites;       /* SSLv2 form: the kinds that are TLS suites */
    size_t sslv2_only_kinds;                /* SSLv2 form: kinds with no TLS suite */
    struct td_bytes compression_methods;   /* one byte each */
    struct td_u16_list extensions;          /* types, wire order */
    bool has_sni;
    struct td_bytes sni;                    /* first host_name */
    bool has_alpn;
    struct td_bytes_list alpn;
    bool has_supported_versions;
    struct td_u16_list supported_versions;
    bool has_supported_groups;
    struct td_u16_list supported_groups;
    bool has_ec_point_formats;
    struct td_bytes ec_point_formats;       /* one byte each */
    bool has_signature_algorithms;
    struct td_u16_list signature_algorithms;
    bool has_key_share;
    struct td_u16_list key_share;           /* groups of the offered shares */
    bool has_psk_modes;
    struct td_bytes psk_modes;              /* one byte each */
    bool has_connection_id;                 /* DTLS (RFC 9146 §3): the CID it wants to receive */
    struct td_bytes connection_id;
    bool has_session_ticket;
    struct td_bytes session_ticket;         /* extension data (may be empty) */
    bool has_pre_shared_key;
    struct td_bytes psk_identities;         /* RFC 8446 §4.2.11: PskIdentity identities<7..2^16-1>, raw */
    bool has_compress_certificate;          /* RFC 8879 §3: the algorithms it accepts */
    struct td_u16_list compress_certificate;
    const char *ja3;        /* md5 hex */
    const char *ja3_string;
    const char *ja4;
};

/* RFC 8446 §4.1.3-4.1.4, RFC 5246 §7.4.1.3. */
struct td_server_hello {
    uint16_t legacy_version;
    uint16_t version; /* supported_versions when present, else legacy_version */
    struct td_bytes random;
    struct td_bytes session_id;
    bool has_cipher_suite;   /* the has_ flags: fields read (a truncated message stops early) */
    bool has_extensions;
    uint16_t cipher_suite;
    uint8_t compression_method;
    struct td_u16_list extensions;
    bool has_alpn;
    struct td_bytes alpn;
    bool has_key_share;
    uint16_t key_share;
    bool has_supported_version;
    bool has_pre_shared_key;
    uint16_t psk_selected_identity; /* RFC 8446 §4.2.11: index into the ClientHello's identities */
    bool has_connection_id;                 /* DTLS (RFC 9146 §3): the CID it wants to receive */
    struct td_bytes connection_id;
    bool has_session_ticket;
    bool sslv2_format; /* SSLv2 SERVER-HELLO */
    const char *ja3s;
    const char *ja3s_string;
};

/* RFC 8446 §4.3.1: the server's extensions that are not needed to set up keys. */
struct td_encrypted_extensions {
    struct td_u16_list extensions;          /* types, wire order */
    bool has_alpn;
    struct td_bytes alpn;                   /* RFC 7301 §3.1: the one protocol selected */
    bool server_name_ack;                   /* RFC 6066 §3: an empty server_name */
    bool early_data;                        /* RFC 8446 §4.2.10: 0-RTT accepted */
    bool has_record_size_limit;             /* RFC 8449 §4 */
    uint16_t record_size_limit;
    bool has_max_fragment_length;           /* RFC 6066 §4: 1..4 (2^9..2^12) */
    uint8_t max_fragment_length;
    bool has_supported_groups;              /* RFC 8446 §4.2.7: the server's preference */
    struct td_u16_list supported_groups;
    bool has_quic_transport_parameters;     /* RFC 9001 §8.2 */
};

/* One X.509 certificate (RFC 5280), as libcrypto decodes it. */
struct td_cert_info {
    bool parsed;          /* false: DER did not decode; only hashes are set */
    struct td_bytes der;  /* the certificate as sent (a view, valid during the event) */
    size_t der_len;
    char sha256[65];
    char sha1[41];
    const char *subject;  /* RFC 4514 / openssl -nameopt RFC2253 */
    const char *issuer;
    struct td_bytes subject_cn; /* first CN, for the text writer (may hold NUL bytes) */
    const char *serial;   /* hex of the DER INTEGER contents */
    bool has_validity;
    int64_t not_before;   /* seconds since the epoch, UTC */
    int64_t not_after;
    struct td_bytes_list san; /* DNS names, IP addresses as text, emails, URIs */
    bool san_undecodable;     /* the subjectAltName extension is not DER (or appears twice) */
    size_t san_bad_addresses; /* iPAddress entries neither 4 nor 16 bytes long: left out */
    size_t san_first_bad_address;     /* GeneralName index of the first of them */
    size_t san_first_bad_address_len; /* and its length */
    const char *key_type; /* "RSA", "EC", "Ed25519", ... */
    int key_bits;
    const char *signature_algorithm;
    bool is_ca;
};

/* RFC 8446 §4.4.2, RFC 5246 §7.4.2. */
struct td_certificate {
    size_t count;                     /* entries in certs (at most TD_MAX_LISTED_CERTIFICATES) */
    size_t omitted;                   /* more entries in the message, only counted */
    const struct td_cert_info *certs;
    struct td_bytes context; /* TLS 1.3 certificate_request_context */
};

/* RFC 8879 §4: a Certificate message (TLS 1.3 form) sent compressed. */
struct td_compressed_certificate {
    bool has_header;              /* algorithm and uncompressed_length were read */
    uint16_t algorithm;           /* CertificateCompressionAlgorithm */
    size_t uncompressed_length;   /* as declared */
    size_t compressed_length;     /* of compressed_certificate_message; 0: not read (<1..2^24-1>) */
    bool decompressed;            /* certificate holds the Certificate it carries */
    struct td_certificate certificate;
};

/* RFC 5246 §7.4.3, RFC 8422 §5.4, RFC 4279 §2. */
struct td_server_key_exchange {
    const char *kex;         /* "ECDHE", "DHE", "RSA", "DH_anon", ... or NULL */
    bool has_group;
    uint16_t group;
    int dh_prime_bits;       /* 0 when not DHE */
    size_t public_key_bytes;
    bool has_signature_algorithm;
    uint16_t signature_algorithm;
    bool params_parsed;      /* false when the key exchange was not recognised */
};

/* RFC 5246 §7.4.7. */
struct td_client_key_exchange {
    const char *kex;
    size_t length; /* bytes of the exchange keys (encrypted PMS or public value) */
};

/* RFC 5246 §7.4.4, RFC 8446 §4.3.2. */
struct td_certificate_request {
    struct td_bytes certificate_types; /* one byte each; empty in TLS 1.3 */
    bool has_signature_algorithms;
    struct td_u16_list signature_algorithms;
    size_t ca_count;
    bool has_compress_certificate;     /* TLS 1.3, RFC 8879 §3 */
    struct td_u16_list compress_certificate;
};

/* RFC 5246 §7.4.8, RFC 8446 §4.4.3. */
struct td_certificate_verify {
    bool has_signature_algorithm;
    uint16_t signature_algorithm;
};

/* RFC 5077 §3.3, RFC 8446 §4.6.1. */
struct td_new_session_ticket {
    uint32_t lifetime_hint;     /* TLS 1.3: ticket_lifetime */
    size_t ticket_length;
    struct td_bytes ticket;
    bool tls13;                 /* the fields below were read (RFC 8446 §4.6.1) */
    uint32_t ticket_age_add;
    struct td_bytes ticket_nonce;
    bool has_max_early_data_size; /* the early_data extension (RFC 8446 §4.2.10) */
    uint32_t max_early_data_size;
};

/* RFC 5246 §7.2. */
struct td_alert {
    uint8_t level;       /* 1 warning, 2 fatal */
    uint8_t description;
};

/* RFC 6066 §8. */
struct td_certificate_status {
    uint8_t status_type;
    size_t response_length;
};

/* The keys that opened a decrypted record (RFC 8446 §7.1-7.3; RFC 5246 §6.3). */
enum td_protection {
    TD_PROTECTION_NONE = 0,
    TD_PROTECTION_TLS13_EARLY,       /* client_early_traffic_secret */
    TD_PROTECTION_TLS13_HANDSHAKE,   /* the sender's handshake traffic secret */
    TD_PROTECTION_TLS13_APPLICATION, /* the sender's application traffic secret (N after KeyUpdates) */
    TD_PROTECTION_TLS12_KEY_BLOCK,   /* the sender's write key of the TLS 1.0-1.2 key block */
};

/* A decrypted Finished checked against the transcript (RFC 8446 §4.4.4, RFC 5246 §7.4.9). */
enum td_finished_check {
    TD_FINISHED_UNCHECKED = 0, /* no verdict: not decrypted, no keys, transcript lost, SSL 3.0 */
    TD_FINISHED_VERIFIED,      /* verify_data is the one the keys and the transcript give */
    TD_FINISHED_MISMATCH,      /* it is not */
};

/* RFC 6347 §4.2.1. */
struct td_hello_verify_request {
    uint16_t server_version;
    struct td_bytes cookie;
};

/* Where a DTLS message was in its records (RFC 6347 §4.1, §4.2.2). */
struct td_dtls_stamp {
    bool present;            /* the message came over DTLS */
    uint16_t epoch;          /* of its record (of its first fragment); unified header: 2 bits */
    bool has_message_seq;    /* a handshake message in clear */
    uint16_t message_seq;
    unsigned fragments;      /* the fragments it was reassembled from */
    bool decrypted;          /* it came out of records opened with the key log's keys */
};

struct td_message {
    enum td_side from;
    uint16_t record_version; /* 0x0002 for SSLv2 framing */
    bool without_record;     /* carried without TLS records (QUIC CRYPTO frames) */
    uint64_t record_index;   /* the sender's record that completed it (0-based; not without_record) */
    struct td_dtls_stamp dtls;
    enum td_msg_kind kind;
    uint8_t handshake_type;  /* the wire type, for TD_MSG_OTHER_HANDSHAKE */
    bool encrypted;
    bool decrypted;          /* read from a record opened with the key log's secrets */
    enum td_protection protection; /* ... and which keys opened it (--explain says) */
    uint8_t key_updates;     /* TD_PROTECTION_TLS13_APPLICATION: KeyUpdates of the sender before it */
    enum td_finished_check finished_check; /* Finished: its verify_data checked */
    bool parsed;             /* fields below are valid (those present: see the has_ flags) */
    bool malformed;          /* parsing met a problem (an anomaly event follows) */
    bool truncated;          /* the capture cut it: fields are those of the bytes seen */
    size_t length;           /* body length */
    size_t captured;         /* body bytes seen when truncated */
    bool has_fields;         /* its kind carries fields to show (a ServerHelloDone has none) */
    /* What the session knew when it labelled the message; writers only format it. */
    uint16_t negotiated_version;            /* chosen by a ServerHello or HelloRetryRequest; 0 before */
    enum td_resumption_hint resumption;     /* TLS <= 1.2: what the handshake looks like so far */
    union {
        struct td_client_hello client_hello;
        struct td_server_hello server_hello; /* also HelloRetryRequest */
        struct td_encrypted_extensions encrypted_extensions;
        struct td_certificate certificate;
        struct td_compressed_certificate compressed_certificate;
        struct td_server_key_exchange server_key_exchange;
        struct td_client_key_exchange client_key_exchange;
        struct td_certificate_request certificate_request;
        struct td_certificate_verify certificate_verify;
        struct td_new_session_ticket new_session_ticket;
        struct td_alert alert;
        struct td_certificate_status certificate_status;
        uint8_t key_update_request;
        struct td_hello_verify_request hello_verify_request;
    } u;
};

/* Anomaly kinds: short machine names, written as `what`. */
enum td_anomaly_kind {
    TD_ANOM_TCP_GAP,
    TD_ANOM_TCP_OVERLAP_CONFLICT,
    TD_ANOM_TCP_BUFFER_FULL,
    TD_ANOM_TRUNCATED_CAPTURE,
    TD_ANOM_FLOW_EVICTED,
    TD_ANOM_MIDSTREAM,
    TD_ANOM_NOT_TLS,
    TD_ANOM_BAD_RECORD,
    TD_ANOM_RECORD_TOO_LONG,
    TD_ANOM_BAD_LENGTH,
    TD_ANOM_HANDSHAKE_TOO_LONG,
    TD_ANOM_UNEXPECTED_MESSAGE,
    TD_ANOM_INTERLEAVED_RECORD,
    TD_ANOM_CERTIFICATE_UNPARSED,
    TD_ANOM_INCOMPLETE_MESSAGE,
    TD_ANOM_IP_MALFORMED,
    TD_ANOM_IP_FRAGMENT_OVERLAP,
    TD_ANOM_IP_FRAGMENT_DROPPED,
    TD_ANOM_TCP_MALFORMED,
    TD_ANOM_LINK_MALFORMED,
    TD_ANOM_OUT_OF_MEMORY,
    TD_ANOM_LIMIT_REACHED,
    TD_ANOM_BAD_VERSION,
    TD_ANOM_TCP_LATE_DATA,
    TD_ANOM_BAD_TIMESTAMP,
    TD_ANOM_QUIC_MALFORMED,       /* a QUIC header or frame that cannot be right */
    TD_ANOM_QUIC_UNDECRYPTABLE,   /* an Initial packet whose protection did not open */
    TD_ANOM_QUIC_UNSUPPORTED,     /* Retry, Version Negotiation, an unknown version */
    TD_ANOM_QUIC_CRYPTO_CONFLICT, /* resent CRYPTO bytes that differ from the first copy */
    TD_ANOM_QUIC_CONNECTION_CLOSE, /* a CONNECTION_CLOSE frame in an Initial packet */
    TD_ANOM_DECRYPTION_FAILED,
    TD_ANOM_DECRYPTION_UNSUPPORTED,
    TD_ANOM_FINISHED_MISMATCH,    /* a decrypted Finished whose verify_data is not the expected one */
    TD_ANOM_FINISHED_UNVERIFIED,  /* a decrypted Finished that cannot be checked: transcript lost */
    TD_ANOM_DTLS_MALFORMED,        /* a DTLS record header or handshake fragment that cannot be right */
    TD_ANOM_DTLS_FRAGMENT_CONFLICT, /* resent DTLS fragment bytes or headers that differ */
    TD_ANOM_DTLS_UNSUPPORTED,      /* DTLS records not read by this version (unknown CID length) */
    TD_ANOM_COUNT
};

const char *td_anomaly_name(enum td_anomaly_kind kind);

#define TD_ANOMALY_DETAIL 200

struct td_anomaly {
    enum td_anomaly_kind kind;
    char detail[TD_ANOMALY_DETAIL];
};

#define TD_MAX_ALERTS 16
#define TD_MAX_SERVER_CERTS 32
#define TD_HISTORY_MAX 60 /* transcript entries kept; more are counted */

struct td_alert_seen {
    enum td_side from;
    bool encrypted;
    struct td_alert alert;
};

enum td_resumption { TD_RESUMED_NO, TD_RESUMED_SESSION_ID, TD_RESUMED_TICKET, TD_RESUMED_PSK };

/*
 * Problems a server certificate chain can have (contract: certificate_validation),
 * in the fixed order `errors` lists them; the status is the first one present.
 */
enum td_cert_problem {
    TD_CERT_BAD_SIGNATURE,
    TD_CERT_SELF_SIGNED,
    TD_CERT_UNTRUSTED,
    TD_CERT_EXPIRED,
    TD_CERT_NOT_YET_VALID,
    TD_CERT_NAME_MISMATCH,
    TD_CERT_PROBLEMS
};

const char *td_cert_problem_name(enum td_cert_problem p);

struct td_validation {
    bool done;              /* false: no server certificate seen (or TLS 1.3: encrypted) */
    uint8_t problems;       /* bit per enum td_cert_problem; 0 is "ok" */
    bool name_checked;      /* the SNI was compared with the leaf (name_mismatch is meaningful) */
    char detail[120];       /* OpenSSL's words for the first chain error, or "" */
};

/* Whether the key log opened the connection's records (contract addition: decryption). */
enum td_decryption {
    TD_DECRYPTION_NONE,        /* no key log given: the field is not written */
    TD_DECRYPTION_NO_KEYS,     /* a key log, without this connection's secrets */
    TD_DECRYPTION_OK,
    TD_DECRYPTION_FAILED,      /* records did not authenticate with the secrets */
    TD_DECRYPTION_UNSUPPORTED, /* secrets, but a version or suite not decrypted here */
};

const char *td_decryption_name(enum td_decryption d);

/* 0-RTT (RFC 8446 §4.2.10; contract addition: early_data). */
enum td_early_data {
    TD_EARLY_DATA_NONE,     /* the ClientHello did not offer it: the field is not written */
    TD_EARLY_DATA_OFFERED,  /* offered; whether the server accepted is not known */
    TD_EARLY_DATA_ACCEPTED, /* EncryptedExtensions (decrypted) has early_data */
    TD_EARLY_DATA_REJECTED, /* HelloRetryRequest, TLS <= 1.2, no pre_shared_key, or no early_data in EncryptedExtensions */
};

const char *td_early_data_name(enum td_early_data e);
/*
 * The connection record as Zeek's ssl.log answers it (contract: connection
 * event, `group` ... `findings`).  src/tls/session_facts.c notes what the
 * handshake showed; src/model/findings.c decides `ech` and the findings when
 * the connection ends.
 */
enum td_ech { TD_ECH_UNKNOWN, TD_ECH_NONE, TD_ECH_OFFERED, TD_ECH_GREASE, TD_ECH_ACCEPTED };

/* What a security reviewer flags (docs/findings.md), in the order `findings` lists them. */
enum td_finding {
    TD_FINDING_DEPRECATED_VERSION,
    TD_FINDING_WEAK_CIPHER,
    TD_FINDING_NO_FORWARD_SECRECY,
    TD_FINDING_WEAK_KEY,
    TD_FINDING_SHA1_SIGNATURE,
    TD_FINDING_CERT_EXPIRED,
    TD_FINDING_CERT_NOT_YET_VALID,
    TD_FINDING_CERT_SELF_SIGNED,
    TD_FINDING_CERT_UNTRUSTED,
    TD_FINDING_CERT_NAME_MISMATCH,
    TD_FINDING_INSECURE_RENEGOTIATION,
    TD_FINDING_FALLBACK_SCSV,
    TD_FINDING_COMPRESSION,
    TD_FINDING_HEARTBEAT,
    TD_FINDINGS
};

#define TD_FINDING_REASON 128

/* The findings of one connection: valid during the sink call of its connection event. */
struct td_findings {
    size_t count;
    struct td_finding_seen {
        enum td_finding code;
        char reason[TD_FINDING_REASON];
    } list[TD_FINDINGS];
};

/* The leaf certificate of one side: owned copies. */
struct td_cert_identity {
    bool known;
    char *subject; /* NULL when the certificate did not decode */
    char *issuer;
    bool has_validity;
    int64_t not_before;
    int64_t not_after;
};

struct td_conn_record {
    bool has_group;
    uint16_t group;                 /* ServerHello key_share or ServerKeyExchange named curve */
    struct td_cert_identity leaf[2]; /* by enum td_side */
    bool client_certs_known;        /* a client Certificate was read, or the client's flight shows none */
    char (*client_certs)[65];       /* owned sha256 hex; client_cert_count entries */
    size_t client_cert_count;
    bool has_client_suites;
    size_t client_cipher_suites;    /* in the first ClientHello */
    /* evidence for ech and the findings */
    bool ech_offered;               /* the first ClientHello has encrypted_client_hello */
    bool ech_hrr_confirmed;         /* a HelloRetryRequest carries it: the server accepted */
    bool ech_retry_configs;         /* (decrypted) EncryptedExtensions carries it: not accepted */
    bool fallback_scsv;             /* RFC 7507 */
    bool client_secure_renegotiation; /* RFC 5746: renegotiation_info or its SCSV */
    bool server_secure_renegotiation;
    bool heartbeat[2];              /* RFC 6520, by enum td_side */
    uint8_t compression_method;     /* the ServerHello's */
    bool psk_without_dhe;           /* TLS 1.3 ServerHello: pre_shared_key, no key_share (psk_ke) */
    int weakest_rsa_bits;           /* RSA/DSA keys of the server chain; 0 when none */
    int weakest_rsa_cert;
    int weakest_ec_bits;            /* EC keys of the server chain; 0 when none */
    int weakest_ec_cert;
    int dh_prime_bits;              /* ServerKeyExchange DHE; 0 when none */
    int sha1_signed_cert;           /* index + 1 of the first SHA-1-signed certificate; 0: none */
    /* decided when the connection ends (td_conn_decide_record) */
    enum td_ech ech;
    int sni_matches_cert;           /* -1 unknown, 0 false, 1 true */
    const struct td_findings *findings; /* during the connection event only */
};

/* The connection summary (contract: type "connection"). */
struct td_conn_summary {
    td_time_us start;
    td_time_us end;
    bool tls_seen;
    bool has_version;
    uint16_t version;
    bool has_cipher_suite;
    uint16_t cipher_suite;
    char *sni;       /* owned copies */
    size_t sni_len;
    char *alpn;
    size_t alpn_len;
    bool established;
    bool resumption_known;
    enum td_resumption resumed;
    uint64_t resumed_from; /* 0 when unknown */
    uint8_t history[TD_HISTORY_MAX]; /* (kind << 1) | from */
    size_t history_len;
    size_t history_dropped;
    char ja3[33];
    char ja3s[33];
    char *ja4;
    char (*server_certs)[65]; /* owned; server_cert_count entries */
    size_t server_cert_count;
    struct td_validation validation;
    struct td_alert_seen alerts[TD_MAX_ALERTS];
    size_t alert_count;
    size_t alerts_dropped;
    bool has_handshake_time;
    int64_t handshake_us;
    bool has_rtt;
    int64_t tcp_rtt_us;
    uint64_t bytes_client; /* application data, per side */
    uint64_t bytes_server;
    uint64_t quic_1rtt_packets[2]; /* QUIC: 1-RTT (short header) packets, by enum td_side */
    uint64_t anomalies;
    enum td_decryption decryption;
    /* --app-data N: the first decrypted application bytes, by enum td_side */
    struct td_app_data {
        bool kept;       /* the connection was decrypted with --app-data: written, maybe empty */
        uint8_t *data;   /* owned; at most the option's N bytes */
        size_t len;
    } app_data[2];
    enum td_early_data early_data;
    bool has_early_data_bytes;     /* early records were opened with CLIENT_EARLY_TRAFFIC_SECRET */
    uint64_t early_data_bytes;     /* their application bytes (accepted or rejected) */
    char community_id[64];
    struct td_conn_record record; /* group ... findings */
    /* --show-secrets: the key log's lines for this connection (never written otherwise) */
    bool secrets_shown;
    size_t secret_count;
    struct td_secret_shown {
        const char *label;   /* the key log label (static) */
        uint8_t len;
        uint8_t bytes[48];
    } secrets[8];
};

struct td_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t connections;
    uint64_t tls_connections;
    uint64_t anomalies[TD_ANOM_COUNT];
    uint64_t evicted_flows;
    uint64_t udp_packets_ignored; /* UDP datagrams that are not QUIC nor DTLS (DNS, ...): not dissected */
    uint64_t udp_bytes_ignored;
    bool live;
    uint64_t kernel_received;
    uint64_t kernel_dropped;
};

enum td_event_type { TD_EV_MESSAGE, TD_EV_CONNECTION, TD_EV_ANOMALY, TD_EV_STATS };

struct td_event {
    enum td_event_type type;
    td_time_us ts;
    uint64_t frame; /* the packet being read when it came (1-based, across all files; 0: none) */
    const struct td_conn_id *conn; /* NULL for events outside a connection */
    union {
        const struct td_message *message;
        const struct td_conn_summary *connection;
        const struct td_anomaly *anomaly;
        const struct td_stats *stats;
    } u;
};

/* Where events go: the JSON and text writers implement this. */
struct td_sink {
    void (*event)(struct td_sink *self, const struct td_event *ev);
};

static inline void td_sink_emit(struct td_sink *s, const struct td_event *ev)
{
    s->event(s, ev);
}

#endif
