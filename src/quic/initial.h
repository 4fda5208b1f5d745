/*
 * initial.h — QUIC versions and Initial packet protection: the keys every
 * observer can derive from the client's first Destination Connection ID
 * (RFC 9001 §5.2), header protection (§5.4) and AEAD_AES_128_GCM packet
 * protection (§5.3), for QUIC v1 (RFC 9000), v2 (RFC 9369 §3.3) and
 * draft-29.  Every primitive comes from libcrypto: HKDF through EVP_KDF,
 * AES-128-GCM and the AES-128-ECB header protection mask through EVP_CIPHER.
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

struct td_quic_keys {
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t hp[16];
};

/* client_initial_secret and server_initial_secret (32 bytes each).  0, or -1. */
int td_quic_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                            uint8_t client[32], uint8_t server[32]);

/* key, iv and hp of one Initial secret, with the version's labels.  0, or -1. */
int td_quic_keys_from_secret(uint32_t version, const uint8_t secret[32], struct td_quic_keys *k);

/* Both sides' Initial keys from the client's first Destination Connection ID.  0, or -1. */
int td_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                         struct td_quic_keys *client, struct td_quic_keys *server);

/* The header protection mask: AES-128-ECB(hp, sample), first 5 bytes.  0, or -1. */
int td_quic_hp_mask(const uint8_t hp[16], const uint8_t sample[TD_QUIC_SAMPLE_LEN], uint8_t mask[5]);

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
