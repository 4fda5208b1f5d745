/*
 * quic.h — the TLS handshake of one QUIC connection, as an observer without
 * keys sees it (RFC 9000, RFC 9001, RFC 9369): Initial packets decrypted
 * with the keys derived from the client's first Destination Connection ID,
 * their CRYPTO frames reassembled per direction and handed to a TLS
 * session (session.h, td_tls_handshake_data), so that the ClientHello and
 * ServerHello become message events as over TCP.
 *
 * Pipeline: udp datagram -> td_quic_datagram -> long headers (coalesced
 * packets) -> quic/initial.c (header protection, AEAD) -> quic/frames.c ->
 * quic/crypto_stream.c -> TLS session.
 *
 * Handshake, 0-RTT and 1-RTT packets are counted, not decrypted (no keys);
 * Retry and Version Negotiation packets are reported (quic_unsupported).
 */
#ifndef TLSDISSECT_QUIC_H
#define TLSDISSECT_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/connection.h"
#include "tlsdissect/session.h"

#define TD_QUIC_V1 0x00000001u
#define TD_QUIC_V2 0x6b3343cfu
#define TD_QUIC_DRAFT29 0xff00001du

#define TD_QUIC_MAX_CID 20 /* RFC 9000 §17.2: a v1 connection ID is at most 20 bytes */

/* Bytes of CRYPTO data kept per direction and connection (Initial space). */
#define TD_QUIC_CRYPTO_CAP (64 * 1024)

/* A version whose Initial keys are known (v1, v2, draft-29). */
bool td_quic_version_known(uint32_t version);

/* "1", "2", "draft-29", or the version as "0x%08x" (buf holds 11 bytes). */
const char *td_quic_version_name(uint32_t version, char buf[11]);

/*
 * A datagram that starts with a client's Initial packet of a known version
 * (RFC 9000 §17.2.2: long header, fixed bit, a Destination Connection ID of
 * 8 to 20 bytes, a Length that fits the datagram): QUIC is found by its
 * content, never by port.  caplen of len bytes were captured: a datagram
 * cut by the snaplen after its header is still found (and its cut packet
 * reported).  Fills *version and the DCID the keys come from.
 */
bool td_quic_detect(const uint8_t *p, size_t caplen, size_t len, uint32_t *version,
                    uint8_t dcid[TD_QUIC_MAX_CID], size_t *dcid_len);

struct td_quic_conn;

/*
 * A QUIC connection whose client is flow side 0 (it sent the detected
 * Initial).  env must have `quic` set; conn is the model it reports to
 * (td_conn_set_quic is called here).  NULL when out of memory.
 */
struct td_quic_conn *td_quic_new(const struct td_tls_env *env, struct td_conn *conn,
                                 uint32_t version, const uint8_t *dcid, size_t dcid_len);
void td_quic_free(struct td_quic_conn *q);

/* One UDP payload of flow side `side`: caplen bytes captured of len. */
void td_quic_datagram(struct td_quic_conn *q, int side, const uint8_t *p, size_t caplen,
                      size_t len, td_time_us now);

/* The connection ended (idle, end of input, evicted): report what is unfinished. */
void td_quic_end(struct td_quic_conn *q, td_time_us now);

#endif
