/*
 * connection.h — one connection as the model sees it: its identity, its
 * summary, and the de-duplication of its anomalies.  The TLS layer reports
 * messages and facts here; this module keeps the summary and forwards
 * events to the sink (contract: "message", "anomaly", "connection").
 *
 * The first anomaly of each kind in a connection becomes an event; repeats
 * are only counted (the connection's `anomalies`, and the run's stats).
 */
#ifndef TLSDISSECT_CONNECTION_H
#define TLSDISSECT_CONNECTION_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "tlsdissect/digest.h"
#include "tlsdissect/model.h"

/* What every connection of a run reports to: the sink and the run's totals. */
struct td_reporter {
    struct td_sink *sink;
    struct td_stats *stats;
    const struct td_digests *digests; /* for Community IDs; may be NULL */
    uint64_t anomalies_seen; /* kinds already reported outside any connection */
    uint64_t frame;          /* the packet being dissected, numbered as Wireshark's frame.number */
};

struct td_conn {
    struct td_conn_id id;
    struct td_conn_summary sum;
    struct td_reporter *rep;
    uint64_t anomalies_seen; /* bit per enum td_anomaly_kind */
    bool finished;
};

/* A connection with its number and endpoints as first seen (client = first sender). */
void td_conn_init(struct td_conn *c, struct td_reporter *rep, uint64_t number,
                  const struct td_endpoint *client, const struct td_endpoint *server,
                  const uint16_t *vlan, uint8_t nvlan, td_time_us start);
void td_conn_release(struct td_conn *c);

/* Swap which endpoint is the client (decided by the first ClientHello). */
void td_conn_swap_roles(struct td_conn *c);

/* Forward a message event and note it in the summary's history. */
void td_conn_message(struct td_conn *c, const struct td_message *m, td_time_us ts);

/* An anomaly of this connection; detail is printf-formatted. */
void td_conn_anomaly(struct td_conn *c, enum td_anomaly_kind kind, td_time_us ts,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void td_conn_anomalyv(struct td_conn *c, enum td_anomaly_kind kind, td_time_us ts,
                      const char *fmt, va_list ap);

/* An anomaly outside any connection (link, IP). */
void td_report_anomaly(struct td_reporter *rep, enum td_anomaly_kind kind, td_time_us ts,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same for `count` occurrences at once (e.g. datagrams dropped together). */
void td_report_anomalies(struct td_reporter *rep, enum td_anomaly_kind kind, uint64_t count,
                         td_time_us ts, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The connection is QUIC (over UDP) of this version: set before its first event. */
void td_conn_set_quic(struct td_conn *c, uint32_t version);
/* The connection is DTLS (over UDP): set before its first event. */
void td_conn_set_dtls(struct td_conn *c);

/* Summary facts. */
void td_conn_set_sni(struct td_conn *c, const uint8_t *sni, size_t len);
void td_conn_set_alpn(struct td_conn *c, const uint8_t *alpn, size_t len);
void td_conn_set_ja4(struct td_conn *c, const char *ja4);
/* The server's chain hashes (the first TD_MAX_SERVER_CERTS of them); once per connection. */
void td_conn_set_server_certs(struct td_conn *c, const struct td_certificate *chain);
/*
 * Decrypted application data of one side (--app-data): the first max bytes
 * are kept for the summary; once called, the summary shows the side's data
 * (possibly empty: call with n 0 to say the side is shown).
 */
/*
 * The packet a connection's events are stamped with (the reporter's current
 * one); a session that held records sets each one's own while it reads them.
 */
uint64_t td_conn_frame(const struct td_conn *c);
void td_conn_set_frame(struct td_conn *c, uint64_t frame);

void td_conn_add_app_data(struct td_conn *c, enum td_side from, const uint8_t *p, size_t n,
                          size_t max);
void td_conn_add_alert(struct td_conn *c, enum td_side from, bool encrypted,
                       const struct td_alert *alert);

/* The connection record (model.h struct td_conn_record; src/model/conn_record.c). */
/* A side's leaf certificate: its names and dates are copied; once per side. */
void td_conn_set_leaf(struct td_conn *c, enum td_side side, const struct td_cert_info *leaf);
/* The client's Certificate message: its hashes (maybe none); once per connection. */
void td_conn_set_client_certs(struct td_conn *c, const struct td_certificate *chain);

void td_conn_record_release(struct td_conn_record *r);
/* When the connection ends: ech, sni_matches_cert, and the findings (into *out, kept
 * by pointer for the connection event). */
void td_conn_decide_record(struct td_conn_summary *s, struct td_findings *out);

/* Emit the connection event (once). */
void td_conn_finish(struct td_conn *c, td_time_us end);

#endif
