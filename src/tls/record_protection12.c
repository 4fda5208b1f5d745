/*
 * record_protection12.c — opening TLS 1.0-1.2 records (RFC 5246 §6.2.3,
 * §6.3; RFC 4346 §6.2.3.2; RFC 2246 §6.2.3.2, §6.3).
 *
 *   key_block = PRF(master_secret, "key expansion", server_random + client_random)
 *             = client_write_MAC_key, server_write_MAC_key, client_write_key,
 *               server_write_key, client_write_IV, server_write_IV
 *   PRF: TLS 1.2 P_<suite hash> (RFC 5246 §5), TLS 1.0/1.1 P_MD5 XOR P_SHA-1
 *   (RFC 2246 §5): libcrypto's "TLS1-PRF" with the digest "SHA256", "SHA384"
 *   or "MD5-SHA1".
 *
 *   MAC = HMAC(MAC_write_key, seq_num + type + version + length + fragment)
 *   GenericBlockCipher: [IV (TLS 1.1+)] CBC(fragment + MAC + padding + padding_length);
 *   TLS 1.0: the IV is the last ciphertext block of the previous record
 *   (the first record's from the key block).
 *   encrypt_then_mac (RFC 7366 §3): [IV] CBC(fragment + padding + padding_length) + MAC,
 *   the MAC over seq_num + type + version + length of IV and ciphertext + them.
 *   GenericAEADCipher: [nonce_explicit] AEAD(fragment) with
 *   additional_data = seq_num + type + version + length of the fragment;
 *   GCM and CCM (RFC 5288 §3, RFC 6655 §3): nonce = 4-byte salt from the key
 *   block + 8-byte nonce_explicit; ChaCha20-Poly1305 (RFC 7905 §2): nonce =
 *   12-byte IV XOR the sequence number, nothing explicit.
 *
 * DTLS 1.0 and 1.2 (RFC 4347 §4.1.2, RFC 6347 §4.1.2.1) protect records as
 * TLS 1.1 and 1.2 do, with two differences: seq_num is the record's own
 * epoch (16 bits) + sequence_number (48 bits), not a counter, and the
 * version in the MAC and additional data is the DTLS one (0xfeff, 0xfefd).
 * DTLS 1.0 has TLS 1.1's explicit CBC IVs and MD5+SHA-1 PRF.
 *
 * The suites are a table (suite -> protection), the protections another
 * (cipher, mode, key and IV lengths, MAC, TLS 1.2 PRF hash).
 */
#include "tls/record_protection12.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tls/conformance.h"
#include "tlsdissect/codepoints.h"

enum rp12_mode { MODE_GCM, MODE_CCM, MODE_CHACHA20_POLY1305, MODE_CBC };

/* One way of protecting records. */
struct protection {
    const char *cipher;      /* EVP_CIPHER name */
    enum rp12_mode mode;
    uint8_t key_len;
    uint8_t iv_len;          /* from the key block: AEAD salt or IV; CBC: the block (TLS 1.0 IV) */
    uint8_t explicit_len;    /* AEAD nonce_explicit per record (CBC: the block, TLS 1.1+) */
    uint8_t tag_len;         /* AEAD tag */
    const char *mac;         /* CBC: the HMAC digest */
    uint8_t mac_len;
    const char *prf;         /* TLS 1.2 PRF digest */
};

enum {
    P_AES_128_GCM, P_AES_256_GCM, P_AES_128_CCM, P_AES_256_CCM, P_AES_128_CCM_8, P_AES_256_CCM_8,
    P_CHACHA20_POLY1305, P_AES_128_CBC_SHA, P_AES_256_CBC_SHA, P_AES_128_CBC_SHA256,
    P_AES_256_CBC_SHA256, P_AES_256_CBC_SHA384, P_3DES_EDE_CBC_SHA,
};

static const struct protection protections[] = {
    [P_AES_128_GCM] = {"AES-128-GCM", MODE_GCM, 16, 4, 8, 16, NULL, 0, "SHA256"},
    [P_AES_256_GCM] = {"AES-256-GCM", MODE_GCM, 32, 4, 8, 16, NULL, 0, "SHA384"},
    [P_AES_128_CCM] = {"AES-128-CCM", MODE_CCM, 16, 4, 8, 16, NULL, 0, "SHA256"},
    [P_AES_256_CCM] = {"AES-256-CCM", MODE_CCM, 32, 4, 8, 16, NULL, 0, "SHA256"},
    [P_AES_128_CCM_8] = {"AES-128-CCM", MODE_CCM, 16, 4, 8, 8, NULL, 0, "SHA256"},
    [P_AES_256_CCM_8] = {"AES-256-CCM", MODE_CCM, 32, 4, 8, 8, NULL, 0, "SHA256"},
    [P_CHACHA20_POLY1305] = {"ChaCha20-Poly1305", MODE_CHACHA20_POLY1305, 32, 12, 0, 16, NULL, 0,
                             "SHA256"},
    [P_AES_128_CBC_SHA] = {"AES-128-CBC", MODE_CBC, 16, 16, 16, 0, "SHA1", 20, "SHA256"},
    [P_AES_256_CBC_SHA] = {"AES-256-CBC", MODE_CBC, 32, 16, 16, 0, "SHA1", 20, "SHA256"},
    [P_AES_128_CBC_SHA256] = {"AES-128-CBC", MODE_CBC, 16, 16, 16, 0, "SHA256", 32, "SHA256"},
    [P_AES_256_CBC_SHA256] = {"AES-256-CBC", MODE_CBC, 32, 16, 16, 0, "SHA256", 32, "SHA256"},
    [P_AES_256_CBC_SHA384] = {"AES-256-CBC", MODE_CBC, 32, 16, 16, 0, "SHA384", 48, "SHA384"},
    [P_3DES_EDE_CBC_SHA] = {"DES-EDE3-CBC", MODE_CBC, 24, 8, 8, 0, "SHA1", 20, "SHA256"},
};

/* The suites decrypted here (docs/output-contract.md "Decryption" lists them). */
static const struct {
    uint16_t suite;
    uint8_t protection;
} suites[] = {
    {TD_CS_TLS_RSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_RSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_DH_RSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_DH_RSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_DHE_DSS_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_DHE_DSS_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_DH_DSS_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_DH_DSS_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_DH_ANON_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_DH_ANON_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_PSK_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_PSK_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_DHE_PSK_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_DHE_PSK_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_RSA_PSK_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_RSA_PSK_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, P_AES_128_GCM},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384, P_AES_256_GCM},

    {TD_CS_TLS_RSA_WITH_AES_128_CCM, P_AES_128_CCM},
    {TD_CS_TLS_RSA_WITH_AES_256_CCM, P_AES_256_CCM},
    {TD_CS_TLS_DHE_RSA_WITH_AES_128_CCM, P_AES_128_CCM},
    {TD_CS_TLS_DHE_RSA_WITH_AES_256_CCM, P_AES_256_CCM},
    {TD_CS_TLS_RSA_WITH_AES_128_CCM_8, P_AES_128_CCM_8},
    {TD_CS_TLS_RSA_WITH_AES_256_CCM_8, P_AES_256_CCM_8},
    {TD_CS_TLS_DHE_RSA_WITH_AES_128_CCM_8, P_AES_128_CCM_8},
    {TD_CS_TLS_DHE_RSA_WITH_AES_256_CCM_8, P_AES_256_CCM_8},
    {TD_CS_TLS_PSK_WITH_AES_128_CCM, P_AES_128_CCM},
    {TD_CS_TLS_PSK_WITH_AES_256_CCM, P_AES_256_CCM},
    {TD_CS_TLS_DHE_PSK_WITH_AES_128_CCM, P_AES_128_CCM},
    {TD_CS_TLS_DHE_PSK_WITH_AES_256_CCM, P_AES_256_CCM},
    {TD_CS_TLS_PSK_WITH_AES_128_CCM_8, P_AES_128_CCM_8},
    {TD_CS_TLS_PSK_WITH_AES_256_CCM_8, P_AES_256_CCM_8},
    {TD_CS_TLS_PSK_DHE_WITH_AES_128_CCM_8, P_AES_128_CCM_8},
    {TD_CS_TLS_PSK_DHE_WITH_AES_256_CCM_8, P_AES_256_CCM_8},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM, P_AES_128_CCM},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_CCM, P_AES_256_CCM},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, P_AES_128_CCM_8},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8, P_AES_256_CCM_8},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256, P_AES_128_CCM_8},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256, P_AES_128_CCM},

    {TD_CS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},
    {TD_CS_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},
    {TD_CS_TLS_PSK_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},
    {TD_CS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},
    {TD_CS_TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},
    {TD_CS_TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256, P_CHACHA20_POLY1305},

    {TD_CS_TLS_RSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_DH_DSS_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_DH_RSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_DHE_DSS_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_DHE_RSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_DH_ANON_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_PSK_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_DHE_PSK_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_RSA_PSK_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_ECDH_ANON_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA, P_AES_128_CBC_SHA},
    {TD_CS_TLS_RSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_DH_DSS_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_DH_RSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_DHE_DSS_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_DHE_RSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_DH_ANON_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_PSK_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_DHE_PSK_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_RSA_PSK_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_ECDH_ANON_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA, P_AES_256_CBC_SHA},
    {TD_CS_TLS_RSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_DH_DSS_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_DH_RSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_DHE_DSS_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_DH_ANON_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_PSK_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_DHE_PSK_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_RSA_PSK_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, P_AES_128_CBC_SHA256},
    {TD_CS_TLS_RSA_WITH_AES_256_CBC_SHA256, P_AES_256_CBC_SHA256},
    {TD_CS_TLS_DH_DSS_WITH_AES_256_CBC_SHA256, P_AES_256_CBC_SHA256},
    {TD_CS_TLS_DH_RSA_WITH_AES_256_CBC_SHA256, P_AES_256_CBC_SHA256},
    {TD_CS_TLS_DHE_DSS_WITH_AES_256_CBC_SHA256, P_AES_256_CBC_SHA256},
    {TD_CS_TLS_DHE_RSA_WITH_AES_256_CBC_SHA256, P_AES_256_CBC_SHA256},
    {TD_CS_TLS_DH_ANON_WITH_AES_256_CBC_SHA256, P_AES_256_CBC_SHA256},
    {TD_CS_TLS_PSK_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_DHE_PSK_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_RSA_PSK_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},
    {TD_CS_TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384, P_AES_256_CBC_SHA384},

    {TD_CS_TLS_RSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_DH_ANON_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_PSK_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_ECDH_ANON_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
    {TD_CS_TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA, P_3DES_EDE_CBC_SHA},
};

#define MAX_MAC_KEY 48
#define MAX_KEY 32
#define MAX_IV 16
#define AEAD_NONCE 12
#define HEADER_AD 13 /* seq_num(8) + type(1) + version(2) + length(2) */

struct td_rp12 {
    const struct protection *p;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *ctx;
    EVP_MAC *mac;
    uint16_t version;
    bool explicit_iv;       /* CBC, TLS 1.1+: each record starts with its IV */
    bool encrypt_then_mac;  /* CBC with RFC 7366 */
    bool iv_lost;           /* TLS 1.0 CBC: a record was skipped, the next IV is unknown */
    uint64_t seq;
    uint8_t mac_key[MAX_MAC_KEY];
    uint8_t key[MAX_KEY];
    uint8_t iv[MAX_IV];
};

static const struct protection *protection_of(uint16_t version, uint16_t suite)
{
    version = td_version_tls_equivalent(version); /* DTLS 1.0: TLS 1.1's, 1.2: TLS 1.2's */
    if (version < TD_VERSION_TLS_1_0 || version > TD_VERSION_TLS_1_2)
        return NULL; /* SSL 3.0, TLS 1.3, DTLS 1.3: not here */
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (suites[i].suite != suite)
            continue;
        const struct protection *p = &protections[suites[i].protection];
        /* AEAD suites exist from TLS 1.2 on (RFC 5246 §6.2.3.3) */
        return p->mode == MODE_CBC || version == TD_VERSION_TLS_1_2 ? p : NULL;
    }
    return NULL;
}

bool td_rp12_supported(uint16_t version, uint16_t suite) { return protection_of(version, suite) != NULL; }

bool td_tls1_prf(const char *digest, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        /* the seed is label || seed: the KDF joins repeated seed parameters */
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* The key block (RFC 5246 §6.3) through libcrypto's TLS1-PRF. */
static bool key_block(const struct td_rp12_keys *k, const struct protection *p, uint8_t *out,
                      size_t out_len)
{
    uint8_t seed[64]; /* server_random + client_random */
    const char *digest = td_version_tls_equivalent(k->version) == TD_VERSION_TLS_1_2 ? p->prf : "MD5-SHA1";
    memcpy(seed, k->server_random, 32);
    memcpy(seed + 32, k->client_random, 32);
    return td_tls1_prf(digest, k->master_secret, TD_RP12_MASTER_SECRET_LEN, "key expansion", seed,
                       sizeof seed, out, out_len);
}

struct td_rp12 *td_rp12_new(const struct td_rp12_keys *keys, bool client_writer,
                            enum td_rp_status *st)
{
    const struct protection *p = protection_of(keys->version, keys->suite);
    uint8_t block[2 * (MAX_MAC_KEY + MAX_KEY + MAX_IV)];
    struct td_rp12 *rp;

    *st = TD_RP_UNSUPPORTED;
    if (p == NULL)
        return NULL;
    rp = OPENSSL_zalloc(sizeof *rp);
    if (rp == NULL) {
        *st = TD_RP_CRYPTO_ERROR;
        return NULL;
    }
    rp->p = p;
    rp->version = td_version_tls_equivalent(keys->version);
    rp->explicit_iv = p->mode == MODE_CBC && rp->version >= TD_VERSION_TLS_1_1;
    rp->encrypt_then_mac = p->mode == MODE_CBC && keys->encrypt_then_mac;
    rp->cipher = EVP_CIPHER_fetch(NULL, p->cipher, NULL);
    rp->mac = p->mac ? EVP_MAC_fetch(NULL, "HMAC", NULL) : NULL;
    if (rp->cipher == NULL || (p->mac && rp->mac == NULL)) {
        td_rp12_free(rp); /* a provider without this cipher: nothing to open it with */
        return NULL;
    }
    rp->ctx = EVP_CIPHER_CTX_new();
    /* client MAC key, server MAC key, client key, server key, client IV, server IV */
    size_t mac = p->mac_len, key = p->key_len, iv = p->iv_len;
    size_t own = client_writer ? 0 : 1;
    if (rp->ctx == NULL || !key_block(keys, p, block, 2 * (mac + key + iv))) {
        OPENSSL_cleanse(block, sizeof block);
        td_rp12_free(rp);
        *st = TD_RP_CRYPTO_ERROR;
        return NULL;
    }
    memcpy(rp->mac_key, block + own * mac, mac);
    memcpy(rp->key, block + 2 * mac + own * key, key);
    memcpy(rp->iv, block + 2 * (mac + key) + own * iv, iv);
    OPENSSL_cleanse(block, sizeof block);
    *st = TD_RP_OK;
    return rp;
}

void td_rp12_free(struct td_rp12 *rp)
{
    if (rp == NULL)
        return;
    EVP_CIPHER_free(rp->cipher);
    EVP_CIPHER_CTX_free(rp->ctx);
    EVP_MAC_free(rp->mac);
    OPENSSL_clear_free(rp, sizeof *rp);
}

bool td_rp12_skip(struct td_rp12 *rp)
{
    rp->seq++;
    if (rp->p->mode == MODE_CBC && !rp->explicit_iv)
        rp->iv_lost = true;
    return !rp->iv_lost;
}

/* seq_num + type + version + length: the MAC's and the AEAD's header (RFC 5246 §6.2.3.1, .3). */
static void header_data(uint8_t ad[HEADER_AD], uint64_t seq, uint8_t type, uint16_t version,
                        size_t length)
{
    for (int i = 0; i < 8; i++)
        ad[i] = (uint8_t)(seq >> (56 - 8 * i));
    ad[8] = type;
    ad[9] = (uint8_t)(version >> 8);
    ad[10] = (uint8_t)version;
    ad[11] = (uint8_t)(length >> 8);
    ad[12] = (uint8_t)length;
}

/* Whether HMAC(MAC key, header + data) is expected. */
static bool mac_matches(struct td_rp12 *rp, const uint8_t ad[HEADER_AD], const uint8_t *data,
                        size_t n, const uint8_t *expected)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)rp->p->mac, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(rp->mac);
    bool ok = m && EVP_MAC_init(m, rp->mac_key, rp->p->mac_len, params) == 1 &&
              EVP_MAC_update(m, ad, HEADER_AD) == 1 && EVP_MAC_update(m, data, n) == 1 &&
              EVP_MAC_final(m, mac, &mac_len, sizeof mac) == 1 && mac_len == rp->p->mac_len &&
              CRYPTO_memcmp(mac, expected, mac_len) == 0;
    EVP_MAC_CTX_free(m);
    return ok;
}

static enum td_rp_status open_aead(struct td_rp12 *rp, uint64_t seq, uint8_t type,
                                   uint16_t version, const uint8_t *ct, size_t n, uint8_t *out,
                                   size_t *len)
{
    const struct protection *p = rp->p;
    uint8_t nonce[AEAD_NONCE], ad[HEADER_AD];
    EVP_CIPHER_CTX *c = rp->ctx;
    bool ccm = p->mode == MODE_CCM;
    int outl = 0;

    if (n < (size_t)p->explicit_len + p->tag_len)
        return TD_RP_AUTH_FAILED; /* too short for the nonce and the tag */
    size_t plain = n - p->explicit_len - p->tag_len;
    const uint8_t *body = ct + p->explicit_len, *tag = body + plain;
    if (p->mode == MODE_CHACHA20_POLY1305) {
        memcpy(nonce, rp->iv, AEAD_NONCE);
        for (int i = 0; i < 8; i++)
            nonce[AEAD_NONCE - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    } else {
        memcpy(nonce, rp->iv, 4);
        memcpy(nonce + 4, ct, 8);
    }
    header_data(ad, seq, type, version, plain);
    bool ok = EVP_DecryptInit_ex(c, rp->cipher, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE, NULL) == 1 &&
              (!ccm || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, p->tag_len, (void *)tag) == 1) &&
              EVP_DecryptInit_ex(c, NULL, NULL, rp->key, nonce) == 1 &&
              (ccm || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, p->tag_len, (void *)tag) == 1) &&
              (!ccm || EVP_DecryptUpdate(c, NULL, &outl, NULL, (int)plain) == 1);
    OPENSSL_cleanse(nonce, sizeof nonce);
    if (!ok)
        return TD_RP_CRYPTO_ERROR;
    if (EVP_DecryptUpdate(c, NULL, &outl, ad, HEADER_AD) != 1)
        return TD_RP_AUTH_FAILED;
    /* CCM authenticates in this call; GCM and ChaCha20-Poly1305 in Final */
    if (EVP_DecryptUpdate(c, out, &outl, body, (int)plain) != 1 || (size_t)outl != plain)
        return TD_RP_AUTH_FAILED;
    if (!ccm) {
        int fin = 0;
        if (EVP_DecryptFinal_ex(c, out + outl, &fin) != 1)
            return TD_RP_AUTH_FAILED;
    }
    *len = plain;
    return TD_RP_OK;
}

/* CBC-decrypt n bytes (a whole number of blocks) under iv. */
static bool cbc_decrypt(struct td_rp12 *rp, const uint8_t *iv, const uint8_t *ct, size_t n,
                        uint8_t *out)
{
    EVP_CIPHER_CTX *c = rp->ctx;
    int outl = 0, fin = 0;
    return EVP_DecryptInit_ex(c, rp->cipher, NULL, rp->key, iv) == 1 &&
           EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
           EVP_DecryptUpdate(c, out, &outl, ct, (int)n) == 1 && (size_t)outl == n &&
           EVP_DecryptFinal_ex(c, out + outl, &fin) == 1;
}

/* The length before a well-formed TLS padding (RFC 5246 §6.2.3.2), or -1. */
static long unpadded(const uint8_t *plain, size_t n, size_t reserved)
{
    uint8_t pad = plain[n - 1];
    if ((size_t)pad + 1 + reserved > n)
        return -1;
    for (size_t i = n - 1 - pad; i < n - 1; i++)
        if (plain[i] != pad)
            return -1;
    return (long)(n - 1 - pad);
}

static enum td_rp_status open_cbc(struct td_rp12 *rp, uint64_t seq, uint8_t type,
                                  uint16_t version, const uint8_t *ct, size_t n, uint8_t *out,
                                  size_t *len)
{
    const struct protection *p = rp->p;
    size_t block = p->iv_len, mac = p->mac_len;
    uint8_t ad[HEADER_AD], iv[MAX_IV];

    if (rp->iv_lost)
        return TD_RP_AUTH_FAILED;
    if (rp->encrypt_then_mac) {
        /* RFC 7366 §3: the MAC is over the IV and the ciphertext, outside them */
        if (n < mac)
            return TD_RP_AUTH_FAILED;
        n -= mac;
        header_data(ad, seq, type, version, n);
        if (!mac_matches(rp, ad, ct, n, ct + n))
            return TD_RP_AUTH_FAILED;
    }
    const uint8_t *body = ct;
    size_t m = n;
    if (rp->explicit_iv) {
        if (n < block)
            return rp->encrypt_then_mac ? TD_RP_BAD_PADDING : TD_RP_AUTH_FAILED;
        memcpy(iv, ct, block);
        body += block;
        m -= block;
    } else {
        memcpy(iv, rp->iv, block);
    }
    if (m == 0 || m % block != 0 || (!rp->encrypt_then_mac && m < mac + 1))
        return rp->encrypt_then_mac ? TD_RP_BAD_PADDING : TD_RP_AUTH_FAILED;
    if (!rp->explicit_iv)
        memcpy(rp->iv, body + m - block, block); /* TLS 1.0: the next record's IV */
    bool ok = cbc_decrypt(rp, iv, body, m, out);
    OPENSSL_cleanse(iv, sizeof iv);
    if (!ok)
        return TD_RP_CRYPTO_ERROR;
    long fragment = unpadded(out, m, rp->encrypt_then_mac ? 0 : mac);
    if (fragment < 0)
        return TD_RP_BAD_PADDING;
    if (!rp->encrypt_then_mac) {
        fragment -= (long)mac; /* fragment + MAC came before the padding */
        header_data(ad, seq, type, version, (size_t)fragment);
        if (!mac_matches(rp, ad, out, (size_t)fragment, out + fragment))
            return TD_RP_AUTH_FAILED;
    }
    *len = (size_t)fragment;
    return TD_RP_OK;
}

enum td_rp_status td_rp12_open(struct td_rp12 *rp, uint8_t type, uint16_t version,
                               const uint8_t *ct, size_t n, uint8_t *out, size_t *len)
{
    return td_rp12_open_at(rp, rp->seq++, type, version, ct, n, out, len);
}

enum td_rp_status td_rp12_open_at(struct td_rp12 *rp, uint64_t seq, uint8_t type,
                                  uint16_t version, const uint8_t *ct, size_t n, uint8_t *out,
                                  size_t *len)
{
    *len = 0;
    if (n > INT32_MAX)
        return TD_RP_AUTH_FAILED;
    return rp->p->mode == MODE_CBC ? open_cbc(rp, seq, type, version, ct, n, out, len)
                                   : open_aead(rp, seq, type, version, ct, n, out, len);
}
