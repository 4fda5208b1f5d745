/*
 * transcript.c — the running handshake transcript hash (RFC 8446 §4.4.1,
 * RFC 5246 §7.4.9; TLS 1.0/1.1: RFC 2246 §7.4.9, MD5 || SHA-1), through
 * libcrypto EVP_MD contexts, one per candidate digest until the ServerHello
 * chooses.
 */
#include "tls/transcript.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "tlsdissect/codepoints.h"

/* The candidate digests, by index. */
enum { DIGEST_MD5, DIGEST_SHA1, DIGEST_SHA256, DIGEST_SHA384, DIGESTS };
static const char *const digest_names[DIGESTS] = {"MD5", "SHA1", "SHA256", "SHA384"};

struct td_transcript {
    EVP_MD_CTX *ctx[DIGESTS]; /* NULL: not (or no longer) a candidate */
    bool chosen;
    enum td_transcript_hash hash;
};

void td_transcript_free(struct td_transcript *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < DIGESTS; i++)
        EVP_MD_CTX_free(t->ctx[i]);
    free(t);
}

/* A fresh context of digest i. */
static EVP_MD_CTX *start_digest(int i)
{
    EVP_MD *md = EVP_MD_fetch(NULL, digest_names[i], NULL);
    EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
    if (ctx && EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    EVP_MD_free(md);
    return ctx;
}

struct td_transcript *td_transcript_new(void)
{
    struct td_transcript *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    for (int i = 0; i < DIGESTS; i++)
        if ((t->ctx[i] = start_digest(i)) == NULL) {
            td_transcript_free(t);
            return NULL;
        }
    return t;
}

static bool update(struct td_transcript *t, const uint8_t *p, size_t n)
{
    for (int i = 0; i < DIGESTS; i++)
        if (t->ctx[i] && EVP_DigestUpdate(t->ctx[i], p, n) != 1)
            return false;
    return true;
}

bool td_transcript_add(struct td_transcript *t, uint8_t type, const uint8_t *body, size_t len)
{
    const uint8_t header[4] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    if (len > 0xffffff)
        return false;
    return update(t, header, sizeof header) && (len == 0 || update(t, body, len));
}

bool td_transcript_add_dtls(struct td_transcript *t, uint8_t type, uint16_t message_seq,
                            const uint8_t *body, size_t len)
{
    const uint8_t length[3] = {(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    const uint8_t header[12] = {type, length[0], length[1], length[2],
                                (uint8_t)(message_seq >> 8), (uint8_t)message_seq, 0, 0, 0,
                                length[0], length[1], length[2]};
    if (len > 0xffffff)
        return false;
    return update(t, header, sizeof header) && (len == 0 || update(t, body, len));
}

/* Whether digest i is part of hash. */
static bool digest_in(int i, enum td_transcript_hash hash)
{
    switch (hash) {
    case TD_TRANSCRIPT_SHA256:
        return i == DIGEST_SHA256;
    case TD_TRANSCRIPT_SHA384:
        return i == DIGEST_SHA384;
    case TD_TRANSCRIPT_MD5_SHA1:
        return i == DIGEST_MD5 || i == DIGEST_SHA1;
    }
    return false;
}

bool td_transcript_choose(struct td_transcript *t, enum td_transcript_hash hash)
{
    if (t->chosen)
        return t->hash == hash;
    t->chosen = true;
    t->hash = hash;
    for (int i = 0; i < DIGESTS; i++)
        if (!digest_in(i, hash)) {
            EVP_MD_CTX_free(t->ctx[i]);
            t->ctx[i] = NULL;
        }
    return true;
}

/* The digest of ctx so far, leaving ctx as it is: its length, or 0. */
static size_t peek(const EVP_MD_CTX *ctx, uint8_t *out)
{
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    unsigned len = 0;
    bool ok = copy && EVP_MD_CTX_copy_ex(copy, ctx) == 1 && EVP_DigestFinal_ex(copy, out, &len) == 1;
    EVP_MD_CTX_free(copy);
    return ok ? len : 0;
}

size_t td_transcript_hash(const struct td_transcript *t, uint8_t out[TD_TRANSCRIPT_HASH_MAX])
{
    size_t n = 0;
    if (!t->chosen)
        return 0;
    /* MD5 before SHA-1 (RFC 2246 §7.4.9): the index order */
    for (int i = 0; i < DIGESTS; i++)
        if (t->ctx[i]) {
            size_t one = peek(t->ctx[i], out + n);
            if (one == 0)
                return 0;
            n += one;
        }
    return n;
}

bool td_transcript_hello_retry(struct td_transcript *t, enum td_transcript_hash hash)
{
    uint8_t ch1[TD_TRANSCRIPT_HASH_MAX];
    size_t n;
    int i;

    /* TLS 1.3 hashes only, and one HelloRetryRequest (RFC 8446 §4.1.4) */
    if (hash == TD_TRANSCRIPT_MD5_SHA1 || t->chosen || !td_transcript_choose(t, hash))
        return false;
    n = td_transcript_hash(t, ch1);
    i = hash == TD_TRANSCRIPT_SHA256 ? DIGEST_SHA256 : DIGEST_SHA384;
    EVP_MD_CTX_free(t->ctx[i]);
    if (n == 0 || (t->ctx[i] = start_digest(i)) == NULL)
        return false;
    return td_transcript_add(t, TD_HS_MESSAGE_HASH, ch1, n);
}

const char *td_transcript_digest_name(enum td_transcript_hash hash)
{
    switch (hash) {
    case TD_TRANSCRIPT_SHA256:
        return "SHA256";
    case TD_TRANSCRIPT_SHA384:
        return "SHA384";
    case TD_TRANSCRIPT_MD5_SHA1:
        return "MD5-SHA1";
    }
    return "SHA256";
}
