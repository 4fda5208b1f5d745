/*
 * keyed_hash.h — the hash of every table keyed by wire data (connections,
 * IP fragments, certificate cache, validation cache, session IDs and
 * tickets): SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012) with a 128-bit key drawn at random once per run.
 *
 * Why: an unkeyed hash lets a sender choose addresses or bytes that all land
 * in one bucket, making every lookup a walk of the whole table (hash
 * flooding).  SipHash is a pseudorandom function: without the key, an
 * attacker cannot find colliding inputs faster than by chance, which is
 * what its authors designed it for and why Python, Rust and the Linux
 * kernel hash their tables with it.  It comes from libcrypto (EVP_MAC
 * "SIPHASH"); nothing here reimplements it.
 *
 * The key is a value made once per run (td_hash_key_random) and handed to
 * each table's constructor; a fixed key makes a table reproducible in tests.
 * Outputs never depend on hash values: tables only use them to find entries.
 */
#ifndef TLSDISSECT_KEYED_HASH_H
#define TLSDISSECT_KEYED_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_HASH_KEY_BYTES 16

struct td_hash_key {
    uint8_t bytes[TD_HASH_KEY_BYTES];
};

/* A fresh secret key from the operating system's random source (RAND_bytes); false on failure. */
bool td_hash_key_random(struct td_hash_key *key);

/* One table's hasher: the key and a reusable libcrypto context. */
struct td_keyed_hash;

/* NULL when out of memory or when libcrypto has no SipHash. */
struct td_keyed_hash *td_keyed_hash_new(const struct td_hash_key *key);
void td_keyed_hash_free(struct td_keyed_hash *h);

/*
 * SipHash-2-4 of n bytes (data may be NULL when n is 0).  Not thread-safe:
 * each table owns its hasher.  Should libcrypto fail mid-run the result is
 * 0: every entry then shares a bucket, slower but still correct.
 */
uint64_t td_keyed_hash(struct td_keyed_hash *h, const void *data, size_t n);

#endif
