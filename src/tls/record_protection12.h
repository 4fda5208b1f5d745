/*
 * record_protection12.h — TLS 1.0-1.2 record protection of one direction
 * (RFC 5246 §6.2.3 and §6.3, RFC 4346 §6.2.3, RFC 2246 §6.2.3; AEADs of
 * RFC 5288, RFC 6655 and RFC 7905; encrypt_then_mac of RFC 7366), all
 * cryptography through libcrypto (EVP_KDF "TLS1-PRF", EVP_CIPHER, EVP_MAC
 * "HMAC").
 *
 * A protector is made for a version, a cipher suite and a writer (client
 * or server) from the 48-byte master secret and both randoms: it takes its
 * write MAC key, key and IV from the key block.  It opens each
 * TLSCiphertext in order with its implicit sequence number, starting at 0
 * (the writer's ChangeCipherSpec).  Keys stay inside it and are cleansed
 * when it is freed.  DTLS 1.0 and 1.2 records carry their sequence numbers
 * and are opened with them (td_rp12_open_at).  SSL 3.0 is refused (its key derivation and MAC are
 * not libcrypto KDFs or MACs).
 */
#ifndef TLSDISSECT_TLS_RECORD_PROTECTION12_H
#define TLSDISSECT_TLS_RECORD_PROTECTION12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/record_protection.h" /* enum td_rp_status */

struct td_rp12;

#define TD_RP12_MASTER_SECRET_LEN 48

struct td_rp12_keys {
    uint16_t version;               /* TD_VERSION_TLS_1_0 .. TD_VERSION_TLS_1_2, DTLS 1.0, 1.2 */
    uint16_t suite;
    bool encrypt_then_mac;          /* both hellos had encrypt_then_mac (RFC 7366 §3) */
    const uint8_t *master_secret;   /* TD_RP12_MASTER_SECRET_LEN bytes */
    const uint8_t *client_random;   /* 32 bytes */
    const uint8_t *server_random;   /* 32 bytes */
};

/* Whether this version and suite can be decrypted here (no keys needed to tell). */
bool td_rp12_supported(uint16_t version, uint16_t suite);

/*
 * PRF(secret, label, seed) of RFC 5246 §5 (digest "SHA256"/"SHA384") or
 * RFC 2246 §5 ("MD5-SHA1") through libcrypto's TLS1-PRF: the key block and
 * the Finished verify_data both come from it.  False when libcrypto fails.
 */
bool td_tls1_prf(const char *digest, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/*
 * The protector of the client's (client_writer) or the server's records,
 * or NULL with *st: TD_RP_UNSUPPORTED (version or suite not decrypted here,
 * or the provider lacks its cipher), TD_RP_CRYPTO_ERROR.
 */
struct td_rp12 *td_rp12_new(const struct td_rp12_keys *keys, bool client_writer,
                            enum td_rp_status *st);
void td_rp12_free(struct td_rp12 *rp);

/*
 * Open the next record: type and version from its header, ct its n bytes.
 * out (at least n bytes) receives the fragment; *len its length.  Whatever
 * the result, the record used up its sequence number.  TD_RP_AUTH_FAILED:
 * the MAC or tag does not match (or the record is too short to hold one);
 * TD_RP_BAD_PADDING: a CBC record whose padding is not well-formed.
 */
enum td_rp_status td_rp12_open(struct td_rp12 *rp, uint8_t type, uint16_t version,
                               const uint8_t *ct, size_t n, uint8_t *out, size_t *len);

/*
 * DTLS 1.0/1.2 (RFC 6347 §4.1.2.1): open a record with its own seq_num,
 * epoch << 48 | sequence_number, as td_rp12_open does with the implicit
 * one; the protector's counter is left alone, so records open in any order.
 * Results as td_rp12_open's.
 */
enum td_rp_status td_rp12_open_at(struct td_rp12 *rp, uint64_t seq, uint8_t type,
                                  uint16_t version, const uint8_t *ct, size_t n, uint8_t *out,
                                  size_t *len);

/*
 * A record that cannot be opened (not captured whole) still used a
 * sequence number.  False when the records after it cannot be opened
 * either: TLS 1.0 CBC chains each record's IV to the previous ciphertext.
 */
bool td_rp12_skip(struct td_rp12 *rp);

#endif
