/*
 * resume.c — session ID / ticket → connection map for `resumed_from`
 * (RFC 5246 §7.4.1.2-3, RFC 5077 §3.4).  Keys are the SHA-256 of the
 * identifier, so long tickets cost a fixed 32 bytes; a direct-mapped table
 * whose slots are overwritten keeps memory fixed.  The slot is a keyed hash
 * (SipHash, keyed_hash.h) of that digest: the digest itself is public, and a
 * sender could grind session IDs or tickets that all take one slot and so
 * push out every other connection's entry.
 */
#include "tlsdissect/resume.h"

#include "tlsdissect/keyed_hash.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    uint8_t digest[32];
    uint64_t conn; /* 0: empty */
};

struct td_resume_map {
    struct slot *slots;
    size_t n;
    EVP_MD *sha256; /* fetched once */
    struct td_keyed_hash *hasher;
};

struct td_resume_map *td_resume_map_new(size_t capacity, const struct td_hash_key *key)
{
    struct td_resume_map *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->n = capacity ? capacity : 1;
    m->slots = calloc(m->n, sizeof *m->slots);
    m->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    m->hasher = td_keyed_hash_new(key);
    if (m->slots == NULL || m->sha256 == NULL || m->hasher == NULL) {
        td_resume_map_free(m);
        return NULL;
    }
    return m;
}

void td_resume_map_free(struct td_resume_map *m)
{
    if (m == NULL)
        return;
    free(m->slots);
    EVP_MD_free(m->sha256);
    td_keyed_hash_free(m->hasher);
    free(m);
}

static bool key_of(const struct td_resume_map *m, enum td_resume_key kind, const uint8_t *id,
                   size_t len, uint8_t digest[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t k = (uint8_t)kind;
    unsigned dlen = 0;
    bool ok = ctx && EVP_DigestInit_ex(ctx, m->sha256, NULL) == 1 &&
              EVP_DigestUpdate(ctx, &k, 1) == 1 && EVP_DigestUpdate(ctx, id, len) == 1 &&
              EVP_DigestFinal_ex(ctx, digest, &dlen) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static size_t slot_of(struct td_resume_map *m, const uint8_t digest[32])
{
    return (size_t)(td_keyed_hash(m->hasher, digest, 32) % m->n);
}

void td_resume_remember(struct td_resume_map *m, enum td_resume_key kind, const uint8_t *id,
                        size_t len, uint64_t conn)
{
    uint8_t digest[32];
    if (m == NULL || len == 0 || !key_of(m, kind, id, len, digest))
        return;
    struct slot *s = &m->slots[slot_of(m, digest)];
    memcpy(s->digest, digest, 32);
    s->conn = conn;
}

uint64_t td_resume_lookup(struct td_resume_map *m, enum td_resume_key kind,
                          const uint8_t *id, size_t len)
{
    uint8_t digest[32];
    if (m == NULL || len == 0 || !key_of(m, kind, id, len, digest))
        return 0;
    const struct slot *s = &m->slots[slot_of(m, digest)];
    return s->conn && memcmp(s->digest, digest, 32) == 0 ? s->conn : 0;
}
