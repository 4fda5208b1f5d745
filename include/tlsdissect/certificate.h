/*
 * certificate.h — the Certificate message (RFC 5246 §7.4.2, RFC 8446
 * §4.4.2) and the X.509 fields of each certificate (RFC 5280, decoded by
 * OpenSSL's libcrypto).
 *
 * Decoding DER is the most expensive thing a handshake costs, and servers
 * send the same chain again and again, so decoded certificates are kept in
 * a small cache keyed by their DER bytes.
 */
#ifndef TLSDISSECT_CERTIFICATE_H
#define TLSDISSECT_CERTIFICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/keyed_hash.h"
#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"

struct td_cert_cache;

/*
 * A cache of `slots` decoded certificates (0: no caching), direct-mapped by
 * SipHash under key (copied) of the DER.  NULL when out of memory.
 */
struct td_cert_cache *td_cert_cache_new(size_t slots, const struct td_hash_key *key);
void td_cert_cache_free(struct td_cert_cache *cache);

/* X.509 fields are decoded for this many certificates per message; the rest listed (TD_MAX_LISTED_CERTIFICATES) are hashed only. */
#define TD_MAX_CERTS_DECODED 32

/* An ASN.1 time (RFC 5280 §4.1.2.5) as seconds since the epoch, UTC. */
struct asn1_string_st;
bool td_asn1_time_seconds(const struct asn1_string_st *t, int64_t *out);

int td_parse_certificate(struct td_parse *p, struct td_cur body, bool tls13,
                         struct td_cert_cache *cache, struct td_certificate *out);

/*
 * A CompressedCertificate (RFC 8879 §4): its header, then, in a TLS 1.3
 * connection, the Certificate it carries decompressed into the arena and
 * read by td_parse_certificate.  An uncompressed_length over max_length
 * (the handshake message size limit) is not decompressed: limit_reached.
 * A stream that gives more or fewer bytes than uncompressed_length (more:
 * stopped at it) is a bad_length, one that does not decompress a
 * certificate_unparsed, both at CompressedCertificate.compressed_certificate_message.
 */
int td_parse_compressed_certificate(struct td_parse *p, struct td_cur body, bool tls13,
                                    size_t max_length, struct td_cert_cache *cache,
                                    struct td_compressed_certificate *out);

/*
 * A lone DER certificate (SSL 2.0's SERVER-HELLO carries one) as a
 * one-certificate chain, described as td_parse_certificate would.
 */
int td_parse_single_certificate(struct td_parse *p, const uint8_t *der, size_t len,
                                struct td_cert_cache *cache, struct td_certificate *out);

#endif
