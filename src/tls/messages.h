/*
 * messages.h — parsers of the smaller handshake messages and the alert:
 * CertificateRequest (RFC 5246 §7.4.4, RFC 8446 §4.3.2), CertificateVerify
 * (RFC 5246 §7.4.8, RFC 8446 §4.4.3), NewSessionTicket (RFC 5077 §3.3,
 * RFC 8446 §4.6.1), CertificateStatus (RFC 6066 §8), KeyUpdate (RFC 8446
 * §4.6.3) and Alert (RFC 5246 §7.2).
 *
 * `tls13` selects the TLS 1.3 form where the two differ.
 */
#ifndef TLSDISSECT_MESSAGES_H
#define TLSDISSECT_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"

int td_parse_certificate_request(struct td_parse *p, struct td_cur body, bool tls12, bool tls13,
                                 struct td_certificate_request *out);
int td_parse_certificate_verify(struct td_parse *p, struct td_cur body, bool tls12,
                                struct td_certificate_verify *out);
int td_parse_new_session_ticket(struct td_parse *p, struct td_cur body, bool tls13,
                                struct td_new_session_ticket *out);
int td_parse_certificate_status(struct td_parse *p, struct td_cur body,
                                struct td_certificate_status *out);
int td_parse_key_update(struct td_parse *p, struct td_cur body, uint8_t *request);
int td_parse_alert(struct td_parse *p, const uint8_t *body, size_t len, struct td_alert *out);

#endif
