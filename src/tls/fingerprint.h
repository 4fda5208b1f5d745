/*
 * fingerprint.h — client and server hello fingerprints: JA3 and JA3S
 * (https://github.com/salesforce/ja3: decimal fields, GREASE (RFC 8701)
 * removed, MD5) and JA4 (FoxIO JA4 specification, TLS over TCP).
 * Results are written into the parse arena and set on the hello.
 */
#ifndef TLSDISSECT_FINGERPRINT_H
#define TLSDISSECT_FINGERPRINT_H

#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"

/* transport: JA4's first character, 't' (TCP) or 'q' (QUIC). */
void td_fingerprint_client_hello(struct td_parse *p, struct td_client_hello *ch, char transport);
void td_fingerprint_server_hello(struct td_parse *p, struct td_server_hello *sh);

#endif
