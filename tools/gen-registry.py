#!/usr/bin/env python3
"""Generate the code point tables and constants from the registry CSVs in tools/iana/.

Outputs (all committed, all marked GENERATED, never edited by hand):
  src/tls/registry_tables.c        one sorted name array per registry, and the
                                   cipher suite properties, looked up with bsearch
                                   by src/tls/registry.c
  include/tlsdissect/codepoints.h  one #define per code point (TD_EXT_KEY_SHARE, ...)

Each CSV is `value,name` (comment lines start with '#').  Cipher suite
properties (key exchange, authentication, record protection, hash and tag
lengths) are derived here from the suite's registry name with the rule tables
below; a name the rules do not cover exactly stops the generator, so a new
registry row is classified by a person, never guessed.

    tools/gen-registry.py [--out-dir DIR]    (default: the source tree; `make regen`)
"""
import argparse
import csv
import os
import re

# (enum suffix, csv file, value width in bytes, constant prefix in codepoints.h)
REGISTRIES = [
    ("CIPHER_SUITES", "cipher-suites.csv", 2, "TD_CS_"),
    ("EXTENSIONS", "extensions.csv", 2, "TD_EXT_"),
    ("SUPPORTED_GROUPS", "supported-groups.csv", 2, "TD_GROUP_"),
    ("SIGNATURE_SCHEMES", "signature-schemes.csv", 2, "TD_SIGSCHEME_"),
    ("VERSIONS", "versions.csv", 2, "TD_VERSION_"),
    ("ALERTS", "alerts.csv", 1, "TD_ALERT_"),
    ("HANDSHAKE_TYPES", "handshake-types.csv", 1, "TD_HS_"),
    ("CONTENT_TYPES", "content-types.csv", 1, "TD_CT_"),
    ("COMPRESSION_METHODS", "compression-methods.csv", 1, "TD_COMPRESSION_"),
    ("EC_POINT_FORMATS", "ec-point-formats.csv", 1, "TD_EC_POINT_FORMAT_"),
    ("PSK_MODES", "psk-modes.csv", 1, "TD_PSK_MODE_"),
    ("CERTIFICATE_TYPES", "certificate-types.csv", 1, "TD_CERT_TYPE_"),
    ("CERT_COMPRESSION", "cert-compression.csv", 2, "TD_CERT_COMPRESSION_"),
    ("ALERT_LEVELS", "alert-levels.csv", 1, "TD_ALERT_LEVEL_"),
    ("CERT_STATUS_TYPES", "certificate-status-types.csv", 1, "TD_CERT_STATUS_"),
    ("EC_CURVE_TYPES", "ec-curve-types.csv", 1, "TD_EC_CURVE_TYPE_"),
]

# ---- cipher suite properties ----------------------------------------------------
#
# A registry name is one of
#   <prefix><kex>_WITH_<protection>          TLS 1.2 and earlier (RFC 5246 App. A.5)
#   <prefix><protection>                     TLS 1.3 (RFC 8446 §B.4), no key exchange named
#   <gmt-kex>_<protection>                   GM/T 0024 (no prefix, no _WITH_)
# with prefix TLS_ or SSL_ and <protection> = <cipher>[_<hash>][_OLD].

# Key exchange field -> (key exchange, authentication).  Values are the
# TD_SUITE_KEX_* / TD_SUITE_AUTH_* enumerators of registry.h.
KEX_FIELDS = {
    "NULL": ("NULL", "NULL"),                       # RFC 5246 App. A.5
    "RSA": ("RSA", "RSA"),                          # RFC 5246 §7.4.7.1
    "RSA_EXPORT": ("RSA_EXPORT", "RSA"),            # RFC 4346 App. A.5, ServerRSAParams
    "RSA_EXPORT1024": ("RSA_EXPORT", "RSA"),        # draft-ietf-tls-56-bit-ciphersuites
    "DH_DSS": ("DH", "DSS"), "DH_DSS_EXPORT": ("DH", "DSS"),   # RFC 5246 §7.4.3 static DH
    "DH_RSA": ("DH", "RSA"), "DH_RSA_EXPORT": ("DH", "RSA"),
    "DHE_DSS": ("DHE", "DSS"), "DHE_DSS_EXPORT": ("DHE", "DSS"), "DHE_DSS_EXPORT1024": ("DHE", "DSS"),
    "DHE_RSA": ("DHE", "RSA"), "DHE_RSA_EXPORT": ("DHE", "RSA"),
    "DH_anon": ("DH_ANON", "ANON"), "DH_anon_EXPORT": ("DH_ANON", "ANON"),
    "ECDH_ECDSA": ("ECDH", "ECDSA"), "ECDH_RSA": ("ECDH", "RSA"),          # RFC 8422 §2
    "ECDHE_ECDSA": ("ECDHE", "ECDSA"), "ECDHE_RSA": ("ECDHE", "RSA"),
    "ECDH_anon": ("ECDH_ANON", "ANON"),
    "PSK": ("PSK", "PSK"),                          # RFC 4279 §2
    "DHE_PSK": ("DHE_PSK", "PSK"),                  # RFC 4279 §3
    "PSK_DHE": ("DHE_PSK", "PSK"),                  # RFC 6655 §3: DHE_PSK under another name
    "RSA_PSK": ("RSA_PSK", "RSA"),                  # RFC 4279 §4: the server has an RSA certificate
    "ECDHE_PSK": ("ECDHE_PSK", "PSK"),              # RFC 5489 §2
    "SRP_SHA": ("SRP", "SRP"),                      # RFC 5054 §2.7
    "SRP_SHA_RSA": ("SRP", "RSA"), "SRP_SHA_DSS": ("SRP", "DSS"),
    "KRB5": ("KRB5", "KRB5"), "KRB5_EXPORT": ("KRB5", "KRB5"),             # RFC 2712
    # Key exchanges this dissector does not read: listed, never parsed.
    "ECCPWD": ("OTHER", "OTHER"),                   # RFC 8492
    "ECJPAKE": ("OTHER", "OTHER"),                  # draft-cragie-tls-ecjpake
    "GOSTR341001": ("OTHER", "OTHER"),              # draft-chudov-cryptopro-cptls
    "GOSTR341094": ("OTHER", "OTHER"),
    "GOSTR341112_256": ("OTHER", "OTHER"),          # RFC 9189
    "FORTEZZA_KEA": ("OTHER", "OTHER"),             # SSL 3.0 (RFC 6101 App. A.6)
    "RSA_FIPS": ("OTHER", "OTHER"),                 # Netscape's pre-standard SSL 3.0 FIPS suites
}

# GM/T 0024 (Chinese SSL VPN) key exchange words: not read by this dissector.
GMT_KEX = {"ECDHE", "ECC", "IBSDH", "IBC", "RSA"}

# Hash word at the end of a name -> (hash, length in bytes).  TD_SUITE_HASH_*.
HASHES = {
    "NULL": ("NONE", 0),
    "MD5": ("MD5", 16),
    "SHA": ("SHA1", 20), "SHA1": ("SHA1", 20),
    "SHA256": ("SHA256", 32),
    "SHA384": ("SHA384", 48),
    "SM3": ("SM3", 32),                             # RFC 8998
    "GOSTR3411": ("GOSTR3411_94", 32),              # draft-chudov-cryptopro-cptls
}

# Cipher -> (record protection, AEAD tag length, own MAC length: None when the hash word
# names the HMAC, 0 for AEADs; TLS 1.3 only).
# Record protection is a TD_SUITE_CIPHER_* enumerator.  A cipher with its own MAC
# takes no hash word; a TLS 1.2 AEAD cipher's hash word names its PRF hash.
def _aead(tag, tls13=False):
    return ("AEAD", tag, 0, tls13)

CIPHERS = {
    "NULL": ("NULL", 0, None, False),
    "RC4_40": ("STREAM", 0, None, False), "RC4_56": ("STREAM", 0, None, False),
    "RC4_128": ("STREAM", 0, None, False),
    "SALSA20": ("STREAM", 0, None, False), "ESTREAM_SALSA20": ("STREAM", 0, None, False),  # RFC 7905 draft
    "28147_CNT_IMIT": ("STREAM", 0, 4, False),      # GOST 28147-89 counter, IMIT MAC
    "KUZNYECHIK_CTR_OMAC": ("STREAM", 0, 16, False),  # RFC 9189 §4.2
    "MAGMA_CTR_OMAC": ("STREAM", 0, 8, False),
    **{c: ("CBC", 0, None, False) for c in (
        "RC2_CBC_40", "RC2_CBC_56", "IDEA_CBC", "DES40_CBC", "DES_CBC_40", "DES_CBC",
        "3DES_EDE_CBC", "AES_128_CBC", "AES_256_CBC", "CAMELLIA_128_CBC", "CAMELLIA_256_CBC",
        "ARIA_128_CBC", "ARIA_256_CBC", "SEED_CBC", "FORTEZZA_CBC", "SM1", "SM4_CBC")},
    # RFC 5288, RFC 5289, RFC 6209, RFC 6367, RFC 7905, RFC 8442: 16-byte tags
    **{c: _aead(16) for c in (
        "AES_128_GCM", "AES_256_GCM", "CAMELLIA_128_GCM", "CAMELLIA_256_GCM", "ARIA_128_GCM",
        "ARIA_256_GCM", "CHACHA20_POLY1305", "SM4_GCM")},
    "AES_128_CCM": _aead(16), "AES_256_CCM": _aead(16),        # RFC 6655, RFC 7251
    "AES_128_CCM_8": _aead(8), "AES_256_CCM_8": _aead(8),
    "KUZNYECHIK_MGM_L": _aead(16, True), "KUZNYECHIK_MGM_S": _aead(16, True),  # RFC 9367 §4
    "MAGMA_MGM_L": _aead(8, True), "MAGMA_MGM_S": _aead(8, True),
}

# TLS 1.3 suite ciphers (RFC 8446 §B.4, RFC 8998 §2, RFC 9150 §9).  The hash word
# names the HKDF hash.  RFC 9150's integrity-only suites "encrypt" with HMAC:
# the tag is the HMAC output.
TLS13_CIPHERS = {
    **{c: _aead(16, True) for c in ("AES_128_GCM", "AES_256_GCM", "CHACHA20_POLY1305",
                                    "AES_128_CCM", "SM4_GCM", "SM4_CCM")},
    "AES_128_CCM_8": _aead(8, True),
    "SHA256": ("INTEGRITY_ONLY", 32, 0, True),
    "SHA384": ("INTEGRITY_ONLY", 48, 0, True),
}

# Names that are signals, not suites (RFC 5746 §3.3, RFC 7507 §2).
SIGNALING = {"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV"}

# The PRF hash of the GOST key exchanges (RFC 9189 §4.1: Streebog-256;
# draft-chudov-cryptopro-cptls: GOST R 34.11-94).
GOST_PRF = {"GOSTR341001": ("GOSTR3411_94", 32), "GOSTR341094": ("GOSTR3411_94", 32),
            "GOSTR341112_256": ("STREEBOG_256", 32)}


def split_protection(name, text, tls13):
    """<cipher>[_<hash>] -> (cipher row, hash word or None)."""
    ciphers = TLS13_CIPHERS if tls13 else CIPHERS
    head, _, word = text.rpartition("_")
    if head in ciphers and word in HASHES:
        return ciphers[head], word
    if text in ciphers:
        return ciphers[text], None
    raise SystemExit(f"cipher-suites.csv: {name}: no rule for the protection {text!r}")


def classify(name):
    """The properties of one cipher suite, from its registry name (see the tables above)."""
    info = {"kex": "NULL", "auth": "NULL", "cipher": "NULL", "prf": "NONE", "prf_len": 0,
            "tag_len": 0, "mac_len": 0, "tls13": False}
    if name in SIGNALING:
        info.update(kex="SIGNALING", auth="NULL")
        return info
    base = name[:-4] if name.endswith("_OLD") else name
    prefix = next((p for p in ("TLS_", "SSL_") if base.startswith(p)), None)
    if prefix is None:
        kex_word, _, protection = base.partition("_")
        if kex_word not in GMT_KEX:
            raise SystemExit(f"cipher-suites.csv: {name}: no rule for a name without TLS_ or SSL_")
        kex_field, tls13 = None, False
        info.update(kex="OTHER", auth="OTHER")
    elif "_WITH_" in base:
        kex_field, _, protection = base[len(prefix):].partition("_WITH_")
        if kex_field not in KEX_FIELDS:
            raise SystemExit(f"cipher-suites.csv: {name}: no rule for the key exchange {kex_field!r}")
        info["kex"], info["auth"] = KEX_FIELDS[kex_field]
        tls13 = False
    else:
        kex_field, protection, tls13 = None, base[len(prefix):], True
    row, hash_word = split_protection(name, protection, tls13)
    cipher, tag, own_mac, row_tls13 = row
    if row_tls13:
        if kex_field is not None and kex_field not in GOST_PRF:
            raise SystemExit(f"cipher-suites.csv: {name}: a TLS 1.3 cipher after the key exchange {kex_field}")
        tls13 = True
        info.update(kex="TLS13", auth="TLS13")
    info.update(cipher=cipher, tag_len=tag, tls13=tls13)
    if tls13:
        if hash_word is None and kex_field in GOST_PRF:
            info["prf"], info["prf_len"] = GOST_PRF[kex_field]
        elif hash_word is None or HASHES[hash_word][1] == 0:
            raise SystemExit(f"cipher-suites.csv: {name}: a TLS 1.3 suite names its hash")
        else:
            info["prf"], info["prf_len"] = HASHES[hash_word]
        return info
    if name == "TLS_NULL_WITH_NULL_NULL":
        return info                     # the initial state: nothing protects, no PRF
    if cipher != "AEAD":
        if own_mac is not None:
            if hash_word is not None:
                raise SystemExit(f"cipher-suites.csv: {name}: {hash_word} after a cipher with its own MAC")
            info["mac_len"] = own_mac
        elif hash_word is None or HASHES[hash_word][1] == 0:
            raise SystemExit(f"cipher-suites.csv: {name}: a suite without an AEAD names its MAC hash")
        else:
            info["mac_len"] = HASHES[hash_word][1]
    # The TLS 1.2 PRF hash (RFC 5246 §5: SHA-256 unless the suite says otherwise;
    # RFC 5288 §3, RFC 5289 §3: the suites ending in SHA384 use SHA-384).
    if kex_field in GOST_PRF:
        info["prf"], info["prf_len"] = GOST_PRF[kex_field]
    elif hash_word in ("SHA384", "SM3", "GOSTR3411"):
        info["prf"], info["prf_len"] = HASHES[hash_word]
    else:
        info["prf"], info["prf_len"] = HASHES["SHA256"]
    return info


# ---- reading and writing ------------------------------------------------------------

def c_string(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            raise SystemExit(f"non-ASCII name {s!r}")
    return '"' + "".join(out) + '"'


def read_registry(path, width):
    rows = {}
    names = set()
    with open(path, newline="") as f:
        lines = [l for l in f if l.strip() and not l.lstrip().startswith("#")]
    reader = csv.reader(lines)
    header = next(reader)
    if [h.strip() for h in header[:2]] != ["value", "name"]:
        raise SystemExit(f"{path}: header must be value,name")
    for row in reader:
        value = int(row[0], 16)
        name = ",".join(row[1:]).strip()
        if value >= 1 << (8 * width):
            raise SystemExit(f"{path}: {row[0]} wider than {width} bytes")
        if value in rows:
            raise SystemExit(f"{path}: duplicate value {row[0]}")
        if name in names:
            raise SystemExit(f"{path}: duplicate name {name}")
        rows[value] = name
        names.add(name)
    return sorted(rows.items())


def constant_name(prefix, name):
    return prefix + re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()


def tables_c(registries):
    parts = [
        "/*",
        " * registry_tables.c — GENERATED by tools/gen-registry.py from the CSV files in tools/iana.",
        " * Do not edit: change the CSV (or the generator's cipher suite rules) and run `make regen`.",
        " * Names of TLS code points (IANA TLS registries, RFC 8447) and cipher suite properties.",
        " */",
        '#include "registry_tables.h"',
        "",
    ]
    table = []
    for (suffix, _, width, _), rows in registries:
        var = "td_reg_" + suffix.lower()
        parts.append(f"static const struct td_registry_entry {var}[] = {{")
        for value, name in rows:
            parts.append(f"    {{0x{value:0{width*2}x}, {c_string(name)}}},")
        parts.append("};")
        parts.append("")
        table.append(f"    [TD_REG_{suffix}] = {{{var}, sizeof {var} / sizeof {var}[0], {width}}},")
    parts.append("const struct td_registry_table td_registry_tables[TD_REG_COUNT] = {")
    parts.extend(table)
    parts.append("};")
    parts.append("")
    suites = registries[0][1]  # REGISTRIES[0] is the cipher suite registry
    parts.append("/* value, kex, auth, cipher, prf hash, prf hash length, tag length, MAC length, TLS 1.3 only */")
    parts.append("const struct td_suite_info td_suite_infos[] = {")
    for value, name in suites:
        i = classify(name)
        parts.append(
            f"    {{0x{value:04x}, TD_SUITE_KEX_{i['kex']}, TD_SUITE_AUTH_{i['auth']}, "
            f"TD_SUITE_CIPHER_{i['cipher']}, TD_SUITE_HASH_{i['prf']}, {i['prf_len']}, "
            f"{i['tag_len']}, {i['mac_len']}, {'true' if i['tls13'] else 'false'}}}, /* {name} */")
    parts.append("};")
    parts.append("const size_t td_suite_info_count = sizeof td_suite_infos / sizeof td_suite_infos[0];")
    return "\n".join(parts) + "\n"


def codepoints_h(registries):
    parts = [
        "/*",
        " * codepoints.h — GENERATED by tools/gen-registry.py from the CSV files in tools/iana.",
        " * Do not edit: change the CSV and run `make regen`.",
        " * One constant per named TLS code point (IANA TLS registries, RFC 8447), so that",
        " * code tests TD_EXT_KEY_SHARE, never 51.  Names follow the registry names, upper-cased,",
        " * with runs of other characters written as one '_'.",
        " */",
        "#ifndef TLSDISSECT_CODEPOINTS_H",
        "#define TLSDISSECT_CODEPOINTS_H",
    ]
    seen = {}
    for (suffix, fname, width, prefix), rows in registries:
        parts.append("")
        parts.append(f"/* {fname} */")
        for value, name in rows:
            ident = constant_name(prefix, name)
            if ident in seen:
                raise SystemExit(f"{fname}: {name} and {seen[ident]} both make {ident}")
            seen[ident] = name
            parts.append(f"#define {ident} 0x{value:0{width*2}x}")
    parts.append("")
    parts.append("#endif")
    return "\n".join(parts) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=root, help="tree to write into (default: the source tree)")
    args = ap.parse_args()
    iana = os.path.join(root, "tools", "iana")
    registries = [(r, read_registry(os.path.join(iana, r[1]), r[2])) for r in REGISTRIES]
    write(os.path.join(args.out_dir, "src", "tls", "registry_tables.c"), tables_c(registries))
    write(os.path.join(args.out_dir, "include", "tlsdissect", "codepoints.h"), codepoints_h(registries))


if __name__ == "__main__":
    main()
