/*
 * initial.h — QUIC versions and Initial packet protection: the keys every
 * observer can derive from the client's first Destination Connection ID
 * (RFC 9001 §5.2), header protection (§5.4) and AEAD_AES_128_GCM packet
 * protection (§5.3), for QUIC v1 (RFC 9000), v2 (RFC 9369 §3.3) and
 * draft-29; and the keys of the later packet-number spaces from a TLS
 * traffic secret under the negotiated suite (§5.1: AES-128-GCM, AES-256-GCM,
 * ChaCha20-Poly1305, AES-128-CCM; header protection §5.4.3 AES-ECB and
 * §5.4.4 ChaCha20).  Every primitive comes from libcrypto: HKDF through
 * EVP_KDF, the AEADs (tls/record_protection.c's td_aead_open) and the
 * header protection masks through EVP_CIPHER.
 */
#ifndef TLSDISSECT_QUIC_INITIAL_H
#define TLSDISSECT_QUIC_INITIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/quic.h" /* versions */

#define TD_QUIC_TAG_LEN 16
#define TD_QUIC_SAMPLE_LEN 16

/* The long header packet types, told apart by version (RFC 9369 §3.2 swaps the bits). */
enum td_quic_long_type { TD_QUIC_PT_INITIAL, TD_QUIC_PT_0RTT, TD_QUIC_PT_HANDSHAKE, TD_QUIC_PT_RETRY };
enum td_quic_long_type td_quic_long_type(uint32_t version, uint8_t first_byte);

/* The packet protection of RFC 9001 §5.3 (the suite's AEAD) and its header protection. */
enum td_quic_aead { TD_QUIC_AES_128_GCM, TD_QUIC_AES_256_GCM, TD_QUIC_CHACHA20, TD_QUIC_AES_128_CCM };

struct td_quic_keys {
    enum td_quic_aead aead;
    size_t key_len;  /* 16 or 32; hp has the same length */
    uint8_t key[32];
    uint8_t iv[12];
    uint8_t hp[32];
};

/* client_initial_secret and server_initial_secret (32 bytes each).  0, or -1. */
int td_quic_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                            uint8_t client[32], uint8_t server[32]);

/* key, iv and hp of one Initial secret, with the version's labels.  0, or -1. */
int td_quic_keys_from_secret(uint32_t version, const uint8_t secret[32], struct td_quic_keys *k);

/*
 * key, iv and hp of a TLS traffic secret (the Handshake space's, RFC 9001
 * §5.1) for the TLS 1.3 suite the ServerHello chose, with the version's
 * labels.  0; -1 when the suite is not one QUIC uses (or its secret is not
 * its hash's length), -2 when libcrypto failed.
 */
int td_quic_keys_for_suite(uint32_t version, uint16_t suite, const uint8_t *secret,
                           size_t secret_len, struct td_quic_keys *k);

/* Both sides' Initial keys from the client's first Destination Connection ID.  0, or -1. */
int td_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                         struct td_quic_keys *client, struct td_quic_keys *server);

/* The header protection mask (§5.4.3 AES-ECB(hp, sample); §5.4.4 ChaCha20 with
 * counter and nonce from the sample), first 5 bytes.  0, or -1. */
int td_quic_hp_mask(const struct td_quic_keys *k, const uint8_t sample[TD_QUIC_SAMPLE_LEN],
                    uint8_t mask[5]);

/*
 * RFC 9001 §5.8 (RFC 9369 §3.3.3 for v2): whether a Retry packet's last 16
 * bytes are the integrity tag AES-128-GCM gives with the version's fixed
 * key and nonce over the Retry Pseudo-Packet (the client's original
 * Destination Connection ID, then the Retry without its tag).  1 verified,
 * 0 not, -1 when the packet is too short or libcrypto failed.
 */
int td_quic_retry_tag_ok(uint32_t version, const uint8_t *odcid, size_t odcid_len,
                         const uint8_t *retry, size_t retry_len);

/* RFC 9000 §A.3: the full packet number from its truncated encoding. */
uint64_t td_quic_decode_pn(uint64_t largest, bool have_largest, uint64_t truncated, unsigned bits);

/*
 * Remove header protection and open one long-header packet, in place.
 * pkt: a writable copy of the whole packet (first byte to the end of the
 * Length field's bytes); pn_offset: where the packet number starts.  On
 * success the first byte and the packet number are unprotected in pkt,
 * *pn is the full packet number and [*plain, *plain + *plain_len) the
 * decrypted payload inside pkt.  Returns 0; -1 when the packet is too short
 * for a sample and a tag; -2 when the AEAD tag does not verify (or
 * libcrypto failed).
 */
int td_quic_open(const struct td_quic_keys *k, uint8_t *pkt, size_t pkt_len, size_t pn_offset,
                 uint64_t largest_pn, bool have_largest, uint64_t *pn, const uint8_t **plain,
                 size_t *plain_len);

#endif
