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
#include "tls/keyexchange.h"

#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/registry.h"

/*
 * What each key exchange of the suite table (registry.h) puts in
 * ServerKeyExchange, and the name the output gives it.  Export and
 * authentication variants share a row (DHE_DSS_EXPORT reads as DHE);
 * key exchanges this dissector does not read have no row.
 */
static const struct td_kex kex_by_kind[] = {
    [TD_SUITE_KEX_NULL] = {"NULL", TD_KEXP_NONE, false, TD_SUITE_KEX_NULL},
    [TD_SUITE_KEX_RSA] = {"RSA", TD_KEXP_NONE, false, TD_SUITE_KEX_RSA},
    [TD_SUITE_KEX_RSA_EXPORT] = {"RSA_EXPORT", TD_KEXP_RSA, true, TD_SUITE_KEX_RSA_EXPORT},
    [TD_SUITE_KEX_DH] = {"DH", TD_KEXP_NONE, false, TD_SUITE_KEX_DH},
    [TD_SUITE_KEX_DHE] = {"DHE", TD_KEXP_DH, true, TD_SUITE_KEX_DHE},
    [TD_SUITE_KEX_DH_ANON] = {"DH_anon", TD_KEXP_DH, false, TD_SUITE_KEX_DH_ANON},
    [TD_SUITE_KEX_ECDH] = {"ECDH", TD_KEXP_NONE, false, TD_SUITE_KEX_ECDH},
    [TD_SUITE_KEX_ECDHE] = {"ECDHE", TD_KEXP_ECDH, true, TD_SUITE_KEX_ECDHE},
    [TD_SUITE_KEX_ECDH_ANON] = {"ECDH_anon", TD_KEXP_ECDH, false, TD_SUITE_KEX_ECDH_ANON},
    [TD_SUITE_KEX_PSK] = {"PSK", TD_KEXP_PSK, false, TD_SUITE_KEX_PSK},
    [TD_SUITE_KEX_DHE_PSK] = {"DHE_PSK", TD_KEXP_PSK_DH, false, TD_SUITE_KEX_DHE_PSK},
    [TD_SUITE_KEX_RSA_PSK] = {"RSA_PSK", TD_KEXP_PSK, false, TD_SUITE_KEX_RSA_PSK},
    [TD_SUITE_KEX_ECDHE_PSK] = {"ECDHE_PSK", TD_KEXP_PSK_ECDH, false, TD_SUITE_KEX_ECDHE_PSK},
    [TD_SUITE_KEX_SRP] = {"SRP", TD_KEXP_SRP, true, TD_SUITE_KEX_SRP},
    [TD_SUITE_KEX_KRB5] = {"KRB5", TD_KEXP_NONE, false, TD_SUITE_KEX_KRB5},
};

struct td_kex td_kex_of_suite(uint16_t cipher_suite)
{
    const struct td_suite_info *info = td_suite_info(cipher_suite);

    enum td_suite_kex kind = info ? info->kex : TD_SUITE_KEX_OTHER;

    if ((size_t)kind >= sizeof kex_by_kind / sizeof kex_by_kind[0] || kex_by_kind[kind].name == NULL)
        return (struct td_kex){NULL, TD_KEXP_UNKNOWN, false, kind};
    return kex_by_kind[kind];
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
    if (curve_type != TD_EC_CURVE_TYPE_NAMED_CURVE) /* explicit curves are deprecated (RFC 8422 §5.4) */
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
        if (version >= TD_VERSION_TLS_1_2 && version != TD_VERSION_SSL_2_0 && version < 0xfe00) {
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
        if (kex->kind == TD_SUITE_KEX_RSA && version != TD_VERSION_SSL_3_0) {
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
