/*
 * keyexchange.c — ServerKeyExchange / ClientKeyExchange (RFC 5246 §7.4.3,
 * §7.4.7.1-2; RFC 8422 §5.4, §5.7; RFC 4279 §2-4; RFC 4346 §7.4.3 export
 * RSA; RFC 6101 §5.6.8 for SSL 3.0's unprefixed RSA secret).
 *
 *   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
 *   struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>;
 *            opaque dh_Ys<1..2^16-1>; } ServerDHParams;
 *   digitally-signed struct { ... } signed_params;   -- algorithm from TLS 1.2
 */
#include "tlsdissect/keyexchange.h"

#include <string.h>

#include "tlsdissect/registry.h"

/*
 * The key exchange field of registry names (between "TLS_" and "_WITH_"):
 * a row matches the whole field, or its first words ("ECDHE" matches
 * "ECDHE_RSA" but not "ECDHE_PSK", which has its own earlier row).
 */
static const struct {
    const char *field;
    struct td_kex kex;
} kex_table[] = {
    {"ECDHE_PSK", {"ECDHE_PSK", TD_KEXP_PSK_ECDH, false}},
    {"DHE_PSK", {"DHE_PSK", TD_KEXP_PSK_DH, false}},
    {"RSA_PSK", {"RSA_PSK", TD_KEXP_PSK, false}},
    {"PSK", {"PSK", TD_KEXP_PSK, false}},
    {"ECDHE", {"ECDHE", TD_KEXP_ECDH, true}},
    {"ECDH_anon", {"ECDH_anon", TD_KEXP_ECDH, false}},
    {"ECDH", {"ECDH", TD_KEXP_NONE, false}},
    {"DHE", {"DHE", TD_KEXP_DH, true}},
    {"DH_anon", {"DH_anon", TD_KEXP_DH, false}},
    {"DH", {"DH", TD_KEXP_NONE, false}},
    {"RSA_EXPORT", {"RSA_EXPORT", TD_KEXP_RSA, true}},
    {"RSA_EXPORT1024", {"RSA_EXPORT", TD_KEXP_RSA, true}},
    {"RSA", {"RSA", TD_KEXP_NONE, false}},
    {"SRP_SHA", {"SRP", TD_KEXP_SRP, true}},
    {"KRB5", {"KRB5", TD_KEXP_NONE, false}},
    {"NULL", {"NULL", TD_KEXP_NONE, false}},
};

static bool field_matches(const char *field, size_t len, const char *row)
{
    size_t n = strlen(row);
    return len >= n && strncmp(field, row, n) == 0 && (len == n || field[n] == '_');
}

struct td_kex td_kex_of_suite(uint16_t cipher_suite)
{
    struct td_kex unknown = {NULL, TD_KEXP_UNKNOWN, false};
    const char *name = td_registry_lookup(TD_REG_CIPHER_SUITES, cipher_suite);
    const char *with;

    if (name == NULL || strncmp(name, "TLS_", 4) != 0)
        return unknown;
    with = strstr(name, "_WITH_");
    if (with == NULL)
        return unknown; /* TLS 1.3 suites name no key exchange */
    name += 4;
    for (size_t i = 0; i < sizeof kex_table / sizeof kex_table[0]; i++)
        if (field_matches(name, (size_t)(with - name), kex_table[i].field))
            return kex_table[i].kex;
    return unknown;
}

static int bits_of(const struct td_cur *v)
{
    const uint8_t *p = td_cur_ptr(v);
    size_t n = td_cur_remaining(v), i = 0;
    while (i < n && p[i] == 0)
        i++;
    if (i == n)
        return 0;
    int bits = (int)(n - i - 1) * 8;
    for (uint8_t b = p[i]; b; b >>= 1)
        bits++;
    return bits;
}

static int read_ecdh_params(struct td_parse *p, struct td_cur *c, struct td_server_key_exchange *out)
{
    uint8_t curve_type;
    struct td_cur point;
    if (!td_cur_u8(c, &curve_type))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.curve_type");
    if (curve_type != 3) /* named_curve; explicit curves are deprecated (RFC 8422 §5.4) */
        return td_parse_fail(p, TD_ANOM_BAD_LENGTH,
                             "ServerKeyExchange.curve_type: %u is not named_curve", curve_type);
    if (!td_cur_u16(c, &out->group))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.namedcurve");
    out->has_group = true;
    if (!td_cur_vec(c, 1, 1, 0xff, 1, &point))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.public");
    out->public_key_bytes = td_cur_remaining(&point);
    return 0;
}

static int read_dh_params(struct td_parse *p, struct td_cur *c, struct td_server_key_exchange *out)
{
    struct td_cur prime, gen, ys;
    if (!td_cur_vec(c, 2, 1, 0xffff, 1, &prime))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.dh_p");
    if (!td_cur_vec(c, 2, 1, 0xffff, 1, &gen))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.dh_g");
    if (!td_cur_vec(c, 2, 1, 0xffff, 1, &ys))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.dh_Ys");
    out->dh_prime_bits = bits_of(&prime);
    out->public_key_bytes = td_cur_remaining(&ys);
    return 0;
}

static int read_psk_hint(struct td_parse *p, struct td_cur *c)
{
    struct td_cur hint;
    if (!td_cur_vec(c, 2, 0, 0xffff, 1, &hint))
        return td_parse_cur_fail(p, c, "ServerKeyExchange.psk_identity_hint");
    return 0;
}

int td_parse_server_key_exchange(struct td_parse *p, struct td_cur body, const struct td_kex *kex,
                                 uint16_t version, struct td_server_key_exchange *out)
{
    struct td_cur c = body, sig;
    int rc = 0;

    memset(out, 0, sizeof *out);
    out->kex = kex->name;
    switch (kex->params) {
    case TD_KEXP_ECDH:
        rc = read_ecdh_params(p, &c, out);
        break;
    case TD_KEXP_DH:
        rc = read_dh_params(p, &c, out);
        break;
    case TD_KEXP_RSA: {
        struct td_cur mod, exp;
        if (!td_cur_vec(&c, 2, 1, 0xffff, 1, &mod) || !td_cur_vec(&c, 2, 1, 0xffff, 1, &exp))
            return td_parse_cur_fail(p, &c, "ServerKeyExchange.rsa_params");
        out->public_key_bytes = td_cur_remaining(&mod);
        break;
    }
    case TD_KEXP_PSK:
        rc = read_psk_hint(p, &c);
        break;
    case TD_KEXP_PSK_DH:
        rc = read_psk_hint(p, &c) || read_dh_params(p, &c, out) ? -1 : 0;
        break;
    case TD_KEXP_PSK_ECDH:
        rc = read_psk_hint(p, &c) || read_ecdh_params(p, &c, out) ? -1 : 0;
        break;
    default:
        return 0; /* not a key exchange we can read: the message is listed, not parsed */
    }
    if (rc != 0)
        return -1;
    out->params_parsed = true;
    if (kex->signed_params) {
        if (version >= 0x0303 && version != 0x0002 && version < 0xfe00) {
            if (!td_cur_u16(&c, &out->signature_algorithm))
                return td_parse_cur_fail(p, &c, "ServerKeyExchange.signature.algorithm");
            out->has_signature_algorithm = true;
        }
        if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &sig))
            return td_parse_cur_fail(p, &c, "ServerKeyExchange.signature");
    }
    if (td_cur_declared(&c))
        td_parse_fail(p, TD_ANOM_BAD_LENGTH, "ServerKeyExchange: %zu bytes after the signature",
                      td_cur_declared(&c));
    return 0;
}

int td_parse_client_key_exchange(struct td_parse *p, struct td_cur body, const struct td_kex *kex,
                                 uint16_t version, struct td_client_key_exchange *out)
{
    struct td_cur c = body, v;

    memset(out, 0, sizeof *out);
    out->kex = kex->name;
    out->length = td_cur_declared(&c);
    switch (kex->params) {
    case TD_KEXP_NONE:
        if (kex->name && strcmp(kex->name, "RSA") == 0 && version != 0x0300) {
            /* EncryptedPreMasterSecret<0..2^16-1>; SSL 3.0 sends it bare */
            if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v))
                return td_parse_cur_fail(p, &c, "ClientKeyExchange.exchange_keys");
            out->length = td_cur_remaining(&v);
        }
        break;
    case TD_KEXP_DH:
        if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v))
            return td_parse_cur_fail(p, &c, "ClientKeyExchange.dh_Yc");
        out->length = td_cur_remaining(&v);
        break;
    case TD_KEXP_ECDH:
        if (!td_cur_vec(&c, 1, 0, 0xff, 1, &v))
            return td_parse_cur_fail(p, &c, "ClientKeyExchange.ecdh_Yc");
        out->length = td_cur_remaining(&v);
        break;
    case TD_KEXP_PSK:
        if (!td_cur_vec(&c, 2, 0, 0xffff, 1, &v))
            return td_parse_cur_fail(p, &c, "ClientKeyExchange.psk_identity");
        out->length = td_cur_declared(&c); /* RSA_PSK: the encrypted secret follows */
        break;
    default:
        return 0;
    }
    return 0;
}
