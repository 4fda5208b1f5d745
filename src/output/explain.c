/*
 * explain.c — one plain-language sentence per message for --explain:
 * what the message does in the handshake (RFC 8446 §2 and §4, RFC 5246
 * §7.3-7.4).  A table, keyed by message kind and a variant; and one per
 * finding code (docs/findings.md): why a reviewer cares.
 */
#include "explain.h"

#include <string.h>

#include "tlsdissect/codepoints.h"

struct explanation {
    enum td_msg_kind kind;
    const char *variant; /* NULL: any */
    const char *text;
};

static const struct explanation table[] = {
    {TD_MSG_CLIENT_HELLO, NULL,
     "The client opens the handshake: the versions, cipher suites and extensions it supports, "
     "a fresh random value, and (TLS 1.3) its key shares."},
    {TD_MSG_SERVER_HELLO, "tls13",
     "The server picks TLS 1.3 and a cipher suite and sends its key share; both sides can now "
     "derive handshake keys, so everything after this is encrypted."},
    {TD_MSG_SERVER_HELLO, "resumed",
     "The server echoes the session it is willing to resume: no certificate or key exchange "
     "follows, keys come from the earlier session."},
    {TD_MSG_SERVER_HELLO, "undecided",
     "The server picks the protocol version and cipher suite and sends its own random value; "
     "whether it accepts the client's session ticket shows next: a ChangeCipherSpec right "
     "away resumes that session, a Certificate starts a full handshake."},
    {TD_MSG_SERVER_HELLO, NULL,
     "The server picks the protocol version and cipher suite from the client's offer and "
     "sends its own random value."},
    {TD_MSG_HELLO_RETRY_REQUEST, NULL,
     "The server cannot use any key share the client sent and asks it to retry with one for "
     "the group named here."},
    {TD_MSG_CERTIFICATE, "client",
     "The client presents its certificate chain, because the server asked for one (mutual TLS)."},
    {TD_MSG_CERTIFICATE, NULL,
     "The server proves its identity with a certificate chain: its own certificate first, then "
     "the intermediates up towards a root the client trusts."},
    {TD_MSG_COMPRESSED_CERTIFICATE, "client",
     "The client's certificate chain, compressed (RFC 8879) with an algorithm the server "
     "offered; shown here decompressed."},
    {TD_MSG_COMPRESSED_CERTIFICATE, NULL,
     "The server's certificate chain, compressed (RFC 8879) with an algorithm the client "
     "offered, to save the bytes of the first flight; shown here decompressed."},
    {TD_MSG_SERVER_KEY_EXCHANGE, "ECDHE",
     "The server's ephemeral elliptic-curve public key, signed with its certificate's key: "
     "the client checks the signature, then both sides combine keys (forward secrecy)."},
    {TD_MSG_SERVER_KEY_EXCHANGE, "DHE",
     "The server's ephemeral Diffie-Hellman group and public value, signed with its "
     "certificate's key (forward secrecy)."},
    {TD_MSG_SERVER_KEY_EXCHANGE, NULL,
     "Key exchange parameters the server's certificate alone does not provide."},
    {TD_MSG_CERTIFICATE_REQUEST, NULL,
     "The server asks the client for a certificate, naming the signature algorithms and "
     "certificate authorities it accepts."},
    {TD_MSG_SERVER_HELLO_DONE, NULL,
     "The server has sent all its hello messages and waits for the client's key exchange."},
    {TD_MSG_CLIENT_KEY_EXCHANGE, "RSA",
     "The client sends the pre-master secret encrypted with the server's RSA public key; "
     "whoever later gets that private key can decrypt the session (no forward secrecy)."},
    {TD_MSG_CLIENT_KEY_EXCHANGE, "ECDHE",
     "The client's ephemeral elliptic-curve public key; with the server's, both sides compute "
     "the same pre-master secret without ever sending it."},
    {TD_MSG_CLIENT_KEY_EXCHANGE, "DHE",
     "The client's ephemeral Diffie-Hellman public value; both sides now compute the same "
     "pre-master secret."},
    {TD_MSG_CLIENT_KEY_EXCHANGE, NULL,
     "The client's part of the key exchange: afterwards both sides can derive the session keys."},
    {TD_MSG_CERTIFICATE_VERIFY, NULL,
     "A signature over the handshake so far with the key of the certificate just sent: proof "
     "that the sender holds that private key."},
    {TD_MSG_CHANGE_CIPHER_SPEC, "tls13",
     "A dummy record kept for middleboxes that expect TLS 1.2; it changes nothing in TLS 1.3."},
    {TD_MSG_CHANGE_CIPHER_SPEC, NULL,
     "From here on this side encrypts and authenticates everything it sends with the new keys."},
    {TD_MSG_FINISHED, "verified",
     "A MAC over the whole handshake under the new keys: proves both sides saw the same "
     "messages, untampered. Read here with the key log's secrets, and checked: the value the "
     "keys give over the messages above is the one sent, so capture, keys and dissector agree."},
    {TD_MSG_FINISHED, "mismatch",
     "A MAC over the whole handshake under the new keys: proves both sides saw the same "
     "messages, untampered. Read here with the key log's secrets, but it is not the value the "
     "keys give over the messages above: a message was changed, or the keys are not this "
     "connection's."},
    {TD_MSG_FINISHED, "decrypted",
     "A MAC over the whole handshake under the new keys: proves both sides saw the same "
     "messages, untampered. Read here with the key log's secrets (its value could not be "
     "checked: the handshake was not seen whole)."},
    {TD_MSG_FINISHED, NULL,
     "A MAC over the whole handshake under the new keys: proves both sides saw the same "
     "messages, untampered. Encrypted, so only its size is visible."},
    {TD_MSG_ENCRYPTED_HANDSHAKE, "server",
     "Encrypted handshake messages (EncryptedExtensions, Certificate, CertificateVerify, "
     "Finished): their contents are hidden from a passive observer in TLS 1.3."},
    {TD_MSG_ENCRYPTED_HANDSHAKE, NULL,
     "Encrypted handshake messages (the client's Finished, and its certificate when asked); "
     "unreadable without the session keys."},
    {TD_MSG_NEW_SESSION_TICKET, NULL,
     "A ticket the client can present in a later connection to resume this session without a "
     "full handshake."},
    {TD_MSG_ALERT, "encrypted",
     "An alert sent under encryption (often close_notify at the end of a connection)."},
    {TD_MSG_ALERT, "close_notify", "The sender is closing the connection cleanly."},
    {TD_MSG_ALERT, "fatal", "The sender aborts the handshake or connection because of this error."},
    {TD_MSG_ALERT, NULL, "A warning from the sender; the connection may continue."},
    {TD_MSG_CERTIFICATE_STATUS, NULL,
     "A stapled OCSP response: the certificate authority's recent statement that the server's "
     "certificate is not revoked."},
    {TD_MSG_HELLO_REQUEST, NULL, "The server asks the client to start a new handshake."},
    {TD_MSG_KEY_UPDATE, NULL, "The sender switches to fresh traffic keys."},
    {TD_MSG_END_OF_EARLY_DATA, NULL, "The client has finished sending 0-RTT early data."},
    {TD_MSG_ENCRYPTED_EXTENSIONS, NULL,
     "Server extensions that need no key exchange, sent encrypted (ALPN, server name ack, ...)."},
    {TD_MSG_HEARTBEAT, NULL, "A keep-alive probe (RFC 6520)."},
};

const char *td_explain(const struct td_message *m)
{
    const char *variant = NULL;
    bool tls13 = m->negotiated_version == TD_VERSION_TLS_1_3;

    switch (m->kind) {
    case TD_MSG_SERVER_HELLO:
        variant = tls13                                       ? "tls13"
                  : m->resumption == TD_HINT_RESUMING        ? "resumed"
                  : m->resumption == TD_HINT_UNDECIDED       ? "undecided"
                                                              : NULL;
        break;
    case TD_MSG_CHANGE_CIPHER_SPEC:
        variant = tls13 ? "tls13" : NULL;
        break;
    case TD_MSG_FINISHED:
        variant = m->finished_check == TD_FINISHED_VERIFIED   ? "verified"
                  : m->finished_check == TD_FINISHED_MISMATCH ? "mismatch"
                  : m->decrypted                              ? "decrypted"
                                                              : NULL;
        break;
    case TD_MSG_CERTIFICATE:
    case TD_MSG_COMPRESSED_CERTIFICATE:
    case TD_MSG_ENCRYPTED_HANDSHAKE:
        variant = m->from == TD_CLIENT ? "client" : "server";
        break;
    case TD_MSG_SERVER_KEY_EXCHANGE:
        variant = m->parsed ? m->u.server_key_exchange.kex : NULL;
        break;
    case TD_MSG_CLIENT_KEY_EXCHANGE:
        variant = m->parsed ? m->u.client_key_exchange.kex : NULL;
        break;
    case TD_MSG_ALERT:
        variant = m->encrypted ? "encrypted"
                  : m->u.alert.description == TD_ALERT_CLOSE_NOTIFY ? "close_notify"
                  : m->u.alert.level == TD_ALERT_LEVEL_FATAL ? "fatal" : NULL;
        break;
    default:
        break;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].kind != m->kind)
            continue;
        if (table[i].variant == NULL || (variant && strcmp(table[i].variant, variant) == 0))
            return table[i].text;
    }
    return NULL;
}

static const char *const finding_words[TD_FINDINGS] = {
    [TD_FINDING_DEPRECATED_VERSION] =
        "SSL 2.0/3.0 and TLS 1.0/1.1 are deprecated: they rely on MD5 and SHA-1 in the handshake "
        "and on CBC constructions with known attacks (POODLE, BEAST); RFC 8996 forbids them.",
    [TD_FINDING_WEAK_CIPHER] =
        "The record protection is breakable or absent: NULL and export suites give little or no "
        "secrecy, RC4 has biases (RFC 7465), DES is brute-forced and 3DES's 64-bit blocks fall to "
        "Sweet32, anonymous suites let anyone in the middle answer.",
    [TD_FINDING_NO_FORWARD_SECRECY] =
        "Without an ephemeral key exchange, whoever gets the server's private key later can "
        "decrypt every recorded session made with it.",
    [TD_FINDING_WEAK_KEY] =
        "Keys this small can be factored or broken with public computing resources: RSA and DH "
        "below 2048 bits, curves below 224 bits.",
    [TD_FINDING_SHA1_SIGNATURE] =
        "SHA-1 collisions are practical (SHAttered, 2017): a SHA-1 signature on a certificate no "
        "longer proves the issuer signed that certificate.",
    [TD_FINDING_CERT_EXPIRED] =
        "An expired certificate is no longer vouched for by its issuer: revocation may no longer "
        "be published for it, and clients reject it.",
    [TD_FINDING_CERT_NOT_YET_VALID] =
        "The certificate is not valid yet: a wrong clock, or a certificate used before its time; "
        "clients reject it.",
    [TD_FINDING_CERT_SELF_SIGNED] =
        "A self-signed certificate proves nothing about the server to a client that has not pinned "
        "it: anyone can make one for any name.",
    [TD_FINDING_CERT_UNTRUSTED] =
        "The chain does not reach a trust anchor of the validating store (or a signature in it "
        "fails): the server's identity is unproven.",
    [TD_FINDING_CERT_NAME_MISMATCH] =
        "The certificate is for another name than the one the client asked for: the client may "
        "be talking to the wrong server.",
    [TD_FINDING_INSECURE_RENEGOTIATION] =
        "Without RFC 5746 secure renegotiation an attacker can splice its own request in front of "
        "the client's (CVE-2009-3555).",
    [TD_FINDING_FALLBACK_SCSV] =
        "The client is retrying with a lower version after a failed handshake: a sign of a "
        "downgrade, by the network or by an attacker.",
    [TD_FINDING_COMPRESSION] =
        "Compressing secrets together with attacker-chosen data leaks the secrets through the "
        "record sizes (CRIME).",
    [TD_FINDING_HEARTBEAT] =
        "The heartbeat extension is rarely needed and was the way in for Heartbleed "
        "(CVE-2014-0160); offering it widens the attack surface.",
};

/* Which keys opened a decrypted record: by protection, then sender (client, server). */
static const char *const keys_words[][2] = {
    [TD_PROTECTION_TLS13_EARLY] = {
        "Keys: the client's early traffic key and IV (HKDF-Expand-Label of "
        "client_early_traffic_secret, the key log's CLIENT_EARLY_TRAFFIC_SECRET), derived from "
        "the resumption PSK and the ClientHello alone: 0-RTT data can be sent before any "
        "reply, at the price of no forward secrecy and possible replay.",
        NULL},
    [TD_PROTECTION_TLS13_HANDSHAKE] = {
        "Keys: the client's handshake traffic key and IV (HKDF-Expand-Label of "
        "client_handshake_traffic_secret, the key log's CLIENT_HANDSHAKE_TRAFFIC_SECRET). That "
        "secret comes from the (EC)DHE shared secret (and the PSK, if resuming) through "
        "HKDF-Extract, and from the hash of ClientHello..ServerHello: both sides have it as "
        "soon as the hellos are exchanged.",
        "Keys: the server's handshake traffic key and IV (HKDF-Expand-Label of "
        "server_handshake_traffic_secret, the key log's SERVER_HANDSHAKE_TRAFFIC_SECRET). That "
        "secret comes from the (EC)DHE shared secret (and the PSK, if resuming) through "
        "HKDF-Extract, and from the hash of ClientHello..ServerHello: a passive observer "
        "without the key log cannot read this flight."},
    [TD_PROTECTION_TLS13_APPLICATION] = {
        "Keys: the client's application traffic key and IV, from "
        "client_application_traffic_secret_0 (the key log's CLIENT_TRAFFIC_SECRET_0): derived "
        "from the master secret and the hash of the handshake up to the server's Finished.",
        "Keys: the server's application traffic key and IV, from "
        "server_application_traffic_secret_0 (the key log's SERVER_TRAFFIC_SECRET_0): derived "
        "from the master secret and the hash of the handshake up to the server's Finished."},
    [TD_PROTECTION_TLS12_KEY_BLOCK] = {
        "Keys: the client write key (and MAC key, IV) of the key block: the master secret (the "
        "key log's CLIENT_RANDOM line; PRF(pre-master secret, \"master secret\", client random "
        "+ server random)) is expanded with PRF(master secret, \"key expansion\", server random "
        "+ client random) and cut into client MAC key, server MAC key, client write key, server "
        "write key, client IV, server IV, in that order.",
        "Keys: the server write key (and MAC key, IV) of the key block: the master secret (the "
        "key log's CLIENT_RANDOM line; PRF(pre-master secret, \"master secret\", client random "
        "+ server random)) is expanded with PRF(master secret, \"key expansion\", server random "
        "+ client random) and cut into client MAC key, server MAC key, client write key, server "
        "write key, client IV, server IV, in that order."},
};

static const char *const key_update_words[2] = {
    "Keys: the client's application traffic secret after a KeyUpdate: the next one is "
    "HKDF-Expand-Label(current secret, \"traffic upd\", \"\", Hash.length), and new key and IV "
    "come from it; the old keys are forgotten.",
    "Keys: the server's application traffic secret after a KeyUpdate: the next one is "
    "HKDF-Expand-Label(current secret, \"traffic upd\", \"\", Hash.length), and new key and IV "
    "come from it; the old keys are forgotten."};

const char *td_explain_keys(const struct td_message *m)
{
    int from = m->from == TD_CLIENT ? 0 : 1;
    if (!m->decrypted || m->protection == TD_PROTECTION_NONE ||
        (size_t)m->protection >= sizeof keys_words / sizeof keys_words[0])
        return NULL;
    if (m->protection == TD_PROTECTION_TLS13_APPLICATION && m->key_updates > 0)
        return key_update_words[from];
    return keys_words[m->protection][from];
}

const char *td_explain_finding(enum td_finding f)
{
    return (unsigned)f < TD_FINDINGS ? finding_words[f] : NULL;
}
