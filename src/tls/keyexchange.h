/*
 * keyexchange.h — ServerKeyExchange and ClientKeyExchange (RFC 5246
 * §7.4.3, §7.4.7; RFC 8422 §5.4, §5.7; RFC 4279 §2-4; RFC 4346 export RSA),
 * and the key exchange a cipher suite implies (the kex column of the
 * generated suite table, registry.h).
 */
#ifndef TLSDISSECT_KEYEXCHANGE_H
#define TLSDISSECT_KEYEXCHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"
#include "tlsdissect/registry.h"

enum td_kex_params {
    TD_KEXP_NONE,      /* no ServerKeyExchange expected (RSA, static DH/ECDH) */
    TD_KEXP_ECDH,      /* ServerECDHParams */
    TD_KEXP_DH,        /* ServerDHParams */
    TD_KEXP_RSA,       /* ServerRSAParams (export) */
    TD_KEXP_PSK,       /* psk_identity_hint only */
    TD_KEXP_PSK_DH,    /* hint, then DH params */
    TD_KEXP_PSK_ECDH,  /* hint, then ECDH params */
    TD_KEXP_SRP,
    TD_KEXP_UNKNOWN,
};

struct td_kex {
    const char *name;          /* "ECDHE", "DHE", "RSA", ... ; NULL for TLS 1.3 suites */
    enum td_kex_params params;
    bool signed_params;        /* ServerKeyExchange carries a signature */
    enum td_suite_kex kind;    /* the suite table's; TD_SUITE_KEX_OTHER for unregistered suites */
};

/* The key exchange of a cipher suite: name NULL and TD_KEXP_UNKNOWN for
 * unregistered suites, TLS 1.3 suites, SCSVs and key exchanges not read here. */
struct td_kex td_kex_of_suite(uint16_t cipher_suite);

/* version: the negotiated version (signature algorithm field from TLS 1.2). */
int td_parse_server_key_exchange(struct td_parse *p, struct td_cur body, const struct td_kex *kex,
                                 uint16_t version, struct td_server_key_exchange *out);

int td_parse_client_key_exchange(struct td_parse *p, struct td_cur body, const struct td_kex *kex,
                                 uint16_t version, struct td_client_key_exchange *out);

#endif
