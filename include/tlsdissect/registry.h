/*
 * registry.h — names of TLS code points, from the IANA TLS registries
 * (RFC 8447; tables generated from the CSV files in tools/iana by tools/gen-registry.py),
 * and what a cipher suite implies (td_suite_info).  The code point constants
 * themselves (TD_EXT_KEY_SHARE, ...) are in the generated codepoints.h.
 *
 * A code point with no name (GREASE, RFC 8701; unassigned; private use) is
 * written as lowercase hex: "0x0a0a" in two-byte registries, "0xff" in
 * one-byte ones.
 */
#ifndef TLSDISSECT_REGISTRY_H
#define TLSDISSECT_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

enum td_registry {
    TD_REG_CIPHER_SUITES,
    TD_REG_EXTENSIONS,
    TD_REG_SUPPORTED_GROUPS,
    TD_REG_SIGNATURE_SCHEMES,
    TD_REG_VERSIONS,
    TD_REG_ALERTS,
    TD_REG_HANDSHAKE_TYPES,
    TD_REG_CONTENT_TYPES,
    TD_REG_COMPRESSION_METHODS,
    TD_REG_EC_POINT_FORMATS,
    TD_REG_PSK_MODES,
    TD_REG_CERTIFICATE_TYPES,
    TD_REG_CERT_COMPRESSION,
    TD_REG_ALERT_LEVELS,
    TD_REG_CERT_STATUS_TYPES,
    TD_REG_EC_CURVE_TYPES,
    TD_REG_COUNT
};

/* Enough for "0xffff" and its NUL. */
#define TD_REG_NAME_BUF 8

/* The registry name of value, or NULL when it has none. */
const char *td_registry_lookup(enum td_registry reg, uint16_t value);

/*
 * The registry name of value, or its hex form written into buf.
 * The result is either a static string or buf.
 */
const char *td_registry_name(enum td_registry reg, uint16_t value, char buf[TD_REG_NAME_BUF]);

/* The code point a name stands for (reverse lookup, linear). */
bool td_registry_value(enum td_registry reg, const char *name, uint16_t *value);

/*
 * What a cipher suite implies, as columns of the generated suite table
 * (tools/gen-registry.py derives them from the registry names with checked
 * rules; see tools/iana/README.md).
 */

/* The key exchange (RFC 5246 §7.4.3, RFC 8422, RFC 4279, RFC 5489, RFC 5054, RFC 2712). */
enum td_suite_kex {
    TD_SUITE_KEX_NULL,       /* TLS_NULL_WITH_NULL_NULL: no key exchange */
    TD_SUITE_KEX_RSA,
    TD_SUITE_KEX_RSA_EXPORT, /* ServerRSAParams (RFC 4346 App. A.5) */
    TD_SUITE_KEX_DH,         /* static DH, DH_DSS / DH_RSA */
    TD_SUITE_KEX_DHE,
    TD_SUITE_KEX_DH_ANON,
    TD_SUITE_KEX_ECDH,       /* static ECDH, ECDH_ECDSA / ECDH_RSA */
    TD_SUITE_KEX_ECDHE,
    TD_SUITE_KEX_ECDH_ANON,
    TD_SUITE_KEX_PSK,
    TD_SUITE_KEX_DHE_PSK,
    TD_SUITE_KEX_RSA_PSK,
    TD_SUITE_KEX_ECDHE_PSK,
    TD_SUITE_KEX_SRP,
    TD_SUITE_KEX_KRB5,
    TD_SUITE_KEX_TLS13,      /* TLS 1.3: key_share and pre_shared_key decide (RFC 8446 §4.2) */
    TD_SUITE_KEX_SIGNALING,  /* an SCSV (RFC 5746, RFC 7507): never negotiated */
    TD_SUITE_KEX_OTHER,      /* one this dissector does not read (GOST, GM/T 0024, ECCPWD, ...) */
};

/* How the server is authenticated. */
enum td_suite_auth {
    TD_SUITE_AUTH_NULL,      /* nothing: TLS_NULL_WITH_NULL_NULL, SCSVs */
    TD_SUITE_AUTH_ANON,
    TD_SUITE_AUTH_RSA,
    TD_SUITE_AUTH_DSS,
    TD_SUITE_AUTH_ECDSA,
    TD_SUITE_AUTH_PSK,
    TD_SUITE_AUTH_SRP,
    TD_SUITE_AUTH_KRB5,
    TD_SUITE_AUTH_TLS13,     /* TLS 1.3: signature_algorithms or a PSK decide */
    TD_SUITE_AUTH_OTHER,
};

/* How records are protected. */
enum td_suite_cipher {
    TD_SUITE_CIPHER_NULL,           /* no encryption: a MAC only, or nothing */
    TD_SUITE_CIPHER_STREAM,         /* stream cipher and MAC */
    TD_SUITE_CIPHER_CBC,            /* block cipher in CBC mode and MAC */
    TD_SUITE_CIPHER_AEAD,           /* an AEAD: nonce and tag, no MAC */
    TD_SUITE_CIPHER_INTEGRITY_ONLY, /* RFC 9150: HMAC as the tag, no encryption */
};

enum td_suite_hash {
    TD_SUITE_HASH_NONE,
    TD_SUITE_HASH_MD5,
    TD_SUITE_HASH_SHA1,
    TD_SUITE_HASH_SHA256,
    TD_SUITE_HASH_SHA384,
    TD_SUITE_HASH_SM3,          /* RFC 8998 */
    TD_SUITE_HASH_GOSTR3411_94, /* draft-chudov-cryptopro-cptls */
    TD_SUITE_HASH_STREEBOG_256, /* GOST R 34.11-2012, RFC 9189, RFC 9367 */
};

struct td_suite_info {
    uint16_t value;
    enum td_suite_kex kex;
    enum td_suite_auth auth;
    enum td_suite_cipher cipher;
    /* TLS 1.3: the HKDF and transcript hash; earlier suites: the TLS 1.2 PRF
     * hash (RFC 5246 §5: SHA-256 unless the suite names SHA-384, RFC 5288 §3,
     * RFC 5289 §3).  TLS 1.0 and 1.1 use MD5 and SHA-1 whatever the suite. */
    enum td_suite_hash prf_hash;
    uint8_t prf_hash_len;   /* bytes; 0 with TD_SUITE_HASH_NONE */
    uint8_t tag_len;        /* AEAD (or RFC 9150 HMAC) tag per record; 0 for MAC suites */
    uint8_t mac_len;        /* MAC per record of stream, CBC and NULL suites; 0 for AEADs */
    bool tls13;             /* a TLS 1.3 suite, of no use in earlier versions */
};

/* The properties of a registered cipher suite, or NULL (GREASE, unassigned). */
const struct td_suite_info *td_suite_info(uint16_t suite);

/* RFC 8701 GREASE values: 0x?a?a with both bytes equal. */
static inline bool td_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#endif
