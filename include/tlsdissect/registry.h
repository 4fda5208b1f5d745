/*
 * registry.h — names of TLS code points, from the IANA TLS registries
 * (RFC 8447; tables generated from the CSV files in tools/iana by tools/gen-registry.py).
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

/* RFC 8701 GREASE values: 0x?a?a with both bytes equal. */
static inline bool td_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#endif
