/*
 * validate.h — server certificate chain validation (RFC 5280 §6 path
 * validation by libcrypto's X509_verify_cert, RFC 6125 / RFC 9525 name
 * checks by X509_check_host), at the time the capture was taken.
 *
 * The trust store is the system's (OpenSSL's default paths) or the files
 * given; a trusted certificate need not be self-signed (partial chains), so
 * trusting an intermediate works.  Verdicts are cached per chain (not per
 * name) while the time lies inside every certificate's validity period; the
 * name is checked on every call against the cached leaf.
 */
#ifndef TLSDISSECT_VALIDATE_H
#define TLSDISSECT_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/keyed_hash.h"
#include "tlsdissect/model.h"

struct td_validator;

/*
 * ca_file / ca_path: PEM trust anchors (either may be NULL; both NULL means
 * the system store, loaded when the first chain is verified).  key: the run's table key (keyed_hash.h), for the
 * cache.  NULL on failure, with a one-line reason in err.
 */
struct td_validator *td_validator_new(const char *ca_file, const char *ca_path,
                                      const struct td_hash_key *key, char *err, size_t errlen);
void td_validator_free(struct td_validator *v);

/*
 * The most certificates given to the verifier: a real chain is a leaf, one
 * or two intermediates and perhaps a root (RFC 8446 §4.4.2 lets servers
 * omit the root); 10 leaves room for cross-signed paths.  Path building
 * searches the whole untrusted list at each step, so thousands of
 * certificates would cost seconds.
 */
#define TD_VALIDATE_MAX_CERTS 10

/*
 * Validate a server's chain (leaf first, as sent) for the name the client
 * asked for (sni may be NULL: no name check) at `when` (seconds since the
 * epoch).  Only the leading certificates that parsed go to the verifier,
 * TD_VALIDATE_MAX_CERTS at most; when the chain stops at one that did not
 * parse, out->detail says so.  Returns how many were given: 0 without a
 * validator or certificates (out->done false), or when the leaf did not
 * parse (out is then `untrusted`, its detail saying so).  The caller reports
 * the cap.
 */
size_t td_validate_chain(struct td_validator *v, const struct td_certificate *chain,
                         const uint8_t *sni, size_t sni_len, int64_t when,
                         struct td_validation *out);

#endif
