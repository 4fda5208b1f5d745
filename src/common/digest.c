/*
 * digest.c — MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4) through
 * libcrypto's EVP interface, with the algorithms fetched once and one
 * digest context reused (EVP_DigestInit_ex2 re-initialises it and keeps
 * the provider's state for the same algorithm: no allocation per call).
 */
#include "tlsdissect/digest.h"

#include <openssl/evp.h>

static const char *const names[] = {[TD_MD5] = "MD5", [TD_SHA1] = "SHA1", [TD_SHA256] = "SHA256"};

bool td_digests_init(struct td_digests *d)
{
    d->md5 = EVP_MD_fetch(NULL, names[TD_MD5], NULL);
    d->sha1 = EVP_MD_fetch(NULL, names[TD_SHA1], NULL);
    d->sha256 = EVP_MD_fetch(NULL, names[TD_SHA256], NULL);
    d->ctx = EVP_MD_CTX_new();
    return d->md5 && d->sha1 && d->sha256 && d->ctx;
}

void td_digests_free(struct td_digests *d)
{
    EVP_MD_free(d->md5);
    EVP_MD_free(d->sha1);
    EVP_MD_free(d->sha256);
    EVP_MD_CTX_free(d->ctx);
    d->md5 = d->sha1 = d->sha256 = NULL;
    d->ctx = NULL;
}

unsigned td_digest(const struct td_digests *d, enum td_digest_kind kind, const void *data,
                   size_t n, uint8_t *out)
{
    const EVP_MD *md = NULL;
    unsigned len = 0;

    if (d)
        md = kind == TD_MD5 ? d->md5 : kind == TD_SHA1 ? d->sha1 : d->sha256;
    if (md == NULL)
        md = kind == TD_MD5 ? EVP_md5() : kind == TD_SHA1 ? EVP_sha1() : EVP_sha256();
    if (d == NULL || d->ctx == NULL)
        return EVP_Digest(data, n, out, &len, md, NULL) == 1 ? len : 0;
    if (EVP_DigestInit_ex2(d->ctx, md, NULL) != 1 || EVP_DigestUpdate(d->ctx, data, n) != 1 ||
        EVP_DigestFinal_ex(d->ctx, out, &len) != 1)
        return 0;
    return len;
}
