/*
 * finished.c — expected Finished verify_data: TLS 1.3 (RFC 8446 §4.4.4),
 * TLS 1.0-1.2 (RFC 5246 §7.4.9, RFC 2246 §5 and §7.4.9), through libcrypto.
 */
#include "tls/finished.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "tls/record_protection.h"
#include "tls/transcript.h"

bool td_finished_tls13(const char *digest, const uint8_t *base_key, size_t hash_len,
                       const uint8_t *transcript_hash, uint8_t *out)
{
    uint8_t finished_key[TD_TRANSCRIPT_HASH_MAX];
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *ctx = NULL;
    size_t len = 0;
    bool ok = hash_len <= sizeof finished_key &&
              td_tls13_expand_label(NULL, digest, base_key, hash_len, "finished", finished_key,
                                    hash_len) &&
              (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL &&
              (ctx = EVP_MAC_CTX_new(mac)) != NULL &&
              EVP_MAC_init(ctx, finished_key, hash_len, params) == 1 &&
              EVP_MAC_update(ctx, transcript_hash, hash_len) == 1 &&
              EVP_MAC_final(ctx, out, &len, hash_len) == 1 && len == hash_len;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    OPENSSL_cleanse(finished_key, sizeof finished_key);
    return ok;
}

bool td_finished_tls12(const char *prf_digest, const uint8_t *master_secret, size_t master_len,
                       bool client, const uint8_t *transcript_hash, size_t hash_len, uint8_t *out,
                       size_t out_len)
{
    const char *label = client ? "client finished" : "server finished";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)prf_digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master_secret, master_len),
        /* the seed is label || hash: the KDF joins repeated seed parameters */
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)transcript_hash, hash_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}
