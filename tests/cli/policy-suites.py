#!/usr/bin/env python3
"""The `none: cipher_suite ~ GLOB` rules of a policy file leave exactly the
cipher suites of Mozilla's "intermediate" profile (Server Side TLS v5.7)
among the names of the IANA registry (tools/iana/cipher-suites.csv).
   policy-suites.py POLICY.rules CIPHER-SUITES.csv"""
import fnmatch
import sys

INTERMEDIATE = sorted([
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
])


def main():
    with open(sys.argv[1]) as f:
        globs = [l.split("~", 1)[1].strip() for l in f if l.startswith("none: cipher_suite ~")]
    with open(sys.argv[2]) as f:
        names = [l.strip().split(",")[1] for l in f if l.startswith("0x")]
    left = sorted(n for n in names if not any(fnmatch.fnmatchcase(n, g) for g in globs))
    if left != INTERMEDIATE:
        extra = sorted(set(left) - set(INTERMEDIATE))
        missing = sorted(set(INTERMEDIATE) - set(left))
        sys.exit("policy-suites: the policy lets through %s and refuses %s" % (extra, missing))
    print("policy-suites: the policy leaves the %d intermediate suites" % len(left))


if __name__ == "__main__":
    main()
