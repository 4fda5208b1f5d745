/*
 * finished.h — the verify_data a Finished must carry, from the key log's
 * secrets and the transcript hash: TLS 1.3 (RFC 8446 §4.4.4) and TLS
 * 1.0-1.2 (RFC 5246 §7.4.9, RFC 2246 §7.4.9).  All cryptography through
 * libcrypto: EVP_KDF "TLS13-KDF" (td_tls13_expand_label), EVP_MAC "HMAC",
 * EVP_KDF "TLS1-PRF".  Secrets are only read; intermediate keys are
 * cleansed.
 */
#ifndef TLSDISSECT_TLS_FINISHED_H
#define TLSDISSECT_TLS_FINISHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* verify_data of TLS 1.0-1.2 with the suites' default length (RFC 5246 §7.4.9). */
#define TD_FINISHED_TLS12_LEN 12

/*
 * TLS 1.3: HMAC(finished_key, transcript_hash) with finished_key =
 * HKDF-Expand-Label(base_key, "finished", "", Hash.length); base_key is the
 * side's handshake traffic secret, hash_len long, as is transcript_hash and
 * out.  digest is "SHA256" or "SHA384".  False when libcrypto fails.
 */
bool td_finished_tls13(const char *digest, const uint8_t *base_key, size_t hash_len,
                       const uint8_t *transcript_hash, uint8_t *out);

/*
 * TLS 1.0-1.2: PRF(master_secret, "client finished" or "server finished",
 * transcript_hash)[0..out_len-1].  prf_digest is "SHA256" or "SHA384" (TLS
 * 1.2) or "MD5-SHA1" (TLS 1.0/1.1, whose transcript_hash is MD5 || SHA-1).
 */
bool td_finished_tls12(const char *prf_digest, const uint8_t *master_secret, size_t master_len,
                       bool client, const uint8_t *transcript_hash, size_t hash_len, uint8_t *out,
                       size_t out_len);

#endif
