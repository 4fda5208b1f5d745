/*
 * validate.c — certificate chain validation at capture time (RFC 5280 §6
 * via X509_verify_cert; names per RFC 6125 via X509_check_host and
 * X509_check_ip_asc).
 *
 * Every error the verifier meets is collected by the verify callback (which
 * lets verification go on), mapped onto the contract's problems, and listed
 * in a fixed order.  The policy level is 0: weak keys or digests are not
 * trust failures here; validity, trust, signatures and names are.
 *
 * What a hostile server can make this cost is bounded: the verifier is
 * given the leading certificates that parsed, at most TD_VALIDATE_MAX_CERTS
 * of them (path building searches the untrusted list at every step, so its
 * cost grows faster than the list); the verdict on that chain is cached
 * without the name, so a chain sent with many SNIs is verified once; the
 * name is checked against the cached leaf on every call.  Cache slots are
 * chosen by a keyed hash (keyed_hash.h) so that chains cannot be ground to
 * evict each other.
 *
 * The system trust store is loaded when the first chain is verified, not
 * before: a run that meets no certificate in clear does not pay for it.
 * When the default certificate directory is hashed (c_rehash names, as
 * Debian's update-ca-certificates makes them) and neither SSL_CERT_FILE nor
 * SSL_CERT_DIR says otherwise, only that directory is looked up: libcrypto
 * then reads the one CA a chain names, by subject hash, instead of parsing
 * the whole bundle (about 235 M instructions) in every run.  Otherwise the
 * default file and directory, as X509_STORE_set_default_paths sets them.
 * Anchors the user names (--ca-file, --ca-path) are loaded at once, so
 * that a bad path is an error before the first packet.
 */
#include "tlsdissect/validate.h"

#include "tlsdissect/certificate.h"
#include "tlsdissect/keyed_hash.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 1024

/* Parsedness is known only for decoded certificates. */
_Static_assert(TD_VALIDATE_MAX_CERTS <= TD_MAX_CERTS_DECODED, "the verifier's cap exceeds the decoded ones");

struct cache_entry {
    uint8_t key[32]; /* sha256 over the hashes of the certificates verified, and their count */
    bool used;
    int64_t valid_from, valid_until; /* the result holds for times in [from, until) */
    struct td_validation result;     /* the chain's verdict: never name_mismatch */
    X509 *leaf;                      /* owned; the name is checked against it on every hit */
};

struct td_validator {
    X509_STORE *store;
    bool store_loaded;      /* the system store is loaded on first use */
    bool store_failed;      /* ... and could not be */
    EVP_MD *sha256; /* fetched once, for cache keys */
    struct td_keyed_hash *hasher; /* picks a cache key's slot */
    struct cache_entry cache[CACHE_SLOTS];
};

struct td_validator *td_validator_new(const char *ca_file, const char *ca_path,
                                      const struct td_hash_key *key, char *err, size_t errlen)
{
    struct td_validator *v = calloc(1, sizeof *v);
    if (v == NULL || (v->store = X509_STORE_new()) == NULL ||
        (v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
        (v->hasher = td_keyed_hash_new(key)) == NULL) {
        snprintf(err, errlen, "out of memory");
        td_validator_free(v);
        return NULL;
    }
    if (ca_file || ca_path) {
        if (X509_STORE_load_locations(v->store, ca_file, ca_path) != 1) {
            snprintf(err, errlen, "cannot load trust anchors from %s", ca_file ? ca_file : ca_path);
            td_validator_free(v);
            return NULL;
        }
        v->store_loaded = true;
    }
    return v;
}

/* Whether dir holds c_rehash names (8 hex digits, '.', a digit): the lookup by hash works. */
static bool hashed_directory(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool hashed = false;

    while (d && !hashed && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n), i = 0;
        while (i < 8 && isxdigit((unsigned char)n[i]))
            i++;
        hashed = i == 8 && len >= 10 && n[8] == '.' && isdigit((unsigned char)n[9]);
    }
    if (d)
        closedir(d);
    return hashed;
}

/* The system store by subject hash only; false when it cannot be set up so. */
static bool hashed_system_store(X509_STORE *store)
{
    const char *dir = X509_get_default_cert_dir();
    X509_LOOKUP *lookup;

    if (getenv(X509_get_default_cert_file_env()) || getenv(X509_get_default_cert_dir_env()) ||
        !hashed_directory(dir))
        return false;
    lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
    return lookup && X509_LOOKUP_add_dir(lookup, dir, X509_FILETYPE_PEM) == 1;
}

/* The system trust store, loaded the first time a chain is verified. */
static bool store_ready(struct td_validator *v)
{
    if (!v->store_loaded) {
        v->store_loaded = true;
        v->store_failed = !hashed_system_store(v->store) && X509_STORE_set_default_paths(v->store) != 1;
    }
    return !v->store_failed;
}

void td_validator_free(struct td_validator *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        X509_free(v->cache[i].leaf);
    X509_STORE_free(v->store);
    EVP_MD_free(v->sha256);
    td_keyed_hash_free(v->hasher);
    free(v);
}

static int problem_of(int error)
{
    switch (error) {
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        return TD_CERT_BAD_SIGNATURE;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return TD_CERT_SELF_SIGNED;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return TD_CERT_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return TD_CERT_NOT_YET_VALID;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return TD_CERT_NAME_MISMATCH;
    default:
        /* no issuer, untrusted root, not a CA, path length, purpose, ... */
        return TD_CERT_UNTRUSTED;
    }
}

struct collected {
    uint8_t problems;
    int first_error;
};

static int collect(int ok, X509_STORE_CTX *ctx)
{
    struct collected *c = X509_STORE_CTX_get_app_data(ctx);
    int error = X509_STORE_CTX_get_error(ctx);
    if (!ok && c) {
        c->problems |= (uint8_t)(1u << problem_of(error));
        if (c->first_error == X509_V_OK)
            c->first_error = error;
    }
    return 1; /* go on: every problem is wanted, not only the first */
}

/*
 * The certificates the verifier is given: the leading ones that parsed, at
 * most TD_VALIDATE_MAX_CERTS.  (One with bytes after its DER did not parse:
 * d2i_X509 would accept its prefix, but it is not what the server sent.)
 */
static size_t chain_to_verify(const struct td_certificate *chain)
{
    size_t n = 0;
    while (n < chain->count && n < TD_VALIDATE_MAX_CERTS && chain->certs[n].parsed)
        n++;
    return n;
}

/*
 * The cache key: the hashes of the n certificates verified, then whether the
 * chain stopped at an unparsed one (the result's detail says so).  Not the
 * name: it is checked apart.
 */
static bool chain_key(const struct td_validator *v, const struct td_certificate *chain, size_t n,
                      bool stopped, uint8_t key[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned len = 0;
    uint8_t mark = stopped ? 1 : 0;
    bool ok = md && EVP_DigestInit_ex(md, v->sha256, NULL) == 1;

    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(md, chain->certs[i].sha256, sizeof chain->certs[i].sha256) == 1;
    ok = ok && EVP_DigestUpdate(md, &mark, 1) == 1 && EVP_DigestFinal_ex(md, key, &len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/*
 * Narrow [*lo, *hi) to the times around `when` at which no certificate of
 * the chain OpenSSL built (trust anchor included) starts or ends its
 * validity: within it, the answer does not depend on the time.
 */
static void narrow_to_stable_times(X509_STORE_CTX *ctx, int64_t when, int64_t *lo, int64_t *hi)
{
    STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
    for (int i = 0; i < sk_X509_num(built); i++) {
        X509 *x = sk_X509_value(built, i);
        int64_t edge[2];
        if (!td_asn1_time_seconds(X509_get0_notBefore(x), &edge[0]) ||
            !td_asn1_time_seconds(X509_get0_notAfter(x), &edge[1])) {
            *lo = *hi = when; /* unknown: never reuse */
            return;
        }
        edge[1] += 1; /* valid through notAfter inclusive */
        for (int k = 0; k < 2; k++) {
            if (edge[k] <= when && edge[k] > *lo)
                *lo = edge[k];
            if (edge[k] > when && edge[k] < *hi)
                *hi = edge[k];
        }
    }
}

static bool name_matches(X509 *leaf, const uint8_t *sni, size_t sni_len)
{
    char name[256];
    if (sni_len >= sizeof name || memchr(sni, 0, sni_len))
        return false;
    memcpy(name, sni, sni_len);
    name[sni_len] = '\0';
    /* an SNI is a host name (RFC 6066 §3), but clients do send IP literals */
    if (X509_check_ip_asc(leaf, name, 0) == 1)
        return true;
    return X509_check_host(leaf, name, sni_len, 0, NULL) == 1;
}

/*
 * Verify the first n certificates of chain (n >= 1, all parsed) at `when`,
 * without a name.  Returns the decoded leaf (the caller's) when out->done.
 */
static X509 *verify(struct td_validator *v, const struct td_certificate *chain, size_t n,
                    int64_t when, struct td_validation *out, int64_t *lo, int64_t *hi)
{
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509 *leaf = NULL;
    struct collected c = {0, X509_V_OK};

    if (untrusted == NULL || ctx == NULL)
        goto out;
    if (!store_ready(v)) {
        out->done = true;
        out->problems = 1u << TD_CERT_UNTRUSTED;
        snprintf(out->detail, sizeof out->detail, "the system trust store could not be loaded");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = chain->certs[i].der.data;
        X509 *x = p ? d2i_X509(NULL, &p, (long)chain->certs[i].der.len) : NULL;
        if (x == NULL) {
            if (i == 0)
                goto out; /* no leaf to validate */
            continue;
        }
        if (i == 0)
            leaf = x;
        else if (!sk_X509_push(untrusted, x))
            X509_free(x);
    }
    if (X509_STORE_CTX_init(ctx, v->store, leaf, untrusted) != 1)
        goto out;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)when);
    X509_VERIFY_PARAM_set_auth_level(param, 0);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_STORE_CTX_set_app_data(ctx, &c);
    X509_STORE_CTX_set_verify_cb(ctx, collect);
    X509_verify_cert(ctx);
    narrow_to_stable_times(ctx, when, lo, hi);
    /* the leaf and the certificates sent bound it too (some may not be in the built chain) */
    for (size_t i = 0; i < n; i++) {
        const struct td_cert_info *ci = &chain->certs[i];
        if (!ci->has_validity)
            continue;
        if (ci->not_before <= when && ci->not_before > *lo)
            *lo = ci->not_before;
        if (ci->not_before > when && ci->not_before < *hi)
            *hi = ci->not_before;
        if (ci->not_after + 1 <= when && ci->not_after + 1 > *lo)
            *lo = ci->not_after + 1;
        if (ci->not_after + 1 > when && ci->not_after + 1 < *hi)
            *hi = ci->not_after + 1;
    }
    /* a self-signed leaf that is untrusted is "self_signed", not also "untrusted" */
    if (c.problems & (1u << TD_CERT_SELF_SIGNED))
        c.problems &= (uint8_t)~(1u << TD_CERT_UNTRUSTED);
    out->done = true;
    out->problems = c.problems;
    if (c.first_error != X509_V_OK)
        snprintf(out->detail, sizeof out->detail, "%s", X509_verify_cert_error_string(c.first_error));
out:
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    if (!out->done) {
        X509_free(leaf);
        leaf = NULL;
    }
    return leaf;
}

/*
 * Say in the detail that certificate n did not parse and was not verified,
 * nor those after it (after OpenSSL's words, if any; cut to the field).
 */
static void note_stop(struct td_validation *out, size_t n)
{
    char openssl[sizeof out->detail];
    int len;
    memcpy(openssl, out->detail, sizeof openssl);
    len = snprintf(out->detail, sizeof out->detail,
                   "%s%scertificate_list[%zu] did not parse: validated the %zu before it%s", openssl,
                   openssl[0] ? " (" : "", n, n, openssl[0] ? ")" : "");
    if (len < 0)
        out->detail[0] = '\0';
}

size_t td_validate_chain(struct td_validator *v, const struct td_certificate *chain,
                         const uint8_t *sni, size_t sni_len, int64_t when,
                         struct td_validation *out)
{
    uint8_t key[32];
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    struct cache_entry *e = NULL;
    size_t n;
    bool stopped;
    X509 *leaf = NULL, *fresh = NULL;

    memset(out, 0, sizeof *out);
    if (v == NULL || chain->count == 0)
        return 0;
    if ((n = chain_to_verify(chain)) == 0) {
        /* no path can start from a leaf that did not parse */
        out->done = true;
        out->problems = 1u << TD_CERT_UNTRUSTED;
        snprintf(out->detail, sizeof out->detail, "certificate_list[0] did not parse: nothing validated");
        return 0;
    }
    stopped = n < chain->count && n < TD_VALIDATE_MAX_CERTS;
    if (chain_key(v, chain, n, stopped, key)) {
        e = &v->cache[td_keyed_hash(v->hasher, key, sizeof key) % CACHE_SLOTS];
        if (e->used && memcmp(e->key, key, 32) == 0 && when >= e->valid_from &&
            when < e->valid_until) {
            *out = e->result;
            leaf = e->leaf;
        }
    }
    if (leaf == NULL) {
        leaf = fresh = verify(v, chain, n, when, out, &lo, &hi);
        if (leaf == NULL)
            return n;
        if (stopped)
            note_stop(out, n);
        if (e && lo < hi) {
            X509_free(e->leaf);
            memcpy(e->key, key, 32);
            e->used = true;
            e->valid_from = lo;
            e->valid_until = hi;
            e->result = *out;
            e->leaf = fresh; /* the entry owns it now */
            fresh = NULL;
        }
    }
    if (sni) {
        out->name_checked = true;
        if (!name_matches(leaf, sni, sni_len))
            out->problems |= 1u << TD_CERT_NAME_MISMATCH;
    }
    X509_free(fresh);
    return n;
}
