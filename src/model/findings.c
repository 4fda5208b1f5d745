/*
 * findings.c — the findings of a connection (docs/findings.md), decided
 * from its summary and the evidence the session noted (struct
 * td_conn_record).  One table: each code, the source of its rule and its
 * test; the tests read small data tables (versions, cipher names, key
 * exchanges, curves) rather than scattered conditions.  Sources:
 * RFC 8996 (TLS 1.0/1.1), RFC 7568 (SSL 3.0), RFC 6176 (SSL 2.0), RFC 7465
 * (RC4), RFC 7457 and RFC 9325 (compression, renegotiation), RFC 5746,
 * RFC 7507, RFC 6520; Mozilla server-side TLS guidelines v5.7; BSI
 * TR-02102-2 (2024-01).
 */
#include "tlsdissect/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/registry.h"

struct reason {
    char *buf;
    size_t size;
    size_t len;
};

/* Append a clause to the reason ("; " between clauses); false leaves nothing to say. */
__attribute__((format(printf, 2, 3))) static void say(struct reason *r, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (r->len && r->len + 2 < r->size) {
        memcpy(r->buf + r->len, "; ", 3);
        r->len += 2;
    }
    if (r->len >= r->size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(r->buf + r->len, r->size - r->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->len = (size_t)n < r->size - r->len ? r->len + (size_t)n : r->size - 1;
}

static bool tls13_or_later(uint16_t v)
{
    return v == TD_VERSION_TLS_1_3 || v == TD_VERSION_DTLS_1_3;
}

/* ---- the data the tests read -------------------------------------------- */

static const struct {
    uint16_t version;
    const char *source;
} deprecated_versions[] = {
    {TD_VERSION_SSL_2_0, "RFC 6176"}, {TD_VERSION_SSL_3_0, "RFC 7568"},
    {TD_VERSION_TLS_1_0, "RFC 8996"}, {TD_VERSION_TLS_1_1, "RFC 8996"},
    {TD_VERSION_DTLS_1_0, "RFC 8996"},
};

/* IANA suite names spell their algorithms: the first part that matches names the weakness. */
static const struct {
    const char *part;
    const char *why;
} weak_cipher_parts[] = {
    {"_NULL_", "no encryption"},
    {"_anon_", "anonymous: the server is not authenticated"},
    {"_EXPORT", "export grade (40/56-bit)"},
    {"_RC4_", "RC4 (RFC 7465)"},
    {"_RC2_", "RC2"},
    {"_DES40_", "40-bit DES"},
    {"_DES_", "single DES (56-bit)"},
    {"_3DES_", "3DES: 64-bit blocks (Sweet32)"},
};

static const struct {
    enum td_suite_kex kex;
    const char *what;
} static_key_exchanges[] = {
    {TD_SUITE_KEX_RSA, "static RSA key exchange"},
    {TD_SUITE_KEX_DH, "static DH key exchange"},
    {TD_SUITE_KEX_ECDH, "static ECDH key exchange"},
    {TD_SUITE_KEX_PSK, "pre-shared key without Diffie-Hellman"},
    {TD_SUITE_KEX_RSA_PSK, "RSA-encrypted pre-shared key"},
    {TD_SUITE_KEX_KRB5, "Kerberos key exchange"},
};

/* Named curves below 224 bits (RFC 8422 §5.1.1, deprecated; BSI TR-02102-2). */
static const struct {
    uint16_t group;
    int bits;
} small_curves[] = {
    {1, 163}, {2, 163}, {3, 163}, {4, 193}, {5, 193},
    {15, 160}, {16, 160}, {17, 160}, {18, 192}, {19, 192},
};

#define MIN_RSA_BITS 2048 /* RSA and DSA; Mozilla intermediate, BSI TR-02102-2 */
#define MIN_DH_BITS 2048
#define MIN_EC_BITS 224

/* The validation's problems, as findings. */
static const struct {
    enum td_cert_problem problem;
    enum td_finding finding;
    const char *why;
} cert_problems[] = {
    {TD_CERT_EXPIRED, TD_FINDING_CERT_EXPIRED, "a certificate of the server chain has expired"},
    {TD_CERT_NOT_YET_VALID, TD_FINDING_CERT_NOT_YET_VALID,
     "a certificate of the server chain is not valid yet"},
    {TD_CERT_SELF_SIGNED, TD_FINDING_CERT_SELF_SIGNED, "the server certificate is self-signed"},
    {TD_CERT_UNTRUSTED, TD_FINDING_CERT_UNTRUSTED,
     "the server chain does not lead to a trusted root"},
    {TD_CERT_BAD_SIGNATURE, TD_FINDING_CERT_UNTRUSTED,
     "a signature in the server chain does not verify"},
    {TD_CERT_NAME_MISMATCH, TD_FINDING_CERT_NAME_MISMATCH,
     "the server certificate does not name the SNI"},
};

/* ---- the tests: each says why in r, or leaves it empty ------------------- */

static void deprecated_version(const struct td_conn_summary *s, struct reason *r)
{
    char b[TD_REG_NAME_BUF];
    for (size_t i = 0; s->has_version && i < sizeof deprecated_versions / sizeof *deprecated_versions; i++)
        if (s->version == deprecated_versions[i].version)
            say(r, "%s negotiated (%s)", td_registry_name(TD_REG_VERSIONS, s->version, b),
                deprecated_versions[i].source);
}

static void weak_cipher(const struct td_conn_summary *s, struct reason *r)
{
    char b[TD_REG_NAME_BUF];
    const struct td_suite_info *info;
    const char *name;
    if (!s->has_cipher_suite)
        return;
    name = td_registry_name(TD_REG_CIPHER_SUITES, s->cipher_suite, b);
    info = td_suite_info(s->cipher_suite);
    if (info && (info->cipher == TD_SUITE_CIPHER_NULL || info->cipher == TD_SUITE_CIPHER_INTEGRITY_ONLY)) {
        say(r, "%s: no encryption", name);
        return;
    }
    for (size_t i = 0; i < sizeof weak_cipher_parts / sizeof *weak_cipher_parts; i++)
        if (strstr(name, weak_cipher_parts[i].part)) {
            say(r, "%s: %s", name, weak_cipher_parts[i].why);
            return;
        }
}

static void no_forward_secrecy(const struct td_conn_summary *s, struct reason *r)
{
    char b[TD_REG_NAME_BUF];
    const struct td_suite_info *info = s->has_cipher_suite ? td_suite_info(s->cipher_suite) : NULL;
    for (size_t i = 0; info && i < sizeof static_key_exchanges / sizeof *static_key_exchanges; i++)
        if (info->kex == static_key_exchanges[i].kex)
            say(r, "%s: %s", td_registry_name(TD_REG_CIPHER_SUITES, s->cipher_suite, b),
                static_key_exchanges[i].what);
    if (s->record.psk_without_dhe)
        say(r, "TLS 1.3 resumption in psk_ke mode: the pre-shared key without (EC)DHE");
}

static void weak_key(const struct td_conn_summary *s, struct reason *r)
{
    const struct td_conn_record *k = &s->record;
    char b[TD_REG_NAME_BUF];
    if (k->weakest_rsa_bits && k->weakest_rsa_bits < MIN_RSA_BITS)
        say(r, "server certificate %d has a %d-bit RSA/DSA key (< %d)", k->weakest_rsa_cert,
            k->weakest_rsa_bits, MIN_RSA_BITS);
    if (k->weakest_ec_bits && k->weakest_ec_bits < MIN_EC_BITS)
        say(r, "server certificate %d has a %d-bit EC key (< %d)", k->weakest_ec_cert,
            k->weakest_ec_bits, MIN_EC_BITS);
    if (k->dh_prime_bits && k->dh_prime_bits < MIN_DH_BITS)
        say(r, "the server's DHE group has a %d-bit prime (< %d)", k->dh_prime_bits, MIN_DH_BITS);
    for (size_t i = 0; k->has_group && i < sizeof small_curves / sizeof *small_curves; i++)
        if (k->group == small_curves[i].group)
            say(r, "key exchange on %s, a %d-bit curve (< %d)",
                td_registry_name(TD_REG_SUPPORTED_GROUPS, k->group, b), small_curves[i].bits,
                MIN_EC_BITS);
}

static void sha1_signature(const struct td_conn_summary *s, struct reason *r)
{
    if (s->record.sha1_signed_cert)
        say(r, "server certificate %d is signed with SHA-1", s->record.sha1_signed_cert - 1);
}

/* One test for the five certificate codes: the table above maps the validation's problems. */
static void cert_problem(const struct td_conn_summary *s, enum td_finding f, struct reason *r)
{
    for (size_t i = 0; s->validation.done && i < sizeof cert_problems / sizeof *cert_problems; i++)
        if (cert_problems[i].finding == f && (s->validation.problems >> cert_problems[i].problem & 1))
            say(r, "%s", cert_problems[i].why);
}

static void insecure_renegotiation(const struct td_conn_summary *s, struct reason *r)
{
    const struct td_conn_record *k = &s->record;
    if (!s->has_version || tls13_or_later(s->version) || s->version == TD_VERSION_SSL_2_0)
        return; /* TLS 1.3 has no renegotiation; SSL 2.0 is deprecated_version */
    if (k->has_client_suites && !k->client_secure_renegotiation)
        say(r, "the client sent neither renegotiation_info nor its SCSV");
    if (!k->server_secure_renegotiation)
        say(r, "the ServerHello has no renegotiation_info (RFC 5746)");
}

static void fallback_scsv(const struct td_conn_summary *s, struct reason *r)
{
    if (s->record.fallback_scsv)
        say(r, "the client sent TLS_FALLBACK_SCSV: this is a retry at a lower version after a "
               "failed handshake (RFC 7507)");
}

static void compression(const struct td_conn_summary *s, struct reason *r)
{
    char b[TD_REG_NAME_BUF];
    if (s->has_version && !tls13_or_later(s->version) && s->record.compression_method != 0)
        say(r, "the ServerHello selected %s compression",
            td_registry_name(TD_REG_COMPRESSION_METHODS, s->record.compression_method, b));
}

static void heartbeat(const struct td_conn_summary *s, struct reason *r)
{
    const bool *hb = s->record.heartbeat;
    if (hb[TD_CLIENT] || hb[TD_SERVER])
        say(r, "the heartbeat extension was offered by %s",
            hb[TD_CLIENT] && hb[TD_SERVER] ? "both sides" : hb[TD_CLIENT] ? "the client" : "the server");
}

/* ---- the table ------------------------------------------------------------ */

static const struct {
    const char *name;
    const char *source;
    void (*test)(const struct td_conn_summary *s, struct reason *r);
} table[TD_FINDINGS] = {
    [TD_FINDING_DEPRECATED_VERSION] = {"deprecated_version", "RFC 8996, RFC 7568, RFC 6176",
                                       deprecated_version},
    [TD_FINDING_WEAK_CIPHER] = {"weak_cipher", "RFC 7465, RFC 9325 §4.1, Mozilla intermediate",
                                weak_cipher},
    [TD_FINDING_NO_FORWARD_SECRECY] = {"no_forward_secrecy", "RFC 9325 §4.1, BSI TR-02102-2",
                                       no_forward_secrecy},
    [TD_FINDING_WEAK_KEY] = {"weak_key", "Mozilla intermediate, BSI TR-02102-2", weak_key},
    [TD_FINDING_SHA1_SIGNATURE] = {"sha1_signature", "CA/Browser Forum BR §7.1.3, Mozilla",
                                   sha1_signature},
    [TD_FINDING_CERT_EXPIRED] = {"cert_expired", "RFC 5280 §6.1.3", NULL},
    [TD_FINDING_CERT_NOT_YET_VALID] = {"cert_not_yet_valid", "RFC 5280 §6.1.3", NULL},
    [TD_FINDING_CERT_SELF_SIGNED] = {"cert_self_signed", "RFC 5280 §6.1", NULL},
    [TD_FINDING_CERT_UNTRUSTED] = {"cert_untrusted", "RFC 5280 §6.1", NULL},
    [TD_FINDING_CERT_NAME_MISMATCH] = {"cert_name_mismatch", "RFC 6125 §6, RFC 9525", NULL},
    [TD_FINDING_INSECURE_RENEGOTIATION] = {"insecure_renegotiation", "RFC 5746, RFC 9325 §3.5",
                                           insecure_renegotiation},
    [TD_FINDING_FALLBACK_SCSV] = {"fallback_scsv", "RFC 7507", fallback_scsv},
    [TD_FINDING_COMPRESSION] = {"compression", "RFC 7457 §2.6 (CRIME), RFC 9325 §3.3", compression},
    [TD_FINDING_HEARTBEAT] = {"heartbeat", "RFC 6520, CVE-2014-0160, BSI TR-02102-2", heartbeat},
};

const char *td_finding_name(enum td_finding f)
{
    return (unsigned)f < TD_FINDINGS ? table[f].name : NULL;
}

const char *td_finding_source(enum td_finding f)
{
    return (unsigned)f < TD_FINDINGS ? table[f].source : NULL;
}

void td_findings_decide(const struct td_conn_summary *s, struct td_findings *out)
{
    out->count = 0;
    for (int f = 0; f < TD_FINDINGS; f++) {
        struct td_finding_seen *seen = &out->list[out->count];
        struct reason r = {seen->reason, sizeof seen->reason, 0};
        seen->reason[0] = '\0';
        if (table[f].test)
            table[f].test(s, &r);
        else
            cert_problem(s, (enum td_finding)f, &r);
        if (r.len) {
            seen->code = (enum td_finding)f;
            out->count++;
        }
    }
}
