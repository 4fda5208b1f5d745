/*
 * conn_fields.c — the table of connection event keys (conn_fields.h), as
 * docs/output-contract.md lists them.  Order and names are the output's:
 * the JSON writer emits its keys from here.
 */
#include "tlsdissect/conn_fields.h"

#include <string.h>

static const struct td_conn_field fields[TD_CK_COUNT] = {
    [TD_CK_TYPE] = {"type", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_TS] = {"ts", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_CONN] = {"conn", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_CLIENT] = {"client", TD_SHAPE_OBJECT, TD_CK_TOP, false},
    [TD_CK_SERVER] = {"server", TD_SHAPE_OBJECT, TD_CK_TOP, false},
    [TD_CK_VLAN] = {"vlan", TD_SHAPE_LIST, TD_CK_TOP, false},
    [TD_CK_TRANSPORT] = {"transport", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_QUIC_VERSION] = {"quic_version", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_START] = {"start", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_END] = {"end", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_COMMUNITY_ID] = {"community_id", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_VERSION] = {"version", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_CIPHER_SUITE] = {"cipher_suite", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_SNI] = {"sni", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_ALPN] = {"alpn", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_ESTABLISHED] = {"established", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_RESUMED] = {"resumed", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_RESUMED_FROM] = {"resumed_from", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_HISTORY] = {"history", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_JA3] = {"ja3", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_JA3S] = {"ja3s", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_JA4] = {"ja4", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_SERVER_CERTIFICATES] = {"server_certificates", TD_SHAPE_LIST, TD_CK_TOP, false},
    [TD_CK_CERTIFICATE_VALIDATION] = {"certificate_validation", TD_SHAPE_OBJECT, TD_CK_TOP, false},
    [TD_CK_ALERTS] = {"alerts", TD_SHAPE_OBJECT_LIST, TD_CK_TOP, false},
    [TD_CK_HANDSHAKE_US] = {"handshake_us", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_TCP_RTT_US] = {"tcp_rtt_us", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_BYTES_CLIENT] = {"bytes_client", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_BYTES_SERVER] = {"bytes_server", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_QUIC_1RTT_PACKETS_CLIENT] = {"quic_1rtt_packets_client", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_QUIC_1RTT_PACKETS_SERVER] = {"quic_1rtt_packets_server", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_ANOMALIES] = {"anomalies", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_DECRYPTION] = {"decryption", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_APP_DATA_CLIENT] = {"app_data_client", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_APP_DATA_SERVER] = {"app_data_server", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_EARLY_DATA] = {"early_data", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_EARLY_DATA_BYTES] = {"early_data_bytes", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_GROUP] = {"group", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_SUBJECT] = {"subject", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_ISSUER] = {"issuer", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_NOT_BEFORE] = {"not_before", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_NOT_AFTER] = {"not_after", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_SNI_MATCHES_CERT] = {"sni_matches_cert", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_CLIENT_CERTIFICATES] = {"client_certificates", TD_SHAPE_LIST, TD_CK_TOP, false},
    [TD_CK_CLIENT_SUBJECT] = {"client_subject", TD_SHAPE_VALUE, TD_CK_TOP, true},
    [TD_CK_CLIENT_CIPHER_SUITES_COUNT] = {"client_cipher_suites_count", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_ECH] = {"ech", TD_SHAPE_VALUE, TD_CK_TOP, false},
    [TD_CK_FINDINGS] = {"findings", TD_SHAPE_OBJECT_LIST, TD_CK_TOP, false},
    [TD_CK_FINDING_CODE] = {"code", TD_SHAPE_VALUE, TD_CK_FINDINGS, false},
    [TD_CK_FINDING_REASON] = {"reason", TD_SHAPE_VALUE, TD_CK_FINDINGS, false},
    [TD_CK_SECRETS] = {"secrets", TD_SHAPE_OBJECT_LIST, TD_CK_TOP, false},
    [TD_CK_SECRET_LABEL] = {"label", TD_SHAPE_VALUE, TD_CK_SECRETS, false},
    [TD_CK_SECRET_VALUE] = {"secret", TD_SHAPE_VALUE, TD_CK_SECRETS, false},
    /* client and server have the same two keys: listed once, under client;
       td_conn_key_find() looks them up for server too */
    [TD_CK_ENDPOINT_IP] = {"ip", TD_SHAPE_VALUE, TD_CK_CLIENT, false},
    [TD_CK_ENDPOINT_PORT] = {"port", TD_SHAPE_VALUE, TD_CK_CLIENT, false},
    [TD_CK_VALIDATION_STATUS] = {"status", TD_SHAPE_VALUE, TD_CK_CERTIFICATE_VALIDATION, false},
    [TD_CK_VALIDATION_ERRORS] = {"errors", TD_SHAPE_LIST, TD_CK_CERTIFICATE_VALIDATION, false},
    [TD_CK_VALIDATION_DETAIL] = {"detail", TD_SHAPE_VALUE, TD_CK_CERTIFICATE_VALIDATION, false},
    [TD_CK_ALERT_FROM] = {"from", TD_SHAPE_VALUE, TD_CK_ALERTS, false},
    [TD_CK_ALERT_LEVEL] = {"level", TD_SHAPE_VALUE, TD_CK_ALERTS, false},
    [TD_CK_ALERT_DESCRIPTION] = {"description", TD_SHAPE_VALUE, TD_CK_ALERTS, false},
    [TD_CK_ALERT_ENCRYPTED] = {"encrypted", TD_SHAPE_VALUE, TD_CK_ALERTS, false},
};

const struct td_conn_field *td_conn_field(enum td_conn_key k)
{
    return &fields[k];
}

bool td_conn_key_in(int parent, enum td_conn_key k)
{
    return fields[k].parent == (parent == TD_CK_SERVER ? TD_CK_CLIENT : parent);
}

int td_conn_key_find(int parent, const char *name, size_t len)
{
    for (int k = 0; k < TD_CK_COUNT; k++)
        if (td_conn_key_in(parent, (enum td_conn_key)k) && strlen(fields[k].name) == len &&
            memcmp(fields[k].name, name, len) == 0)
            return k;
    return -1;
}
