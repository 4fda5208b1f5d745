/*
 * record_protection.h — TLS 1.3 record protection of one direction
 * (RFC 8446 §5.2 record payload protection, §5.3 per-record nonce, §7.1
 * HKDF-Expand-Label, §7.2 KeyUpdate, §7.3 traffic keys), all cryptography
 * through libcrypto (EVP_KDF "TLS13-KDF", EVP_CIPHER AEADs).
 *
 * A protector is made for a cipher suite and given a traffic secret; it
 * derives the write key and IV, and opens each TLSCiphertext in order with
 * its implicit sequence number.  Secrets and keys stay inside it and are
 * cleansed when replaced or freed.
 *
 * Private to src/tls, but for td_tls13_expand_label, which QUIC's Initial
 * keys use too (RFC 9001 §5.1).
 */
#ifndef TLSDISSECT_TLS_RECORD_PROTECTION_H
#define TLSDISSECT_TLS_RECORD_PROTECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

struct td_rp;

enum td_rp_status {
    TD_RP_OK = 0,
    TD_RP_UNSUPPORTED,   /* not a TLS 1.3 AEAD suite this build of libcrypto can open */
    TD_RP_BAD_SECRET,    /* the secret is not the suite's hash length */
    TD_RP_CRYPTO_ERROR,  /* libcrypto failed (memory, provider) */
    TD_RP_AUTH_FAILED,   /* the record does not authenticate */
    TD_RP_NO_CONTENT,    /* authenticated, but the plaintext is all zeros: no content type */
    TD_RP_BAD_PADDING,   /* TLS <= 1.2 CBC: the padding is not well-formed (record_protection12) */
};

/*
 * HKDF-Expand-Label(secret, label, "", out_len) with digest ("SHA256",
 * "SHA384") through libcrypto's TLS13-KDF; kdf is a fetched "TLS13-KDF" or
 * NULL to fetch one for this call.  False when libcrypto fails.
 */
bool td_tls13_expand_label(EVP_KDF *kdf, const char *digest, const uint8_t *secret,
                           size_t secret_len, const char *label, uint8_t *out, size_t out_len);

/*
 * One AEAD opening shared by TLS 1.3 records and QUIC packets (RFC 5116
 * AEAD_AES_128/256_GCM, AEAD_CHACHA20_POLY1305, AES-CCM): cipher with its
 * 12-byte nonce, the additional data (a TLS record header, or QUIC's
 * unprotected packet header, RFC 9001 §5.3), body ciphertext bytes followed
 * by tag_len tag bytes at ct + body.  out (body bytes) receives the
 * plaintext.  ctx is reused.  OK, AUTH_FAILED or CRYPTO_ERROR.
 */
enum td_rp_status td_aead_open(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, bool ccm,
                               const uint8_t *key, const uint8_t nonce[12], const uint8_t *aad,
                               size_t aad_len, const uint8_t *ct, size_t body, size_t tag_len,
                               uint8_t *out);

/* A protector for suite, or NULL with *st (UNSUPPORTED or CRYPTO_ERROR). */
struct td_rp *td_rp_new(uint16_t suite, enum td_rp_status *st);
void td_rp_free(struct td_rp *rp);

/* Use a traffic secret from now on (the sequence number restarts at 0). */
enum td_rp_status td_rp_set_secret(struct td_rp *rp, const uint8_t *secret, size_t len);

/* KeyUpdate (RFC 8446 §7.2): the next traffic secret from the current one. */
enum td_rp_status td_rp_next_secret(struct td_rp *rp);

/* The AEAD tag length of the suite: a ciphertext shorter than tag + 1 cannot be a record. */
size_t td_rp_tag_len(const struct td_rp *rp);

/*
 * Open the next record: header is its 5-byte header (the additional data),
 * ct its n bytes.  out (at least n bytes) receives the content without the
 * padding; *len its length and *type the inner content type.  Whatever the
 * result, the record used up its sequence number.
 */
enum td_rp_status td_rp_open(struct td_rp *rp, const uint8_t header[5], const uint8_t *ct,
                             size_t n, uint8_t *out, size_t *len, uint8_t *type);

/* A record that cannot be opened (not captured whole) still used a sequence number. */
void td_rp_skip(struct td_rp *rp);

#endif
