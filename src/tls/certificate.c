/*
 * certificate.c — Certificate messages and X.509 certificate fields.
 *
 *   TLS 1.2 (RFC 5246 §7.4.2):  ASN.1Cert certificate_list<0..2^24-1>;  ASN.1Cert<1..2^24-1>
 *   TLS 1.3 (RFC 8446 §4.4.2):  opaque certificate_request_context<0..2^8-1>;
 *                               CertificateEntry certificate_list<0..2^24-1>;
 *     struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; } CertificateEntry;
 *
 * X.509 fields (RFC 5280 §4.1) come from libcrypto: names in RFC 4514 form
 * exactly as `openssl x509 -nameopt RFC2253` prints them.
 */
#include "tlsdissect/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/format.h"
#include "tlsdissect/keyed_hash.h"

struct cache_slot {
    uint8_t *der;
    size_t der_len;
    uint64_t key;
    struct td_arena arena; /* the strings of info */
    struct td_cert_info info;
};

struct td_cert_cache {
    struct cache_slot *slots;
    size_t nslots;
    struct td_keyed_hash *hasher; /* picks the slot: SipHash of the whole DER */
};

struct td_cert_cache *td_cert_cache_new(size_t slots, const struct td_hash_key *key)
{
    struct td_cert_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if ((c->hasher = td_keyed_hash_new(key)) == NULL) {
        free(c);
        return NULL;
    }
    if (slots) {
        c->slots = calloc(slots, sizeof *c->slots);
        if (c->slots == NULL) {
            td_cert_cache_free(c);
            return NULL;
        }
        c->nslots = slots;
    }
    return c;
}

static void slot_clear(struct cache_slot *s)
{
    free(s->der);
    td_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

void td_cert_cache_free(struct td_cert_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nslots; i++)
        slot_clear(&c->slots[i]);
    free(c->slots);
    td_keyed_hash_free(c->hasher);
    free(c);
}


/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool td_asn1_time_seconds(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    *out = days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return true;
}

static const char *name_rfc2253(struct td_arena *a, const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    const char *out = NULL;
    char *data;
    long n;

    if (bio == NULL)
        return NULL;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        n = BIO_get_mem_data(bio, &data);
        if (n >= 0)
            out = td_arena_strndup(a, data, (size_t)n);
    }
    BIO_free(bio);
    return out;
}

static struct td_bytes first_cn(struct td_arena *a, const X509_NAME *name)
{
    struct td_bytes out = {NULL, 0};
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    const ASN1_STRING *s;
    unsigned char *utf8 = NULL;
    int n;

    if (i < 0)
        return out;
    s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n >= 0) {
        out.data = (const uint8_t *)td_arena_strndup(a, utf8, (size_t)n);
        out.len = out.data ? (size_t)n : 0;
    }
    OPENSSL_free(utf8);
    return out;
}

/* Hex of the DER INTEGER's content octets (sign byte included, as on the wire). */
static const char *serial_hex(struct td_arena *a, const ASN1_INTEGER *serial)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_INTEGER(serial, &der);
    const char *out = NULL;

    if (n > 0) {
        struct td_cur c = td_cur_make(der, (size_t)n), content;
        uint8_t tag, len8;
        size_t len = 0;
        if (td_cur_u8(&c, &tag) && td_cur_u8(&c, &len8)) {
            if (len8 < 0x80) {
                len = len8;
            } else {
                for (unsigned k = 0; k < (len8 & 0x7fu) && k < sizeof len; k++) {
                    uint8_t b;
                    if (td_cur_u8(&c, &b))
                        len = len << 8 | b;
                }
            }
            if (td_cur_sub(&c, len, &content)) {
                char *hex = td_arena_alloc(a, len * 2 + 1);
                if (hex)
                    out = td_format_hex(hex, td_cur_ptr(&content), len);
            }
        }
    }
    OPENSSL_free(der);
    return out;
}

/*
 * subjectAltName (RFC 5280 §4.2.1.6): the DNS names, IP addresses, e-mail
 * addresses and URIs, the first TD_MAX_LISTED_SAN kept.  What cannot be
 * used is recorded in info for the Certificate parser to report: an
 * extension that does not decode, iPAddress entries of a length other than
 * 4 or 16 (RFC 5280 §4.2.1.6: "four octets" or "sixteen octets").
 */
static void read_san(struct td_arena *a, X509 *x, struct td_cert_info *info)
{
    int found = -1;
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, &found, NULL);
    struct td_bytes_list *out = &info->san;
    int count;
    struct td_bytes *v;
    size_t n = 0, usable = 0;

    out->v = NULL;
    out->n = 0;
    out->omitted = 0;
    if (names == NULL) {
        info->san_undecodable = found != -1; /* -1: there is no such extension */
        return;
    }
    count = sk_GENERAL_NAME_num(names);
    size_t keep = count > 0 ? (size_t)count : 1;
    v = td_arena_alloc(a, (keep < TD_MAX_LISTED_SAN ? keep : TD_MAX_LISTED_SAN) * sizeof *v);
    for (int i = 0; v && i < count; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        const ASN1_STRING *s = NULL;
        char addr[TD_ADDR_BUF];
        const uint8_t *data = NULL;
        size_t len = 0;
        int type;
        void *value = GENERAL_NAME_get0_value(g, &type);

        if (type == GEN_DNS || type == GEN_EMAIL || type == GEN_URI) {
            s = value;
            data = ASN1_STRING_get0_data(s);
            len = (size_t)ASN1_STRING_length(s);
        } else if (type == GEN_IPADD) {
            uint8_t raw[16] = {0};
            s = value;
            int alen = ASN1_STRING_length(s);
            if (alen == 4 || alen == 16) {
                memcpy(raw, ASN1_STRING_get0_data(s), (size_t)alen);
                td_format_addr(alen == 4 ? 4 : 6, raw, addr);
                data = (const uint8_t *)addr;
                len = strlen(addr);
            } else if (info->san_bad_addresses++ == 0) {
                info->san_first_bad_address = (size_t)i;
                info->san_first_bad_address_len = alen > 0 ? (size_t)alen : 0;
            }
        }
        if (data == NULL)
            continue;
        if (usable++ >= TD_MAX_LISTED_SAN)
            continue; /* counted in omitted, not kept */
        uint8_t *copy = td_arena_alloc(a, len + 1);
        if (copy == NULL)
            break;
        memcpy(copy, data, len);
        v[n].data = copy;
        v[n].len = len;
        n++;
    }
    GENERAL_NAMES_free(names);
    out->v = v;
    out->n = n;
    out->omitted = usable > TD_MAX_LISTED_SAN ? usable - TD_MAX_LISTED_SAN : 0;
}

static const char *key_type_name(int id)
{
    switch (id) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_EC: return "EC";
    case EVP_PKEY_DSA: return "DSA";
    case EVP_PKEY_DH: return "DH";
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    default: return NULL;
    }
}

static const char *nid_name(struct td_arena *a, int nid, const ASN1_OBJECT *obj)
{
    char buf[128];
    if (nid != NID_undef)
        return OBJ_nid2ln(nid);
    if (obj && OBJ_obj2txt(buf, sizeof buf, obj, 1) > 0)
        return td_arena_strndup(a, buf, strlen(buf));
    return NULL;
}

/* Decode the X.509 fields of one DER certificate into info (strings in arena). */
static void decode_x509(struct td_arena *a, const uint8_t *der, size_t len, struct td_cert_info *info)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    const X509_ALGOR *sig_alg;
    const ASN1_OBJECT *sig_obj = NULL;
    EVP_PKEY *key;

    if (x == NULL || p != der + len) {
        X509_free(x);
        return;
    }
    info->parsed = true;
    info->subject = name_rfc2253(a, X509_get_subject_name(x));
    info->issuer = name_rfc2253(a, X509_get_issuer_name(x));
    info->subject_cn = first_cn(a, X509_get_subject_name(x));
    info->serial = serial_hex(a, X509_get0_serialNumber(x));
    info->has_validity = td_asn1_time_seconds(X509_get0_notBefore(x), &info->not_before) &&
                         td_asn1_time_seconds(X509_get0_notAfter(x), &info->not_after);
    read_san(a, x, info);
    key = X509_get0_pubkey(x);
    if (key) {
        info->key_type = key_type_name(EVP_PKEY_get_base_id(key));
        info->key_bits = EVP_PKEY_get_bits(key);
    }
    X509_get0_signature(NULL, &sig_alg, x);
    if (sig_alg)
        X509_ALGOR_get0(&sig_obj, NULL, NULL, sig_alg);
    info->signature_algorithm = nid_name(a, X509_get_signature_nid(x), sig_obj);
    info->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
    X509_free(x);
}

static const char *copy_str(struct td_arena *a, const char *s)
{
    return s ? td_arena_strndup(a, s, strlen(s)) : NULL;
}

/* A deep copy of info whose strings live in arena a. */
static void copy_info(struct td_arena *a, const struct td_cert_info *src, struct td_cert_info *dst)
{
    *dst = *src;
    dst->subject = copy_str(a, src->subject);
    dst->issuer = copy_str(a, src->issuer);
    dst->subject_cn.data = (const uint8_t *)td_arena_strndup(a, src->subject_cn.data, src->subject_cn.len);
    dst->subject_cn.len = dst->subject_cn.data ? src->subject_cn.len : 0;
    dst->serial = copy_str(a, src->serial);
    dst->signature_algorithm = src->signature_algorithm
                                   ? copy_str(a, src->signature_algorithm) : NULL;
    dst->san.v = NULL;
    dst->san.n = 0;
    if (src->san.n) {
        struct td_bytes *v = td_arena_alloc(a, src->san.n * sizeof *v);
        if (v == NULL)
            return;
        for (size_t i = 0; i < src->san.n; i++) {
            v[i].data = (const uint8_t *)td_arena_strndup(a, src->san.v[i].data, src->san.v[i].len);
            v[i].len = v[i].data ? src->san.v[i].len : 0;
        }
        dst->san.v = v;
        dst->san.n = src->san.n;
    }
}

/* A certificate described by its hashes and length only (X.509 fields come later, if at all). */
static void hash_cert(struct td_parse *p, const uint8_t *der, size_t len, struct td_cert_info *out)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned dlen;

    memset(out, 0, sizeof *out);
    out->der_len = len;
    if ((dlen = td_digest(p->digests, TD_SHA256, der, len, digest)) != 0)
        td_format_hex(out->sha256, digest, dlen);
    if ((dlen = td_digest(p->digests, TD_SHA1, der, len, digest)) != 0)
        td_format_hex(out->sha1, digest, dlen);
}

static void describe_cert(struct td_parse *p, struct td_cert_cache *cache, const uint8_t *der,
                          size_t len, struct td_cert_info *out)
{
    struct cache_slot *slot = NULL;
    uint64_t key = 0;

    if (cache && cache->nslots) {
        /* every byte counts, so certificates cannot be made to share a slot (equality: memcmp) */
        key = td_keyed_hash(cache->hasher, der, len);
        slot = &cache->slots[key % cache->nslots];
        if (slot->der && slot->key == key && slot->der_len == len && memcmp(slot->der, der, len) == 0) {
            copy_info(p->arena, &slot->info, out);
            return;
        }
    }
    hash_cert(p, der, len, out);
    if (slot) {
        slot_clear(slot);
        slot->der = malloc(len ? len : 1);
        if (slot->der) {
            memcpy(slot->der, der, len);
            slot->der_len = len;
            slot->key = key;
            slot->info = *out;
            decode_x509(&slot->arena, der, len, &slot->info);
            copy_info(p->arena, &slot->info, out);
            return;
        }
    }
    decode_x509(p->arena, der, len, out);
}

/* The SAN entries describe_cert could not use, and the SAN cap, by field path. */
static void report_san(struct td_parse *p, size_t index, const struct td_cert_info *info)
{
    if (info->san_undecodable)
        td_parse_fail(p, TD_ANOM_CERTIFICATE_UNPARSED,
                      "Certificate.certificate_list[%zu].subjectAltName: the extension does not "
                      "decode (or appears twice); san is empty", index);
    if (info->san_bad_addresses)
        td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                      "Certificate.certificate_list[%zu].subjectAltName[%zu](iPAddress): length "
                      "%zu, not 4 or 16; left out of san (%zu in all)",
                      index, info->san_first_bad_address, info->san_first_bad_address_len,
                      info->san_bad_addresses);
    td_parse_list_cap(p, info->san.n + info->san.omitted, TD_MAX_LISTED_SAN, "san",
                      "Certificate.certificate_list[%zu].subjectAltName", index);
}

/*
 * A certificate_list the capture cut: its entries are checked for lengths
 * that lie, none is described (a list is absent when its bytes were not all
 * captured).  The read that reaches the cut is the capture's loss.
 */
static void check_cut_list(struct td_parse *p, struct td_cur *list, bool tls13)
{
    struct td_cur der, ext;
    for (size_t i = 0; td_cur_remaining(list); i++) {
        if (!td_cur_vec(list, 3, 1, 0xffffff, 1, &der)) {
            td_parse_cur_fail(p, list, "Certificate.certificate_list[%zu]", i);
            return;
        }
        if (tls13 && !td_cur_vec(list, 2, 0, 0xffff, 1, &ext)) {
            td_parse_cur_fail(p, list, "Certificate.certificate_list[%zu].extensions", i);
            return;
        }
    }
}

/*
 * The list is walked twice: once to count the entries (a CertificateEntry
 * whose cert_data reads is one, even when its extensions lie), once to
 * describe the first TD_MAX_LISTED_CERTIFICATES; the rest are only counted,
 * so a message of 2^22 tiny entries costs no memory per entry.
 */
int td_parse_certificate(struct td_parse *p, struct td_cur body, bool tls13,
                         struct td_cert_cache *cache, struct td_certificate *out)
{
    struct td_cur c = body, list, count, der, ext;
    struct td_cert_info *certs;
    size_t n = 0, kept, i;

    memset(out, 0, sizeof *out);
    if (tls13) {
        struct td_cur ctx;
        if (!td_cur_vec(&c, 1, 0, 0xff, 1, &ctx))
            return td_parse_cur_fail(p, &c, "Certificate.certificate_request_context");
        out->context = td_parse_rest(&ctx);
    }
    if (!td_cur_vec(&c, 3, 0, 0xffffff, 1, &list)) {
        if (c.status == TD_CUR_TRUNCATED)
            check_cut_list(p, &list, tls13);
        return td_parse_cur_fail(p, &c, "Certificate.certificate_list");
    }
    if (td_cur_declared(&c))
        td_parse_fail(p, TD_ANOM_BAD_LENGTH, "Certificate: %zu bytes after certificate_list",
                      td_cur_declared(&c));
    count = list;
    while (td_cur_remaining(&count) && td_cur_vec(&count, 3, 1, 0xffffff, 1, &der)) {
        n++;
        if (tls13 && !td_cur_vec(&count, 2, 0, 0xffff, 1, &ext))
            break;
    }
    /* caps first: td_parse keeps the first failure's detail, and this one holds the total */
    td_parse_list_cap(p, n, TD_MAX_LISTED_CERTIFICATES, "certificates",
                      "Certificate.certificate_list");
    if (n > TD_MAX_CERTS_DECODED)
        td_parse_fail(p, TD_ANOM_LIMIT_REACHED,
                      "Certificate: %zu certificates; X.509 fields decoded for the first %d",
                      n, TD_MAX_CERTS_DECODED);
    kept = n < TD_MAX_LISTED_CERTIFICATES ? n : TD_MAX_LISTED_CERTIFICATES;
    certs = td_arena_alloc(p->arena, (kept ? kept : 1) * sizeof *certs);
    if (certs == NULL)
        return td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < n; i++) {
        td_cur_vec(&list, 3, 1, 0xffffff, 1, &der);
        if (tls13)
            td_cur_vec(&list, 2, 0, 0xffff, 1, &ext); /* the last may fail: reported below */
        if (i >= kept)
            continue;
        if (i < TD_MAX_CERTS_DECODED) {
            describe_cert(p, cache, td_cur_ptr(&der), td_cur_remaining(&der), &certs[i]);
            if (!certs[i].parsed)
                td_parse_fail(p, TD_ANOM_CERTIFICATE_UNPARSED,
                              "Certificate.certificate_list[%zu]: %zu bytes are not a DER X.509 certificate",
                              i, td_cur_remaining(&der));
            else
                report_san(p, i, &certs[i]);
        } else {
            hash_cert(p, td_cur_ptr(&der), td_cur_remaining(&der), &certs[i]);
        }
        certs[i].der = td_parse_rest(&der);
    }
    out->count = kept;
    out->omitted = n - kept;
    out->certs = certs;
    if (!td_cur_ok(&list))
        return td_parse_cur_fail(p, &list, "Certificate.certificate_list[%zu].extensions", n - 1);
    if (td_cur_remaining(&list)) {
        td_cur_vec(&list, 3, 1, 0xffffff, 1, &der);
        return td_parse_cur_fail(p, &list, "Certificate.certificate_list[%zu]", n);
    }
    return 0;
}

int td_parse_single_certificate(struct td_parse *p, const uint8_t *der, size_t len,
                                struct td_cert_cache *cache, struct td_certificate *out)
{
    /* frame it as certificate_list<0..2^24-1> of one ASN.1Cert<1..2^24-1> */
    uint8_t *list = len <= 0xffffff - 3 ? td_arena_alloc(p->arena, len + 6) : NULL;

    memset(out, 0, sizeof *out);
    if (list == NULL)
        return td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY, "no memory for a certificate of %zu bytes", len);
    for (int i = 0; i < 3; i++) {
        list[i] = (uint8_t)((len + 3) >> (16 - 8 * i));
        list[3 + i] = (uint8_t)(len >> (16 - 8 * i));
    }
    if (len)
        memcpy(list + 6, der, len);
    return td_parse_certificate(p, td_cur_make(list, len + 6), false, cache, out);
}
