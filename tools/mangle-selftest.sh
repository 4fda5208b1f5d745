#!/bin/bash
# mangle-selftest.sh - check that tools/mangle.py output is equivalent to its
# input: with tshark, same reassembled TCP stream bytes (follow,tcp,raw) and
# same TLS handshake message sequence per flow direction; without tshark (own
# decoder + IP defragmentation), same bytes at every sequence number, no
# retransmission with different bytes, same SYN/FIN/RST positions, and new
# data appearing in the same alternation between the two directions.
#
#   tools/mangle-selftest.sh [-w WORKDIR] [-s "SEEDS"] [-m "MODES"] [--gen] [CAPTURE...]
#
# Without CAPTURE arguments it uses captures from ../shared/corpus (when
# present) plus link-type/file-format variants derived from them (SLL, SLL2,
# raw IP, NULL, LOOP, Ethernet, pcapng with ns resolution and two interfaces,
# big-endian pcapng with simple packet blocks, big-endian ns pcap, and an
# "exotic" Ethernet variant: VLAN-tagged, IPv4 options / IPv6 extension
# headers, FIN on a data segment, a truncated packet, ARP and UDP).  --gen also records fresh TLS 1.2/1.3 sessions over
# IPv4 and IPv6 on loopback (needs root, tcpdump, openssl).
# Prints OK/FAIL/SKIP per capture x mode; exits 1 if anything FAILed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mangle=${MANGLE:-"$here/mangle.py"}
work=""
seeds="1"
gen=0
only_modes=""
while [ $# -gt 0 ]; do
    case "$1" in
        -w) work=$2; shift 2 ;;
        -s) seeds=$2; shift 2 ;;
        -m) only_modes=$2; shift 2 ;;
        --gen) gen=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ -n "$work" ] || work=$(mktemp -d /tmp/mangle-selftest.XXXXXX)
mkdir -p "$work"
command -v tshark >/dev/null || { echo "tshark not found" >&2; exit 2; }

MODES="recut dup reorder vlan qinq fragment fragment-reverse
recut,dup recut,reorder dup,reorder recut,dup,reorder recut,fragment-reverse
reorder,fragment recut,dup,reorder,vlan,fragment
recut,dup,reorder,qinq,fragment-reverse"
# for the derived link-type / file-format variants
MODES_SHORT="recut,dup,reorder fragment-reverse recut,dup,reorder,vlan,fragment"
[ -n "$only_modes" ] && MODES=$only_modes MODES_SHORT=$only_modes

# ---------------------------------------------------------------- derive
# derive SRC OUT KIND: rewrite SRC's IP packets onto another link type or
# into another file format, with tools/pcaplib.py (mangle.py's reader and writers).
derive() {
    python3 - "$here" "$@" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[1])
import pcaplib as m
src, out, kind = sys.argv[2:5]
dlt, snap, nano, frames = m.read_capture(src)
recs = []
if kind == "exotic":
    # Ethernet already tagged with VLAN 7, IPv4 options (router alert: copied
    # into every fragment; record route: first fragment only), IPv6 Hop-by-Hop
    # + Destination Options headers, FIN merged into the last data segment,
    # a truncated packet (caplen < len), ARP and UDP frames.
    eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x81\x00\x00\x07"
    pk = []
    for f in frames:
        off = m.ip_offset(dlt, f.data)
        if off is None or len(f.data) < f.wirelen:
            continue
        ip = bytearray(f.data[off:])
        if ip[0] >> 4 == 4:
            ihl, tot = (ip[0] & 15) * 4, struct.unpack_from("!H", ip, 2)[0]
            if ip[9] != 6 or ihl != 20:
                continue
            opts = b"\x94\x04\x00\x00" + b"\x07\x07\x04\x00\x00\x00\x00" + b"\x00"
            h = bytearray(ip[:20]) + opts
            h[0] = 0x40 | (len(h) // 4)
            struct.pack_into("!H", h, 2, tot + len(opts))
            h[10:12] = b"\0\0"
            struct.pack_into("!H", h, 10, m.inet_checksum(bytes(h)))
            ip, et, tcpoff = h + ip[20:tot], 0x0800, len(h)
        else:
            if ip[6] != 6:
                continue
            plen = struct.unpack_from("!H", ip, 4)[0]
            hbh = bytes([60, 0, 1, 4, 0, 0, 0, 0])
            dst = bytes([6, 0, 1, 4, 0, 0, 0, 0])
            h = bytearray(ip[:40])
            h[6] = 0
            struct.pack_into("!H", h, 4, plen + 16)
            ip, et, tcpoff = h + hbh + dst + ip[40:40 + plen], 0x86DD, 56
        pk.append([f.ts, bytearray(ip), et, tcpoff])
    def tcpinfo(p):
        ip, t = p[1], p[3]
        sp, dp, seq = struct.unpack_from("!HHI", ip, t)
        return (sp, dp), seq, ip[t + 13], len(ip) - t - (ip[t + 12] >> 4) * 4
    merged, drop = 0, set()
    last = {}
    for i, p in enumerate(pk):
        ports, seq, fl, n = tcpinfo(p)
        conn = tuple(sorted(ports))
        j = last.get(conn)
        if fl & 1 and n == 0 and j is not None:
            pports, pseq, pfl, pn = tcpinfo(pk[j])
            if pports == ports and pn and (pseq + pn) & 0xFFFFFFFF == seq and not pfl & 1:
                pk[j][1][pk[j][3] + 13] |= 1
                drop.add(i)
                merged += 1
        last[conn] = i
    pk = [p for i, p in enumerate(pk) if i not in drop]
    arp = b"\xff" * 6 + eth[6:12] + b"\x08\x06" + bytes.fromhex("0001080006040001") + b"\0" * 20
    udp = bytes.fromhex("4500001d000100004011f9c10a0000010a000002") + bytes.fromhex("3039270f00090000") + b"x"
    recs.append((pk[0][0], arp, len(arp)))
    recs.append((pk[0][0], eth[:12] + b"\x08\x00" + udp, 14 + len(udp)))
    trunc_done = False
    for ts, ip, et, t in pk:
        fr = eth + struct.pack("!H", et) + bytes(ip)
        recs.append((ts, fr, len(fr)))
        if not trunc_done and len(ip) - t - (ip[t + 12] >> 4) * 4 > 8:
            cut = len(fr) - 5          # a truncated retransmission
            recs.append((ts, fr[:cut], len(fr)))
            trunc_done = True
    m.write_pcap(out, 1, 262144, nano, recs)
    sys.exit(0)
for f in frames:
    off = m.ip_offset(dlt, f.data)
    if off is None:
        if kind in ("pcapng", "pcapng-be-spb", "pcap-be"):
            recs.append((f.ts, f.data, f.wirelen))
        continue
    ip = f.data[off:]
    v6 = ip[0] >> 4 == 6
    et = 0x86DD if v6 else 0x0800
    mac = b"\x02\x00\x00\x00\x00\x01"
    hdr = {
        "sll": struct.pack("!HHH8sH", 0, 1, 6, mac, et),
        "sll2": struct.pack("!HHIHBB8s", et, 0, 1, 1, 0, 6, mac),
        "raw": b"", "rawip": b"",
        "null": struct.pack("<I", 24 if v6 else 2),
        "loop": struct.pack(">I", 24 if v6 else 2),
        "eth": mac + b"\x02\x00\x00\x00\x00\x02" + struct.pack("!H", et),
        "pcapng": f.data[:off], "pcap-be": f.data[:off], "pcapng-be-spb": f.data[:off],
    }[kind]
    recs.append((f.ts, hdr + ip, f.wirelen - off + len(hdr)))
newdlt = {"sll": 113, "sll2": 276, "raw": 101, "null": 0, "loop": 108,
          "eth": 1, "pcapng": dlt, "pcap-be": dlt, "pcapng-be-spb": dlt,
          "rawip": 229 if recs and recs[0][1][0] >> 4 == 6 else 228}[kind]
if kind == "pcapng":
    # two interfaces with nanosecond timestamps (if_tsresol 9), packets alternating
    opt = m.pcapng_option(9, b"\x09") + m.pcapng_option(0, b"")
    o = [m.pcapng_shb(), m.pcapng_idb(newdlt, 262144, opt), m.pcapng_idb(newdlt, 262144, opt)]
    for i, (ts, d, wl) in enumerate(recs):
        o.append(m.pcapng_epb(i % 2, ts, d, wl))
    open(out, "wb").write(b"".join(o))
elif kind == "pcapng-be-spb":
    # big-endian section, one interface, simple packet blocks (no timestamps)
    o = [m.pcapng_shb(endian=">"), m.pcapng_idb(newdlt, 0, endian=">")]
    for ts, d, wl in recs:
        o.append(m.pcapng_spb(d, wl, endian=">"))
    open(out, "wb").write(b"".join(o))
elif kind == "pcap-be":
    m.write_pcap(out, newdlt, 262144, True, recs, endian=">")
else:
    m.write_pcap(out, newdlt, 262144, nano, recs)
EOF
}

# ---------------------------------------------------------------- seqdump
# seqdump FILE OUT: independent of tshark, decode IP (with its own IPv4/IPv6
# defragmentation) and TCP, and write per connection direction: the stream
# bytes by sequence number (ranges + SHA-1), any sequence number carried with
# two different byte values (a non-identical retransmission), the SYN/FIN/RST
# sequence numbers, and the order in which new data appears alternately in
# the two directions (causality).  Equal dumps = same streams.
seqdump() {
    python3 - "$here" "$@" <<'EOF'
import hashlib, struct, sys
sys.path.insert(0, sys.argv[1])
import pcaplib as m
src, out = sys.argv[2:4]
dlt, snap, nano, frames = m.read_capture(src)
frags = {}

def defrag(key, off, more, data, hdr):
    e = frags.setdefault(key, {"parts": {}, "end": None, "hdr": None})
    e["parts"][off] = data
    if not more:
        e["end"] = off + len(data)
    if off == 0:
        e["hdr"] = hdr
    if e["end"] is None or e["hdr"] is None:
        return None
    buf, pos = bytearray(), 0
    for o in sorted(e["parts"]):
        if o > pos:
            return None
        buf[o:o + len(e["parts"][o])] = e["parts"][o]
        pos = max(pos, o + len(e["parts"][o]))
    if pos < e["end"]:
        return None
    del frags[key]
    return e["hdr"], bytes(buf[:e["end"]])

def ip_tcp(ip):
    """-> (src, dst, tcp bytes) or None"""
    if ip[0] >> 4 == 4:
        ihl, tot = (ip[0] & 15) * 4, struct.unpack_from("!H", ip, 2)[0]
        if ip[9] != 6:
            return None
        ff = struct.unpack_from("!H", ip, 6)[0]
        body = ip[ihl:tot]
        src, dst = ip[12:16], ip[16:20]
        if ff & 0x3FFF:
            r = defrag((4, src, dst, ip[4:6]), (ff & 0x1FFF) * 8, ff & 0x2000, body, 1)
            if r is None:
                return None
            body = r[1]
        return src, dst, body
    plen = struct.unpack_from("!H", ip, 4)[0]
    src, dst, nh, pos, end = ip[8:24], ip[24:40], ip[6], 40, 40 + plen
    while nh in (0, 43, 60):
        nh, pos = ip[pos], pos + (ip[pos + 1] + 1) * 8
    if nh == 44:
        fnh, fo, ident = ip[pos], struct.unpack_from("!H", ip, pos + 2)[0], ip[pos + 4:pos + 8]
        r = defrag((6, src, dst, ident), fo & 0xFFF8, fo & 1, ip[pos + 8:end], fnh)
        if r is None:
            return None
        nh, body, pos = r[0], r[1], 0
        while nh in (0, 43, 60):
            nh, pos = body[pos], pos + (body[pos + 1] + 1) * 8
        return (src, dst, body[pos:]) if nh == 6 else None
    return (src, dst, ip[pos:end]) if nh == 6 else None

conns = {}
for f in frames:
    off = m.ip_offset(dlt, f.data)
    if off is None:
        continue
    r = ip_tcp(f.data[off:])
    if r is None or len(r[2]) < 20:
        continue
    src, dst, tcp = r
    sp, dp, seq = struct.unpack_from("!HHI", tcp, 0)
    fl, pl = tcp[13], tcp[(tcp[12] >> 4) * 4:]
    a, b = (src, sp), (dst, dp)
    key, d = ((a, b), 0) if a <= b else ((b, a), 1)
    c = conns.setdefault(key, {"base": {}, "bytes": ({}, {}), "conf": set(),
                               "flags": set(), "blocks": []})
    base = c["base"].setdefault(d, seq)
    rel = (seq - base) & 0xFFFFFFFF
    if fl & 2:
        c["flags"].add((d, "SYN", rel))
        rel += 1
    new = []
    bm = c["bytes"][d]
    for i, x in enumerate(pl):
        o = (rel + i) & 0xFFFFFFFF
        old = bm.get(o)
        if old is None:
            bm[o] = x
            new.append(o)
        elif old != x:
            c["conf"].add((d, o))
    if fl & 1:
        c["flags"].add((d, "FIN", (rel + len(pl)) & 0xFFFFFFFF))
    if fl & 4:
        c["flags"].add((d, "RST", (rel + len(pl)) & 0xFFFFFFFF))
    if new:
        if c["blocks"] and c["blocks"][-1][0] == d:
            c["blocks"][-1][1].extend(new)
        else:
            c["blocks"].append((d, new))

def ranges(offs):
    offs = sorted(offs)
    out, st, pv = [], None, None
    for o in offs:
        if st is None:
            st = pv = o
        elif o == pv + 1:
            pv = o
        else:
            out.append((st, pv + 1)); st = pv = o
    if st is not None:
        out.append((st, pv + 1))
    return out

with open(out, "w") as o:
    for key in sorted(conns):
        c = conns[key]
        name = "%s:%d <> %s:%d" % (key[0][0].hex(), key[0][1], key[1][0].hex(), key[1][1])
        print("conn", name, file=o)
        for d in (0, 1):
            bm = c["bytes"][d]
            h = hashlib.sha1(bytes(bm[k] for k in sorted(bm))).hexdigest()
            print(" dir", d, "bytes", len(bm), "sha1", h, "ranges", ranges(bm), file=o)
        print(" flags", sorted(c["flags"]), file=o)
        if c["conf"]:
            print(" CONFLICTING BYTES at", ranges(o2 for _, o2 in c["conf"]), file=o)
        print(" blocks", [(d, ranges(n)) for d, n in c["blocks"]], file=o)
EOF
}

# ---------------------------------------------------------------- capture
gen_loopback() {   # gen_loopback DIR: TLS 1.2/1.3 x IPv4/IPv6 on lo, port 443
    local d=$1 ver fam addr f pid
    command -v openssl >/dev/null && command -v tcpdump >/dev/null || return 1
    [ "$(id -u)" = 0 ] || return 1
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=selftest.example \
        -keyout "$d/key.pem" -out "$d/cert.pem" -days 2 >/dev/null 2>&1 || return 1
    for ver in tls1_2 tls1_3; do
        for fam in 4 6; do
            if [ $fam = 4 ]; then addr=127.0.0.1; else addr=::1; fi
            f="$d/lo-$ver-ipv$fam.pcap"
            tcpdump -i lo -s 0 -U -w "$f" "tcp port 443" >/dev/null 2>&1 &
            pid=$!
            sleep 1
            openssl s_server -quiet -accept "[$addr]:443" -$fam -cert "$d/cert.pem" \
                -key "$d/key.pem" -naccept 2 >/dev/null 2>&1 &
            local spid=$!
            sleep 0.5
            for i in 1 2; do
                (echo "hello $i"; sleep 0.3) | timeout 5 openssl s_client -quiet \
                    -connect "[$addr]:443" -$fam -$ver -servername "s$i.selftest.example" \
                    -alpn h2,http/1.1 >/dev/null 2>&1
            done
            sleep 0.5
            kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
            kill "$pid"; wait "$pid" 2>/dev/null
            echo "$f"
        done
    done
}

# ---------------------------------------------------------------- normalize
# norm FILE OUTPREFIX: writes OUTPREFIX.follow and OUTPREFIX.hs
norm() {
    local f=$1 o=$2 da=${3:-} args s
    # one pass: stream ids + TLS handshake messages per flow direction
    # shellcheck disable=SC2086
    tshark -r "$f" $da -o tcp.desegment_tcp_streams:TRUE -o tcp.reassemble_out_of_order:TRUE \
        -o tls.desegment_ssl_records:TRUE -o tls.desegment_ssl_application_data:TRUE \
        -T fields -E occurrence=a -E aggregator=, -e tcp.stream \
        -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
        -e tls.handshake.type -e tls.handshake.extensions_server_name 2>/dev/null | python3 -c '
import sys, collections
flows, streams = collections.OrderedDict(), set()
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if len(f) < 9 or not f[0]:
        continue
    streams.add(int(f[0]))
    if not f[7] and not f[8]:
        continue
    key = "%s%s:%s > %s%s:%s" % tuple(f[1:7])
    toks = flows.setdefault(key, [])
    toks += ["t" + t for t in f[7].split(",") if t]
    toks += ["sni=" + s for s in f[8].split(",") if s]
with open(sys.argv[1], "w") as o:
    for k in sorted(flows):
        print(k, " ".join(flows[k]), file=o)
print(" ".join(str(s) for s in sorted(streams)))
' "$o.hs" >"$o.streams"
    args=""
    for s in $(cat "$o.streams"); do args="$args -z follow,tcp,raw,$s"; done
    if [ -n "$args" ]; then
        # shellcheck disable=SC2086
        tshark -r "$f" -q $args 2>/dev/null
    fi | python3 -c '
import sys
blocks, cur = [], None
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("====="):
        if cur is not None:
            blocks.append(cur)
        cur = None
        continue
    if line.startswith("Follow:") or line.startswith("Filter:"):
        cur = {"nodes": [], "data": []}
        continue
    if cur is None:
        continue
    if line.startswith("Node "):
        cur["nodes"].append(line)
        continue
    d = 1 if line.startswith("\t") else 0
    h = line.strip()
    if not h:
        continue
    if cur["data"] and cur["data"][-1][0] == d:
        cur["data"][-1][1] += h
    else:
        cur["data"].append([d, h])
if cur is not None:
    blocks.append(cur)
out = []
for b in blocks:
    out.append("\n".join(b["nodes"] + ["%d %d:%s" % (d, len(h) // 2, h) for d, h in b["data"]]))
print("\n--\n".join(sorted(out)))
' >"$o.follow"
}

# ---------------------------------------------------------------- captures
caps=("$@")
if [ ${#caps[@]} -eq 0 ]; then
    corpus="$root/../shared/corpus"
    for c in ja4/tls-alpn-h2.pcap arkime/openssl-tls1_1.pcap zeek/imap-starttls.pcap \
             arkime/mysql-tls.pcap ja4/tls-handshake.pcapng ndpi/smtp-starttls.pcap \
             zeek/tls13_psk_succesfull.pcap ssldump/tls1.3_keyupdates_aes256.pcap \
             suricata-verify/tls/tls-store-02/tls-client-auth.pcap ja4/https-connect.pcap; do
        [ -f "$corpus/$c" ] && caps+=("$corpus/$c")
    done
    if [ -f "$corpus/arkime/openssl-tls1_1.pcap" ]; then
        for k in sll sll2 raw rawip null loop pcapng pcapng-be-spb pcap-be exotic; do
            derive "$corpus/arkime/openssl-tls1_1.pcap" "$work/tls1_1-$k.pcap" $k && caps+=("$work/tls1_1-$k.pcap")
        done
    fi
    if [ -f "$corpus/ja4/tls-alpn-h2.pcap" ]; then
        for k in rawip eth sll2 loop exotic; do
            derive "$corpus/ja4/tls-alpn-h2.pcap" "$work/alpn-h2-$k.pcap" $k && caps+=("$work/alpn-h2-$k.pcap")
        done
    fi
fi
if [ $gen = 1 ]; then
    mkdir -p "$work/gen"
    while read -r f; do caps+=("$f"); done < <(gen_loopback "$work/gen")
fi
[ ${#caps[@]} -gt 0 ] || { echo "no captures" >&2; exit 2; }

# ---------------------------------------------------------------- run
# check_capture CAPTURE TAG MODES...: writes result lines to $work/TAG.result
check_capture() {
    local c=$1 b=$2 mode seed o res det nstreams nhs nin nout da
    shift 2
    norm "$c" "$work/$b.orig"
    # TLS on a port no dissector claims is found by tshark's heuristic, which
    # gives up when the first segment is shorter than a record header: force
    # it (same options for original and mangled capture)
    da=$(python3 -c '
import re, subprocess, sys
reg = set()
for l in subprocess.run(["tshark", "-G", "decodes"], capture_output=True, text=True).stdout.splitlines():
    f = l.split("\t")
    if len(f) >= 3 and f[0] == "tcp.port":
        reg.add(f[1])
ports = set()
for l in open(sys.argv[1]):
    m = re.match(r"\S+:(\d+) > \S+:(\d+) t1\b", l)
    if m and m.group(2) not in reg:
        ports.add(m.group(2))
print(" ".join("-d tcp.port==%s,tls" % p for p in sorted(ports)))
' "$work/$b.orig.hs")
    [ -n "$da" ] && norm "$c" "$work/$b.orig" "$da"
    seqdump "$c" "$work/$b.orig.seq"
    nstreams=$(grep -c '^Node 0' "$work/$b.orig.follow")
    nhs=$(grep -o ' t[0-9]*' "$work/$b.orig.hs" | wc -l)
    nin=$(capinfos -c -M "$c" 2>/dev/null | awk '/Number of packets/{print $NF}')
    for mode in "$@"; do
        for seed in $seeds; do
            o="$work/$b.$mode.s$seed"
            if ! python3 "$mangle" --seed "$seed" "$mode" "$c" "$o.pcap" 2>"$o.err"; then
                if grep -q 'need Ethernet' "$o.err"; then
                    res=SKIP; det="not Ethernet (refused as specified)"
                else
                    res=FAIL; det="mangle.py failed: $(head -c 120 "$o.err")"
                fi
            else
                norm "$o.pcap" "$o" "$da"
                seqdump "$o.pcap" "$o.seq"
                nout=$(capinfos -c -M "$o.pcap" 2>/dev/null | awk '/Number of packets/{print $NF}')
                det="pkts $nin->$nout, streams $nstreams, hs msgs $nhs"
                if [ "$nstreams" = 0 ]; then
                    res=FAIL; det="$det; no TCP stream in original"
                elif ! cmp -s "$work/$b.orig.follow" "$o.follow"; then
                    res=FAIL; det="$det; stream bytes differ: diff $work/$b.orig.follow $o.follow"
                elif ! cmp -s "$work/$b.orig.seq" "$o.seq"; then
                    res=FAIL; det="$det; seq map differs: diff $work/$b.orig.seq $o.seq"
                elif ! cmp -s "$work/$b.orig.hs" "$o.hs"; then
                    res=FAIL; det="$det; handshakes differ: diff $work/$b.orig.hs $o.hs"
                else
                    res=OK
                fi
            fi
            printf '%-30s %-44s %-4s %s\n' "$b" "$mode s$seed" "$res" "$det"
            [ $res = SKIP ] && break
        done
    done >"$work/$b.result"
}

jobs_max=$(nproc 2>/dev/null || echo 2)
tags=()
for i in "${!caps[@]}"; do
    c=${caps[$i]}
    b=$(basename "$c"); b=${b%.*}
    case " ${tags[*]:-} " in *" $b "*) b="$b-$i" ;; esac
    tags+=("$b")
    case $c in
        "$work"/*-exotic.pcap) m=$MODES ;;
        "$work"/tls1_1-*|"$work"/alpn-h2-*) m=$MODES_SHORT ;;
        *) m=$MODES ;;
    esac
    # shellcheck disable=SC2086
    check_capture "$c" "$b" $m &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 0.2; done
done
wait

printf '%-30s %-44s %-4s %s\n' CAPTURE MODE RES DETAIL
for b in "${tags[@]}"; do cat "$work/$b.result"; done
nok=$(for b in "${tags[@]}"; do cat "$work/$b.result"; done | awk '$4=="OK"' | wc -l)
nfail=$(for b in "${tags[@]}"; do cat "$work/$b.result"; done | awk '$4!="OK" && $4!="SKIP"' | wc -l)
nskip=$(for b in "${tags[@]}"; do cat "$work/$b.result"; done | awk '$4=="SKIP"' | wc -l)
echo "summary: $nok OK, $nfail FAIL, $nskip SKIP (workdir $work)"
[ "$nfail" = 0 ]
