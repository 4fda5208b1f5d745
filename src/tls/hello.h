/*
 * hello.h — ClientHello and ServerHello/HelloRetryRequest parsers
 * (RFC 8446 §4.1.2-4.1.4, RFC 5246 §7.4.1.2-7.4.1.3, RFC 5246 Appendix E.2
 * for the SSLv2-compatible CLIENT-HELLO) and their extensions (RFC 8446
 * §4.2, RFC 6066, RFC 7301, RFC 8422, RFC 5077).
 *
 * Parsers fill the model from a message body; lists live in the parse arena.
 * Return 0 when the fixed fields were read (extension problems are recorded
 * in the parse and parsing continues with the next extension), -1 when not.
 */
#ifndef TLSDISSECT_HELLO_H
#define TLSDISSECT_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/model.h"
#include "tlsdissect/parse.h"

/*
 * The message parsers take a cursor over the message body: td_cur_make for a
 * whole message, td_cur_make_partial when the capture cut it (parse.h says
 * what a read past the captured end means).
 */
int td_parse_client_hello(struct td_parse *p, struct td_cur body, struct td_client_hello *ch);
/* DTLS (RFC 6347 §4.2.1): the ClientHello with its cookie after the session ID. */
int td_parse_dtls_client_hello(struct td_parse *p, struct td_cur body, struct td_client_hello *ch);
int td_parse_hello_verify_request(struct td_parse *p, struct td_cur body,
                                  struct td_hello_verify_request *hvr);

/* Also recognises a HelloRetryRequest by its special random (RFC 8446 §4.1.3). */
int td_parse_server_hello(struct td_parse *p, struct td_cur body, struct td_server_hello *sh,
                          bool *is_hrr);

/* Extensions (extensions.c), called by the hello parsers on the extensions vector. */
void td_parse_client_extensions(struct td_parse *p, struct td_cur *exts, struct td_client_hello *ch);
void td_parse_server_extensions(struct td_parse *p, struct td_cur *exts, struct td_server_hello *sh,
                                bool is_hrr);

/* EncryptedExtensions (RFC 8446 §4.3.1), read by the same extension table. */
int td_parse_encrypted_extensions(struct td_parse *p, struct td_cur body,
                                  struct td_encrypted_extensions *ee);

#endif
