/*
 * transcript.h — the running transcript hash of one connection's handshake
 * (RFC 8446 §4.4.1, RFC 5246 §7.4.9): every handshake message in order,
 * whole (4-byte header and body), hashed as it passes; nothing is kept.
 *
 * Until the ServerHello fixes the hash, messages are hashed with every
 * candidate (MD5 and SHA-1 for TLS 1.0/1.1, SHA-256 and SHA-384 for TLS 1.2
 * PRFs and TLS 1.3 suites), so the memory is a few digest contexts whatever
 * the messages' size.  A HelloRetryRequest replaces ClientHello1 with the
 * synthetic message_hash message (§4.4.1).  All hashing through libcrypto
 * EVP_MD.
 */
#ifndef TLSDISSECT_TLS_TRANSCRIPT_H
#define TLSDISSECT_TLS_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The transcript hash of a version and suite. */
enum td_transcript_hash {
    TD_TRANSCRIPT_SHA256,   /* TLS 1.3 SHA-256 suites; TLS 1.2 with the default PRF */
    TD_TRANSCRIPT_SHA384,   /* TLS 1.3 SHA-384 suites; TLS 1.2 suites whose PRF is SHA-384 */
    TD_TRANSCRIPT_MD5_SHA1, /* TLS 1.0 and 1.1: MD5(messages) || SHA-1(messages) */
};

/* The longest transcript hash (SHA-384; MD5 || SHA-1 is 36 bytes). */
#define TD_TRANSCRIPT_HASH_MAX 48

struct td_transcript;

/* An empty transcript hashed with every candidate; NULL when libcrypto fails. */
struct td_transcript *td_transcript_new(void);
void td_transcript_free(struct td_transcript *t);

/* One handshake message: its header is rebuilt from type and body length. */
bool td_transcript_add(struct td_transcript *t, uint8_t type, const uint8_t *body, size_t len);

/*
 * DTLS (RFC 6347 §4.2.6): one handshake message with its 12-byte DTLS
 * header, as if sent in a single fragment (fragment_offset 0,
 * fragment_length its length).
 */
bool td_transcript_add_dtls(struct td_transcript *t, uint8_t type, uint16_t message_seq,
                            const uint8_t *body, size_t len);

/* The ServerHello fixed the hash: the other candidates are dropped. */
bool td_transcript_choose(struct td_transcript *t, enum td_transcript_hash hash);

/*
 * A HelloRetryRequest (its suite fixes the hash): the transcript so far
 * (the first ClientHello) becomes message_hash(Hash(ClientHello1))
 * (§4.4.1).  The HelloRetryRequest itself is added next, as usual.  False
 * for a hash of TLS 1.0/1.1, or once a hash was chosen (a second one).
 */
bool td_transcript_hello_retry(struct td_transcript *t, enum td_transcript_hash hash);

/*
 * The hash of the messages so far (the transcript goes on), once chosen:
 * its length, or 0 before the choice or when libcrypto fails.
 */
size_t td_transcript_hash(const struct td_transcript *t, uint8_t out[TD_TRANSCRIPT_HASH_MAX]);

/* libcrypto's name of the single digest of a hash ("SHA256", "SHA384"; "MD5-SHA1"). */
const char *td_transcript_digest_name(enum td_transcript_hash hash);

#endif
