/*
 * resume.c — session ID / ticket → connection map for `resumed_from`
 * (RFC 5246 §7.4.1.2-3, RFC 5077 §3.4).  Keys are the SHA-256 of the
 * identifier, so long tickets cost a fixed 32 bytes; a direct-mapped table
 * whose slots are overwritten keeps memory fixed.
 */
#include "tlsdissect/resume.h"

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
};

struct td_resume_map *td_resume_map_new(size_t capacity)
{
    struct td_resume_map *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->n = capacity ? capacity : 1;
    m->slots = calloc(m->n, sizeof *m->slots);
    m->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (m->slots == NULL || m->sha256 == NULL) {
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

static size_t slot_of(const struct td_resume_map *m, const uint8_t digest[32])
{
    uint64_t h;
    memcpy(&h, digest, sizeof h);
    return (size_t)(h % m->n);
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

uint64_t td_resume_lookup(const struct td_resume_map *m, enum td_resume_key kind,
                          const uint8_t *id, size_t len)
{
    uint8_t digest[32];
    if (m == NULL || len == 0 || !key_of(m, kind, id, len, digest))
        return 0;
    const struct slot *s = &m->slots[slot_of(m, digest)];
    return s->conn && memcmp(s->digest, digest, 32) == 0 ? s->conn : 0;
}
