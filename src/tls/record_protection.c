/*
 * record_protection.c — opening TLS 1.3 records (RFC 8446 §5.2, §5.3, §7.1-7.3).
 *
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *       HKDF-Expand(Secret, HkdfLabel, Length),
 *   HkdfLabel = { uint16 length; opaque label<7..255> = "tls13 " + Label;
 *                 opaque context<0..255>; }
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
 *   application_traffic_secret_N+1 =
 *       HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 *
 * HKDF-Expand-Label is libcrypto's "TLS13-KDF" in expand-only mode (the
 * prefix "tls13 ", the label and the empty context are its parameters);
 * the AEADs are EVP_CIPHERs with the tag given by EVP_CTRL_AEAD_SET_TAG.
 *
 *   struct { opaque content[length]; ContentType type; uint8 zeros[length_of_padding]; }
 *       TLSInnerPlaintext;
 *   nonce = write_iv XOR (64-bit sequence number, left-padded with zeros to iv_length)
 *   additional_data = the 5-byte TLSCiphertext header
 */
#include "tls/record_protection.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/registry.h"

#define IV_LEN 12 /* every TLS 1.3 AEAD: N_MIN = N_MAX = 12 (RFC 8446 §5.3, RFC 5116) */
#define MAX_KEY 32

/* The TLS 1.3 suites libcrypto's default provider has AEADs for.  The hash
 * and tag length come from the registry's suite table (td_suite_info). */
static const struct {
    uint16_t suite;
    const char *cipher; /* EVP_CIPHER name */
    size_t key_len;
    bool ccm;           /* CCM needs the tag and the length before the data */
} aeads[] = {
    {TD_CS_TLS_AES_128_GCM_SHA256, "AES-128-GCM", 16, false},
    {TD_CS_TLS_AES_256_GCM_SHA384, "AES-256-GCM", 32, false},
    {TD_CS_TLS_CHACHA20_POLY1305_SHA256, "ChaCha20-Poly1305", 32, false},
    {TD_CS_TLS_AES_128_CCM_SHA256, "AES-128-CCM", 16, true},
    {TD_CS_TLS_AES_128_CCM_8_SHA256, "AES-128-CCM", 16, true},
};

struct td_rp {
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *ctx;
    EVP_KDF *kdf;
    const char *digest;   /* "SHA256" or "SHA384" */
    size_t hash_len, key_len, tag_len;
    bool ccm;
    bool keyed;
    uint64_t seq;
    uint8_t secret[64];
    uint8_t key[MAX_KEY];
    uint8_t iv[IV_LEN];
};

struct td_rp *td_rp_new(uint16_t suite, enum td_rp_status *st)
{
    const struct td_suite_info *info = td_suite_info(suite);
    struct td_rp *rp;
    size_t k;

    *st = TD_RP_UNSUPPORTED;
    for (k = 0; k < sizeof aeads / sizeof aeads[0]; k++)
        if (aeads[k].suite == suite)
            break;
    if (k == sizeof aeads / sizeof aeads[0] || info == NULL || !info->tls13 ||
        info->cipher != TD_SUITE_CIPHER_AEAD || info->tag_len == 0 ||
        (info->prf_hash != TD_SUITE_HASH_SHA256 && info->prf_hash != TD_SUITE_HASH_SHA384))
        return NULL;
    rp = OPENSSL_zalloc(sizeof *rp);
    if (rp == NULL) {
        *st = TD_RP_CRYPTO_ERROR;
        return NULL;
    }
    rp->digest = info->prf_hash == TD_SUITE_HASH_SHA256 ? "SHA256" : "SHA384";
    rp->hash_len = info->prf_hash_len;
    rp->tag_len = info->tag_len;
    rp->key_len = aeads[k].key_len;
    rp->ccm = aeads[k].ccm;
    rp->cipher = EVP_CIPHER_fetch(NULL, aeads[k].cipher, NULL);
    rp->ctx = EVP_CIPHER_CTX_new();
    rp->kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    if (rp->cipher == NULL || rp->kdf == NULL) {
        /* a provider without this AEAD or KDF: nothing to open it with */
        *st = TD_RP_UNSUPPORTED;
        td_rp_free(rp);
        return NULL;
    }
    if (rp->ctx == NULL || rp->hash_len > sizeof rp->secret) {
        *st = TD_RP_CRYPTO_ERROR;
        td_rp_free(rp);
        return NULL;
    }
    *st = TD_RP_OK;
    return rp;
}

void td_rp_free(struct td_rp *rp)
{
    if (rp == NULL)
        return;
    EVP_CIPHER_free(rp->cipher);
    EVP_CIPHER_CTX_free(rp->ctx);
    EVP_KDF_free(rp->kdf);
    OPENSSL_clear_free(rp, sizeof *rp);
}

size_t td_rp_tag_len(const struct td_rp *rp) { return rp->tag_len; }

bool td_tls13_expand_label(EVP_KDF *kdf, const char *digest, const uint8_t *secret,
                           size_t secret_len, const char *label, uint8_t *out, size_t out_len)
{
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix,
                                          sizeof prefix - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *fetched = kdf ? NULL : EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf ? kdf : fetched);
    bool ok = kctx && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(fetched);
    return ok;
}

/* HKDF-Expand-Label under the suite's hash. */
static bool expand_label(struct td_rp *rp, const uint8_t *secret, const char *label, uint8_t *out,
                         size_t out_len)
{
    return td_tls13_expand_label(rp->kdf, rp->digest, secret, rp->hash_len, label, out, out_len);
}

/* Key and IV from the current secret. */
static enum td_rp_status derive(struct td_rp *rp)
{
    rp->keyed = expand_label(rp, rp->secret, "key", rp->key, rp->key_len) &&
                expand_label(rp, rp->secret, "iv", rp->iv, IV_LEN);
    rp->seq = 0;
    return rp->keyed ? TD_RP_OK : TD_RP_CRYPTO_ERROR;
}

enum td_rp_status td_rp_set_secret(struct td_rp *rp, const uint8_t *secret, size_t len)
{
    if (len != rp->hash_len) {
        rp->keyed = false;
        return TD_RP_BAD_SECRET;
    }
    memcpy(rp->secret, secret, len);
    return derive(rp);
}

enum td_rp_status td_rp_next_secret(struct td_rp *rp)
{
    uint8_t next[sizeof rp->secret];
    if (!rp->keyed || !expand_label(rp, rp->secret, "traffic upd", next, rp->hash_len)) {
        rp->keyed = false;
        return TD_RP_CRYPTO_ERROR;
    }
    memcpy(rp->secret, next, rp->hash_len);
    OPENSSL_cleanse(next, sizeof next);
    return derive(rp);
}

void td_rp_skip(struct td_rp *rp) { rp->seq++; }

enum td_rp_status td_aead_open(EVP_CIPHER_CTX *c, const EVP_CIPHER *cipher, bool ccm,
                               const uint8_t *key, const uint8_t nonce[IV_LEN], const uint8_t *aad,
                               size_t aad_len, const uint8_t *ct, size_t body, size_t tag_len,
                               uint8_t *out)
{
    int outl = 0;

    if (body > INT32_MAX || aad_len > INT32_MAX)
        return TD_RP_AUTH_FAILED;
    /* the tag is given before the key for CCM, and for all of them before Final */
    bool ok = EVP_DecryptInit_ex(c, cipher, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, IV_LEN, NULL) == 1 &&
              (!ccm || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)tag_len,
                                           (void *)(ct + body)) == 1) &&
              EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) == 1;
    if (ok && !ccm)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, (void *)(ct + body)) == 1;
    if (!ok)
        return TD_RP_CRYPTO_ERROR;
    if (ccm && EVP_DecryptUpdate(c, NULL, &outl, NULL, (int)body) != 1)
        return TD_RP_CRYPTO_ERROR;
    if (EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1)
        return TD_RP_AUTH_FAILED;
    /* CCM authenticates in this call; the others in Final */
    if (EVP_DecryptUpdate(c, out, &outl, ct, (int)body) != 1 || (size_t)outl != body)
        return TD_RP_AUTH_FAILED;
    if (!ccm) {
        int fin = 0;
        if (EVP_DecryptFinal_ex(c, out + outl, &fin) != 1)
            return TD_RP_AUTH_FAILED;
    }
    return TD_RP_OK;
}

enum td_rp_status td_rp_open(struct td_rp *rp, const uint8_t header[5], const uint8_t *ct,
                             size_t n, uint8_t *out, size_t *len, uint8_t *type)
{
    uint8_t nonce[IV_LEN];
    uint64_t seq = rp->seq++;
    size_t body;
    enum td_rp_status st;
    EVP_CIPHER_CTX *c = rp->ctx;

    *len = 0;
    *type = 0;
    if (!rp->keyed || n <= rp->tag_len || n - rp->tag_len > INT32_MAX)
        return TD_RP_AUTH_FAILED; /* too short to hold a content type and the tag */
    body = n - rp->tag_len;
    memcpy(nonce, rp->iv, IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    st = td_aead_open(c, rp->cipher, rp->ccm, rp->key, nonce, header, 5, ct, body, rp->tag_len, out);
    OPENSSL_cleanse(nonce, sizeof nonce);
    if (st != TD_RP_OK)
        return st;
    /* strip the zero padding: the last non-zero byte is the content type */
    while (body > 0 && out[body - 1] == 0)
        body--;
    if (body == 0)
        return TD_RP_NO_CONTENT;
    *type = out[body - 1];
    *len = body - 1;
    return TD_RP_OK;
}
