/*
 * digest.h — the message digests tlsdissect computes (MD5 for JA3, SHA-1
 * for certificate fingerprints and Community ID, SHA-256 for certificate
 * fingerprints, JA4 and map keys), fetched once per run: OpenSSL 3 looks an
 * algorithm up on every call otherwise, which costs more than hashing a
 * ClientHello.
 */
#ifndef TLSDISSECT_DIGEST_H
#define TLSDISSECT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evp_md_st;
struct evp_md_ctx_st;

struct td_digests {
    struct evp_md_st *md5;
    struct evp_md_st *sha1;
    struct evp_md_st *sha256;
    struct evp_md_ctx_st *ctx; /* one context, re-initialised per digest (single-threaded) */
};

/* Fetch the algorithms; false when one is missing. */
bool td_digests_init(struct td_digests *d);
void td_digests_free(struct td_digests *d);

enum td_digest_kind { TD_MD5, TD_SHA1, TD_SHA256 };

/*
 * Hash n bytes into out (32 bytes at least); returns the digest length, or 0.
 * d may be NULL: the algorithm is then looked up for this call.
 */
unsigned td_digest(const struct td_digests *d, enum td_digest_kind kind, const void *data,
                   size_t n, uint8_t *out);

#endif
