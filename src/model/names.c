/*
 * names.c — the contract's names for message kinds (RFC 8446 §4, RFC 5246
 * §7.4 message names in CamelCase) and anomaly kinds.  Tables, not switches.
 */
#include "tlsdissect/model.h"

static const char *const msg_names[] = {
    [TD_MSG_HELLO_REQUEST] = "HelloRequest",
    [TD_MSG_CLIENT_HELLO] = "ClientHello",
    [TD_MSG_SERVER_HELLO] = "ServerHello",
    [TD_MSG_HELLO_RETRY_REQUEST] = "HelloRetryRequest",
    [TD_MSG_NEW_SESSION_TICKET] = "NewSessionTicket",
    [TD_MSG_END_OF_EARLY_DATA] = "EndOfEarlyData",
    [TD_MSG_ENCRYPTED_EXTENSIONS] = "EncryptedExtensions",
    [TD_MSG_CERTIFICATE] = "Certificate",
    [TD_MSG_SERVER_KEY_EXCHANGE] = "ServerKeyExchange",
    [TD_MSG_CERTIFICATE_REQUEST] = "CertificateRequest",
    [TD_MSG_SERVER_HELLO_DONE] = "ServerHelloDone",
    [TD_MSG_CERTIFICATE_VERIFY] = "CertificateVerify",
    [TD_MSG_CLIENT_KEY_EXCHANGE] = "ClientKeyExchange",
    [TD_MSG_FINISHED] = "Finished",
    [TD_MSG_CERTIFICATE_STATUS] = "CertificateStatus",
    [TD_MSG_KEY_UPDATE] = "KeyUpdate",
    [TD_MSG_CHANGE_CIPHER_SPEC] = "ChangeCipherSpec",
    [TD_MSG_ALERT] = "Alert",
    [TD_MSG_ENCRYPTED_HANDSHAKE] = "EncryptedHandshake",
    [TD_MSG_HEARTBEAT] = "Heartbeat",
    [TD_MSG_COMPRESSED_CERTIFICATE] = "CompressedCertificate",
    [TD_MSG_HELLO_VERIFY_REQUEST] = "HelloVerifyRequest",
    [TD_MSG_ACK] = "Ack",
    [TD_MSG_QUIC_RETRY] = "Retry",
    [TD_MSG_OTHER_HANDSHAKE] = "Handshake",
};

const char *td_msg_kind_name(enum td_msg_kind kind)
{
    if ((unsigned)kind < sizeof msg_names / sizeof msg_names[0] && msg_names[kind])
        return msg_names[kind];
    return "Unknown";
}

static const char *const anomaly_names[TD_ANOM_COUNT] = {
    [TD_ANOM_TCP_GAP] = "tcp_gap",
    [TD_ANOM_TCP_OVERLAP_CONFLICT] = "tcp_overlap_conflict",
    [TD_ANOM_TCP_BUFFER_FULL] = "tcp_buffer_full",
    [TD_ANOM_TRUNCATED_CAPTURE] = "truncated_capture",
    [TD_ANOM_FLOW_EVICTED] = "flow_evicted",
    [TD_ANOM_MIDSTREAM] = "midstream",
    [TD_ANOM_NOT_TLS] = "not_tls",
    [TD_ANOM_BAD_RECORD] = "bad_record",
    [TD_ANOM_RECORD_TOO_LONG] = "record_too_long",
    [TD_ANOM_BAD_LENGTH] = "bad_length",
    [TD_ANOM_HANDSHAKE_TOO_LONG] = "handshake_too_long",
    [TD_ANOM_UNEXPECTED_MESSAGE] = "unexpected_message",
    [TD_ANOM_INTERLEAVED_RECORD] = "interleaved_record",
    [TD_ANOM_CERTIFICATE_UNPARSED] = "certificate_unparsed",
    [TD_ANOM_INCOMPLETE_MESSAGE] = "incomplete_message",
    [TD_ANOM_IP_MALFORMED] = "ip_malformed",
    [TD_ANOM_IP_FRAGMENT_OVERLAP] = "ip_fragment_overlap",
    [TD_ANOM_IP_FRAGMENT_DROPPED] = "ip_fragment_dropped",
    [TD_ANOM_TCP_MALFORMED] = "tcp_malformed",
    [TD_ANOM_LINK_MALFORMED] = "link_malformed",
    [TD_ANOM_OUT_OF_MEMORY] = "out_of_memory",
    [TD_ANOM_LIMIT_REACHED] = "limit_reached",
    [TD_ANOM_BAD_VERSION] = "bad_version",
    [TD_ANOM_TCP_LATE_DATA] = "tcp_late_data",
    [TD_ANOM_BAD_TIMESTAMP] = "bad_timestamp",
    [TD_ANOM_QUIC_MALFORMED] = "quic_malformed",
    [TD_ANOM_QUIC_UNDECRYPTABLE] = "quic_undecryptable",
    [TD_ANOM_QUIC_UNSUPPORTED] = "quic_unsupported",
    [TD_ANOM_QUIC_CRYPTO_CONFLICT] = "quic_crypto_conflict",
    [TD_ANOM_QUIC_CONNECTION_CLOSE] = "quic_connection_close",
    [TD_ANOM_DTLS_MALFORMED] = "dtls_malformed",
    [TD_ANOM_DTLS_FRAGMENT_CONFLICT] = "dtls_fragment_conflict",
    [TD_ANOM_DTLS_UNSUPPORTED] = "dtls_unsupported",
    [TD_ANOM_DECRYPTION_FAILED] = "decryption_failed",
    [TD_ANOM_DECRYPTION_UNSUPPORTED] = "decryption_unsupported",
    [TD_ANOM_FINISHED_MISMATCH] = "finished_mismatch",
    [TD_ANOM_FINISHED_UNVERIFIED] = "finished_unverified",
};

const char *td_anomaly_name(enum td_anomaly_kind kind)
{
    if ((unsigned)kind < TD_ANOM_COUNT && anomaly_names[kind])
        return anomaly_names[kind];
    return "unknown";
}

const char *td_decryption_name(enum td_decryption d)
{
    static const char *const names[] = {"none", "no_keys", "ok", "failed", "unsupported"};
    return (unsigned)d < sizeof names / sizeof names[0] ? names[d] : "none";
}

const char *td_early_data_name(enum td_early_data e)
{
    static const char *const names[] = {"none", "offered", "accepted", "rejected"};
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "none";
}

static const char *const cert_problem_names[TD_CERT_PROBLEMS] = {
    [TD_CERT_BAD_SIGNATURE] = "bad_signature",
    [TD_CERT_SELF_SIGNED] = "self_signed",
    [TD_CERT_UNTRUSTED] = "untrusted",
    [TD_CERT_EXPIRED] = "expired",
    [TD_CERT_NOT_YET_VALID] = "not_yet_valid",
    [TD_CERT_NAME_MISMATCH] = "name_mismatch",
};

const char *td_cert_problem_name(enum td_cert_problem p)
{
    return (unsigned)p < TD_CERT_PROBLEMS ? cert_problem_names[p] : "unknown";
}
