/*
 * dtls.h — the TLS handshake of one DTLS connection (RFC 6347 for DTLS 1.0
 * and 1.2, RFC 9147 for DTLS 1.3), as an observer without keys sees it:
 * the records of each datagram read (dtls/record.c), handshake fragments
 * reassembled into whole messages in message_seq order (dtls/reassembly.c)
 * and handed, in TLS form, to a TLS session (session.h, td_tls_dtls_*), so
 * that the messages become message events as over TCP.
 *
 * Pipeline: udp datagram -> td_dtls_datagram -> records (DTLSPlaintext,
 * DTLS 1.3 unified header) -> handshake fragments -> whole messages ->
 * TLS session.  Records of epoch > 0 are encrypted: labelled, not read.
 */
#ifndef TLSDISSECT_DTLS_H
#define TLSDISSECT_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/connection.h"
#include "tlsdissect/session.h"

/*
 * A datagram that starts with a DTLS record in clear (RFC 6347 §4.1): a
 * content type of 20 to 26, a DTLS version (0xfeff, 0xfefd, 0xfefc), and a
 * length that fits the datagram (or a handshake record of epoch 0 whose
 * length lies: a handshake's start, reported as malformed).  Found by its
 * content, never by port.  caplen of len bytes were captured.
 */
bool td_dtls_detect(const uint8_t *p, size_t caplen, size_t len);

struct td_dtls_conn;

/*
 * A DTLS connection whose first datagram came from flow side 0 (the
 * client, until a hello says otherwise).  env must have `dtls` set; conn is
 * the model it reports to (td_conn_set_dtls is called here).  NULL when out
 * of memory.
 */
struct td_dtls_conn *td_dtls_new(const struct td_tls_env *env, struct td_conn *conn);
void td_dtls_free(struct td_dtls_conn *d);

/* One UDP payload of flow side `side`: caplen bytes captured of len. */
void td_dtls_datagram(struct td_dtls_conn *d, int side, const uint8_t *p, size_t caplen,
                      size_t len, td_time_us now);

/* The connection ended (idle, end of input, evicted): report what is unfinished. */
void td_dtls_end(struct td_dtls_conn *d, td_time_us now);

#endif
