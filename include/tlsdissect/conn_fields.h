/*
 * conn_fields.h — the keys of the JSON connection event
 * (docs/output-contract.md, "type: connection"), in one table.
 *
 * The JSON writer emits the connection event (and the common head of every
 * event) by these names, and `tlsdissect check` (docs/check.md) accepts a
 * rule's FIELD only when it is a path through this table, so the two cannot
 * drift apart.  A unit test (tests/unit/test_conn_fields.c) checks that an
 * event with every field set carries exactly these keys.
 */
#ifndef TLSDISSECT_CONN_FIELDS_H
#define TLSDISSECT_CONN_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

/* In the order the writer emits them; nested keys follow their parents. */
enum td_conn_key {
    TD_CK_TYPE,
    TD_CK_TS,
    TD_CK_CONN,
    TD_CK_CLIENT,
    TD_CK_SERVER,
    TD_CK_VLAN,
    TD_CK_TRANSPORT,       /* QUIC connections only, for now */
    TD_CK_QUIC_VERSION,
    TD_CK_START,
    TD_CK_END,
    TD_CK_COMMUNITY_ID,
    TD_CK_VERSION,
    TD_CK_CIPHER_SUITE,
    TD_CK_SNI,
    TD_CK_ALPN,
    TD_CK_ESTABLISHED,
    TD_CK_RESUMED,
    TD_CK_RESUMED_FROM,
    TD_CK_HISTORY,
    TD_CK_JA3,
    TD_CK_JA3S,
    TD_CK_JA4,
    TD_CK_SERVER_CERTIFICATES,
    TD_CK_CERTIFICATE_VALIDATION,
    TD_CK_ALERTS,
    TD_CK_HANDSHAKE_US,
    TD_CK_TCP_RTT_US,
    TD_CK_BYTES_CLIENT,
    TD_CK_BYTES_SERVER,
    TD_CK_QUIC_1RTT_PACKETS_CLIENT, /* QUIC connections only */
    TD_CK_QUIC_1RTT_PACKETS_SERVER,
    TD_CK_ANOMALIES,
    TD_CK_DECRYPTION,      /* only when a key log was given */
    TD_CK_APP_DATA_CLIENT, /* only with --app-data, for a decrypted connection */
    TD_CK_APP_DATA_SERVER,
    TD_CK_EARLY_DATA,      /* only when the ClientHello offered 0-RTT */
    TD_CK_EARLY_DATA_BYTES, /* only when early records were decrypted */
    /* the connection record, as Zeek's ssl.log answers it (always present, null when unknown) */
    TD_CK_GROUP,
    TD_CK_SUBJECT,
    TD_CK_ISSUER,
    TD_CK_NOT_BEFORE,
    TD_CK_NOT_AFTER,
    TD_CK_SNI_MATCHES_CERT,
    TD_CK_CLIENT_CERTIFICATES,
    TD_CK_CLIENT_SUBJECT,
    TD_CK_CLIENT_CIPHER_SUITES_COUNT,
    TD_CK_ECH,
    TD_CK_FINDINGS,
    TD_CK_FINDING_CODE,    /* inside each element of findings */
    TD_CK_FINDING_REASON,
    TD_CK_SECRETS,         /* only with --show-secrets */
    TD_CK_SECRET_LABEL,    /* inside each element of secrets */
    TD_CK_SECRET_VALUE,
    /* inside client and server */
    TD_CK_ENDPOINT_IP,
    TD_CK_ENDPOINT_PORT,
    /* inside certificate_validation */
    TD_CK_VALIDATION_STATUS,
    TD_CK_VALIDATION_ERRORS,
    TD_CK_VALIDATION_DETAIL,
    /* inside each element of alerts (and in Alert message events) */
    TD_CK_ALERT_FROM,
    TD_CK_ALERT_LEVEL,
    TD_CK_ALERT_DESCRIPTION,
    TD_CK_ALERT_ENCRYPTED,
    TD_CK_COUNT
};

enum td_field_shape {
    TD_SHAPE_VALUE,         /* string, number, bool or null */
    TD_SHAPE_OBJECT,        /* has keys of its own */
    TD_SHAPE_LIST,          /* an array of values */
    TD_SHAPE_OBJECT_LIST,   /* an array of objects */
};

#define TD_CK_TOP (-1) /* the parent of the event's own keys */

struct td_conn_field {
    const char *name;
    enum td_field_shape shape;
    int parent;       /* the enum td_conn_key of the enclosing object, or TD_CK_TOP */
    bool hex_sibling; /* an escaped wire string: `<name>_hex` follows it when bytes were escaped */
};

/* The entry of key k (static storage). */
const struct td_conn_field *td_conn_field(enum td_conn_key k);

/* The name of key k: a string literal, fit for cJSON_AddItemToObjectCS. */
static inline const char *td_conn_key_name(enum td_conn_key k) { return td_conn_field(k)->name; }

/* Whether key k lies directly inside parent (TD_CK_TOP or a key; server has client's keys). */
bool td_conn_key_in(int parent, enum td_conn_key k);

/* The key called name[0..len) directly inside parent (TD_CK_TOP or a key); -1 when none. */
int td_conn_key_find(int parent, const char *name, size_t len);

#endif
