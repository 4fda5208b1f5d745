/*
 * initial.c — QUIC Initial secrets, keys and packet protection.
 *
 *   initial_secret = HKDF-Extract(initial_salt, client_dst_connection_id)
 *   client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32)
 *   server_initial_secret = HKDF-Expand-Label(initial_secret, "server in", "", 32)
 *   key = HKDF-Expand-Label(secret, "quic key", "", 16)  (v2: "quicv2 key")
 *   iv  = HKDF-Expand-Label(secret, "quic iv", "", 12)   (v2: "quicv2 iv")
 *   hp  = HKDF-Expand-Label(secret, "quic hp", "", 16)   (v2: "quicv2 hp")
 *                                   RFC 9001 §5.2, §5.1; RFC 9369 §3.3.1-3.3.2
 *
 * HKDF-Expand-Label is HKDF-Expand with the HkdfLabel structure of RFC 8446
 * §7.1 as its info; the structure is assembled here, the HMAC and HKDF are
 * libcrypto's (EVP_KDF "HKDF", modes EXTRACT_ONLY and EXPAND_ONLY).  Header
 * protection is AES-ECB of a 16-byte sample (RFC 9001 §5.4.3) or the
 * ChaCha20 block function with the sample's first 4 bytes as the counter
 * (little-endian) and its other 12 as the nonce (§5.4.4), through
 * EVP_CIPHER; packet protection (§5.3) is the suite's AEAD (Initial:
 * AES-128-GCM) through td_aead_open, with the unprotected header as
 * associated data and iv XOR packet number as the nonce.
 */
#include "quic/initial.h"
#include "tls/record_protection.h"
#include "tlsdissect/codepoints.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

/* RFC 9001 §5.2 */
static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
/* RFC 9369 §3.3.1 */
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
/* draft-ietf-quic-tls-29 §5.2 */
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

bool td_quic_version_known(uint32_t version)
{
    return version == TD_QUIC_V1 || version == TD_QUIC_V2 || version == TD_QUIC_DRAFT29;
}

const char *td_quic_version_name(uint32_t version, char buf[11])
{
    switch (version) {
    case TD_QUIC_V1: return "1";
    case TD_QUIC_V2: return "2";
    case TD_QUIC_DRAFT29: return "draft-29";
    default: snprintf(buf, 11, "0x%08x", version); return buf;
    }
}

enum td_quic_long_type td_quic_long_type(uint32_t version, uint8_t first_byte)
{
    unsigned bits = (first_byte >> 4) & 3;
    if (version == TD_QUIC_V2) {
        /* RFC 9369 §3.2: Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00 */
        static const enum td_quic_long_type v2[4] = {TD_QUIC_PT_RETRY, TD_QUIC_PT_INITIAL,
                                                     TD_QUIC_PT_0RTT, TD_QUIC_PT_HANDSHAKE};
        return v2[bits];
    }
    return (enum td_quic_long_type)bits; /* RFC 9000 §17.2: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry */
}

static int hkdf(int mode, const uint8_t *salt, size_t salt_len, const uint8_t *key, size_t key_len,
                const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[6], *p = params;
    int rc = -1;

    if (ctx == NULL)
        goto out;
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, out_len, params) == 1)
        rc = 0;
out:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

/* RFC 9001 §5.1: HKDF-Expand-Label of RFC 8446 §7.1 with SHA-256, empty context. */
static int expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t out_len)
{
    return td_tls13_expand_label(NULL, "SHA256", secret, 32, label, out, out_len) ? 0 : -1;
}

int td_quic_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                            uint8_t client[32], uint8_t server[32])
{
    const uint8_t *salt = version == TD_QUIC_V2        ? salt_v2
                          : version == TD_QUIC_DRAFT29 ? salt_d29
                                                       : salt_v1;
    uint8_t initial[32];
    static const uint8_t empty[1] = {0};

    if (!td_quic_version_known(version))
        return -1;
    /* a zero-length connection ID is legal: HKDF then extracts from no bytes */
    if (hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, sizeof salt_v1, dcid_len ? dcid : empty,
             dcid_len, NULL, 0, initial, sizeof initial) != 0)
        return -1;
    if (expand_label(initial, "client in", client, 32) != 0 ||
        expand_label(initial, "server in", server, 32) != 0)
        return -1;
    return 0;
}

/* The TLS 1.3 suites QUIC packets may be protected with (RFC 9001 §5.3: not CCM_8). */
static const struct {
    uint16_t suite;
    enum td_quic_aead aead;
    const char *digest;
    size_t hash_len, key_len;
} suites[] = {
    {TD_CS_TLS_AES_128_GCM_SHA256, TD_QUIC_AES_128_GCM, "SHA256", 32, 16},
    {TD_CS_TLS_AES_256_GCM_SHA384, TD_QUIC_AES_256_GCM, "SHA384", 48, 32},
    {TD_CS_TLS_CHACHA20_POLY1305_SHA256, TD_QUIC_CHACHA20, "SHA256", 32, 32},
    {TD_CS_TLS_AES_128_CCM_SHA256, TD_QUIC_AES_128_CCM, "SHA256", 32, 16},
};

int td_quic_keys_for_suite(uint32_t version, uint16_t suite, const uint8_t *secret,
                           size_t secret_len, struct td_quic_keys *k)
{
    bool v2 = version == TD_QUIC_V2;
    size_t i;

    for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].suite == suite)
            break;
    if (i == sizeof suites / sizeof suites[0] || secret_len != suites[i].hash_len)
        return -1;
    memset(k, 0, sizeof *k);
    k->aead = suites[i].aead;
    k->key_len = suites[i].key_len;
    if (!td_tls13_expand_label(NULL, suites[i].digest, secret, secret_len,
                               v2 ? "quicv2 key" : "quic key", k->key, k->key_len) ||
        !td_tls13_expand_label(NULL, suites[i].digest, secret, secret_len,
                               v2 ? "quicv2 iv" : "quic iv", k->iv, sizeof k->iv) ||
        !td_tls13_expand_label(NULL, suites[i].digest, secret, secret_len,
                               v2 ? "quicv2 hp" : "quic hp", k->hp, k->key_len)) {
        OPENSSL_cleanse(k, sizeof *k);
        return -2;
    }
    return 0;
}

int td_quic_keys_from_secret(uint32_t version, const uint8_t secret[32], struct td_quic_keys *k)
{
    return td_quic_keys_for_suite(version, TD_CS_TLS_AES_128_GCM_SHA256, secret, 32, k) == 0 ? 0 : -1;
}

int td_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                         struct td_quic_keys *client, struct td_quic_keys *server)
{
    uint8_t cs[32], ss[32];
    if (td_quic_initial_secrets(version, dcid, dcid_len, cs, ss) != 0 ||
        td_quic_keys_from_secret(version, cs, client) != 0 ||
        td_quic_keys_from_secret(version, ss, server) != 0)
        return -1;
    return 0;
}

int td_quic_hp_mask(const struct td_quic_keys *k, const uint8_t sample[TD_QUIC_SAMPLE_LEN],
                    uint8_t mask[5])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    static const uint8_t zeros[5] = {0};
    uint8_t block[32];
    int len = 0, rc = -1;

    if (ctx == NULL)
        return -1;
    if (k->aead == TD_QUIC_CHACHA20) {
        /* §5.4.4: counter = sample[0..3] (little-endian), nonce = sample[4..15]: the
         * 16-byte IV of libcrypto's ChaCha20 is exactly that; the mask is 5 bytes of
         * key stream (ChaCha20 of five zeros) */
        if (EVP_EncryptInit_ex(ctx, EVP_chacha20(), NULL, k->hp, sample) == 1 &&
            EVP_EncryptUpdate(ctx, block, &len, zeros, sizeof zeros) == 1 && len == 5) {
            memcpy(mask, block, 5);
            rc = 0;
        }
    } else if (EVP_EncryptInit_ex(ctx, k->aead == TD_QUIC_AES_256_GCM ? EVP_aes_256_ecb()
                                                                      : EVP_aes_128_ecb(),
                                  NULL, k->hp, NULL) == 1 &&
               EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
               EVP_EncryptUpdate(ctx, block, &len, sample, TD_QUIC_SAMPLE_LEN) == 1 && len == 16) {
        memcpy(mask, block, 5);
        rc = 0;
    }
    OPENSSL_cleanse(block, sizeof block);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int td_quic_retry_tag_ok(uint32_t version, const uint8_t *odcid, size_t odcid_len,
                         const uint8_t *retry, size_t retry_len)
{
    /* RFC 9001 §5.8, RFC 9369 §3.3.3, draft-ietf-quic-tls-29 §5.8 */
    static const uint8_t key_v1[16] = {0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
                                       0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e};
    static const uint8_t nonce_v1[12] = {0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63,
                                         0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb};
    static const uint8_t key_v2[16] = {0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
                                       0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92};
    static const uint8_t nonce_v2[12] = {0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c,
                                         0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a};
    static const uint8_t key_d29[16] = {0xcc, 0xce, 0x18, 0x7e, 0xd0, 0x9a, 0x09, 0xd0,
                                        0x57, 0x28, 0x15, 0x5a, 0x6c, 0xb9, 0x6b, 0xe1};
    static const uint8_t nonce_d29[12] = {0xe5, 0x49, 0x30, 0xf9, 0x7f, 0x21,
                                          0x36, 0xf0, 0x53, 0x0a, 0x8c, 0x1c};
    bool v2 = version == TD_QUIC_V2, d29 = version == TD_QUIC_DRAFT29;
    uint8_t pseudo[1 + TD_QUIC_MAX_CID + 1500], none[1];
    size_t body;
    EVP_CIPHER_CTX *ctx;
    enum td_rp_status st;

    /* a Retry fits a datagram: longer ones are not checked */
    if (retry_len < TD_QUIC_TAG_LEN + 7 || odcid_len > TD_QUIC_MAX_CID ||
        retry_len - TD_QUIC_TAG_LEN > sizeof pseudo - 1 - TD_QUIC_MAX_CID)
        return -1;
    body = retry_len - TD_QUIC_TAG_LEN;
    pseudo[0] = (uint8_t)odcid_len;
    memcpy(pseudo + 1, odcid, odcid_len);
    memcpy(pseudo + 1 + odcid_len, retry, body);
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return -1;
    /* the plaintext is empty: the tag authenticates the pseudo-packet (the AAD) alone */
    st = td_aead_open(ctx, EVP_aes_128_gcm(), false, v2 ? key_v2 : d29 ? key_d29 : key_v1,
                      v2 ? nonce_v2 : d29 ? nonce_d29 : nonce_v1, pseudo, 1 + odcid_len + body,
                      retry + body, 0, TD_QUIC_TAG_LEN, none);
    EVP_CIPHER_CTX_free(ctx);
    return st == TD_RP_OK ? 1 : st == TD_RP_AUTH_FAILED ? 0 : -1;
}

uint64_t td_quic_decode_pn(uint64_t largest, bool have_largest, uint64_t truncated, unsigned bits)
{
    uint64_t expected = have_largest ? largest + 1 : 0;
    uint64_t win = UINT64_C(1) << bits, hwin = win / 2, mask = win - 1;
    uint64_t candidate = (expected & ~mask) | truncated;

    /* RFC 9000 §A.3, written without signed overflow */
    if (expected >= hwin && candidate <= expected - hwin && candidate < (UINT64_C(1) << 62) - win)
        return candidate + win;
    if (candidate > expected + hwin && candidate >= win)
        return candidate - win;
    return candidate;
}

static const EVP_CIPHER *aead_cipher(enum td_quic_aead aead)
{
    switch (aead) {
    case TD_QUIC_AES_256_GCM: return EVP_aes_256_gcm();
    case TD_QUIC_CHACHA20: return EVP_chacha20_poly1305();
    case TD_QUIC_AES_128_CCM: return EVP_aes_128_ccm();
    case TD_QUIC_AES_128_GCM: break;
    }
    return EVP_aes_128_gcm();
}

static int aead_open(const struct td_quic_keys *k, uint64_t pn, const uint8_t *aad, size_t aad_len,
                     uint8_t *payload, size_t len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *cipher = aead_cipher(k->aead);
    uint8_t nonce[12];
    int rc = -2;

    memcpy(nonce, k->iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
    if (ctx != NULL && cipher != NULL &&
        td_aead_open(ctx, cipher, k->aead == TD_QUIC_AES_128_CCM, k->key, nonce, aad, aad_len,
                     payload, len, TD_QUIC_TAG_LEN, payload) == TD_RP_OK)
        rc = 0;
    OPENSSL_cleanse(nonce, sizeof nonce);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int td_quic_open(const struct td_quic_keys *k, uint8_t *pkt, size_t pkt_len, size_t pn_offset,
                 uint64_t largest_pn, bool have_largest, uint64_t *pn, const uint8_t **plain,
                 size_t *plain_len)
{
    uint8_t mask[5];
    size_t pn_len, hdr_len;
    uint64_t truncated = 0;

    /* the sample starts 4 bytes after the packet number's start (§5.4.2),
     * and a packet must hold a tag after a packet number of any length */
    if (pn_offset > pkt_len || pkt_len - pn_offset < 4 + TD_QUIC_SAMPLE_LEN)
        return -1;
    if (td_quic_hp_mask(k, pkt + pn_offset + 4, mask) != 0)
        return -2;
    pkt[0] ^= mask[0] & 0x0f; /* long header: the low four bits are protected */
    pn_len = (size_t)(pkt[0] & 0x03) + 1;
    for (size_t i = 0; i < pn_len; i++) {
        pkt[pn_offset + i] ^= mask[1 + i];
        truncated = truncated << 8 | pkt[pn_offset + i];
    }
    hdr_len = pn_offset + pn_len;
    if (pkt_len - hdr_len < TD_QUIC_TAG_LEN)
        return -1;
    *pn = td_quic_decode_pn(largest_pn, have_largest, truncated, (unsigned)(8 * pn_len));
    *plain_len = pkt_len - hdr_len - TD_QUIC_TAG_LEN;
    *plain = pkt + hdr_len;
    return aead_open(k, *pn, pkt, hdr_len, pkt + hdr_len, *plain_len);
}
