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
#include "tls/record_protection12.h"
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
    return td_tls1_prf(prf_digest, master_secret, master_len,
                       client ? "client finished" : "server finished", transcript_hash, hash_len, out,
                       out_len);
}
