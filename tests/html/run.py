#!/usr/bin/env python3
"""tests/html/run.py - the --html report in a real browser (headless Chromium).

    tests/html/run.py [--tlsdissect build/tlsdissect] [--out build/html-test]

For each case, one run of tlsdissect writes --json to standard output and the
report with --html, so the page is compared with the NDJSON of the same run.
The page is opened in Debian's chromium through chromium-driver and
python3-selenium, with every host name resolving nowhere and the proxy a dead
port, and the test asserts:

- the browser log holds no error (JavaScript errors, CSP violations, failed loads);
- the page made no request: the resource timing list is empty;
- the embedded events, read back from the page, are the NDJSON line for line
  (the escaping kept them whole);
- every connection has a ladder whose arrows are its messages in order, with
  the right direction (data-msg, data-from), and its anomalies as breaks;
- clicking the first arrow of each ladder shows that message's fields;
- a resumed connection's link jumps to the connection it resumed;
- the filter box narrows the table to the rows that hold the word;
- hostile names (tools/hostile.py html-injection) show as text and run
  nothing: window.__tdInjected stays unset, the page has its own three or four
  <script> elements only, and the names are in the table as typed.

Screenshots of each report go to OUT/*.png for a person to look at; with
--readme-image, the ladder of the TLS 1.3 HRR case is also written to
docs/report-screenshot.png (the README's picture).  Skips (exit 0) with a message when chromium,
chromedriver or selenium are missing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PCAPS = os.path.join(ROOT, "tests", "pcaps")

CASES = [
    # name, tlsdissect arguments (besides --json --html FILE)
    ("client-cert", ["-r", "tls12-client-cert.pcap"]),
    ("hrr-keys", ["-r", "tls13-keys-hrr.pcap", "--keylog-file", "tls13-keys-hrr.keylog", "--explain"]),
    ("resumption", ["-r", "tls12-resume-session-id.pcap", "--explain"]),
    ("alert", ["-r", "tls12-handshake-failure.pcap"]),
    ("decrypted", ["-r", "tls13-keys-aes128gcm.pcap", "--keylog-file", "tls13-keys-aes128gcm.keylog"]),
    ("several", ["-r", "tls12-client-cert.pcap", "-r", "tls13-hrr.pcap", "-r", "tls12-resume-session-id.pcap",
                 "-r", "tls12-handshake-failure.pcap"]),
    ("anomalies", ["-r", "hostile/gap-in-message.pcap"]),
    ("hostile", None),  # made by tools/hostile.py html-injection
    # the page of "several" with keys the connection event may carry later (group, findings)
    ("new-keys", ["-r", "tls12-client-cert.pcap", "-r", "tls13-hrr.pcap"]),
    # Chrome and Cloudflare put several handshake messages in one record (the corpus, read in place)
    ("packed-records", ["-r", os.path.join(ROOT, "..", "shared", "corpus", "ja4", "chrome-cloudflare-quic-with-secrets.pcapng"),
                        "tcp"]),
]


def skip(why):
    print("html-test: skipped: %s (tools/install-deps.sh test installs chromium, chromium-driver "
          "and python3-selenium)" % why)
    sys.exit(0)


def fixture_args(args):
    out = []
    for i, a in enumerate(args):
        prev = args[i - 1] if i else ""
        out.append(os.path.join(PCAPS, a) if prev in ("-r", "--keylog-file") else a)
    return out


class Check:
    def __init__(self):
        self.fails = []

    def that(self, ok, what):
        if not ok:
            self.fails.append(what)
        return ok


def start_browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip("python3-selenium is not installed")
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        skip("chromium or chromedriver is not installed")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1300,1000", "--host-resolver-rules=MAP * ~NOTFOUND",
              "--proxy-server=127.0.0.1:9", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-default-apps", "--disable-sync"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=opts)


def run_tlsdissect(tool, args, html):
    p = subprocess.run([tool] + args + ["--json", "--html", html], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if p.returncode != 0:
        raise SystemExit("html-test: tlsdissect %s failed: %s" % (" ".join(args), p.stderr.decode()))
    return [json.loads(line) for line in p.stdout.decode().split("\n") if line]


def check_page(drv, name, events, check):
    from selenium.webdriver.common.by import By

    def js(script, *args):
        return drv.execute_script(script, *args)

    # the events the page embeds are the NDJSON of the run
    embedded = js("return document.getElementById('td-events').textContent.split('\\n')"
                  ".filter(function (l) { return l; }).map(function (l) { return JSON.parse(l); });")
    check.that(embedded == events, "%s: the embedded events differ from --json" % name)

    conns = {}
    for ev in events:
        if "conn" in ev and ev["type"] != "connection":
            conns.setdefault(ev["conn"], []).append(ev)
    summaries = {ev["conn"]: ev for ev in events if ev["type"] == "connection"}
    check.that(js("return document.querySelectorAll('#conn-table tbody tr').length") == len(set(conns) | set(summaries)),
               "%s: the table has not one row per connection" % name)
    for conn, evs in sorted(conns.items()):
        sect = "#conn-%d" % conn
        if not check.that(js("return !!document.querySelector(arguments[0])", sect), "%s: no ladder for conn %d" % (name, conn)):
            continue
        want = [(e["msg"], e["from"]) for e in evs if e["type"] == "message"]
        got = js("return Array.from(document.querySelectorAll(arguments[0] + ' .ladder .arrow'))"
                 ".map(function (a) { return [a.getAttribute('data-msg'), a.getAttribute('data-from')]; });", sect)
        check.that([tuple(g) for g in got] == want,
                   "%s conn %d: arrows %s, messages %s" % (name, conn, got, want))
        # messages one record carried: one bracket per run of two or more
        runs, prev, length = 0, None, 0
        for e in evs:
            key = (e["from"], e["record_index"]) if e["type"] == "message" and "record_index" in e else None
            length = length + 1 if key is not None and key == prev else 1
            runs += length == 2
            prev = key
        brackets = js("return document.querySelectorAll(arguments[0] + ' .ladder .record-group').length", sect)
        check.that(brackets == runs, "%s conn %d: %d record brackets for %d records of several messages"
                   % (name, conn, brackets, runs))
        breaks = js("return document.querySelectorAll(arguments[0] + ' .ladder .anomaly').length", sect)
        check.that(breaks == sum(1 for e in evs if e["type"] == "anomaly"),
                   "%s conn %d: %d anomaly breaks for %d anomalies" % (name, conn, breaks,
                                                                     sum(1 for e in evs if e["type"] == "anomaly")))
        # the order on the page is the order of the events, top to bottom
        ys = js("return Array.from(document.querySelectorAll(arguments[0] + ' .ladder [data-index]'))"
                ".map(function (a) { return a.getBBox().y; });", sect)
        check.that(ys == sorted(ys), "%s conn %d: arrows not top to bottom" % (name, conn))
        # clicking the first arrow opens its fields
        first = drv.find_element(By.CSS_SELECTOR, sect + " .ladder .arrow")
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", first)
        first.click()
        details = drv.find_element(By.CSS_SELECTOR, sect + " .details")
        text = details.text
        m0 = next(e for e in evs if e["type"] == "message")
        check.that(details.is_displayed() and m0["msg"] in text and m0["ts"] in text,
                   "%s conn %d: clicking the first arrow does not show its fields" % (name, conn))
        if "random" in m0:
            check.that(m0["random"] in text, "%s conn %d: the ClientHello's random is not shown" % (name, conn))


def check_resumption(drv, name, events, check):
    resumed = [ev for ev in events if ev["type"] == "connection" and ev.get("resumed_from")]
    if not check.that(resumed, "%s: no resumed connection in the fixture" % name):
        return
    for ev in resumed:
        link = "#conn-%d a.resumed-link" % ev["conn"]
        drv.execute_script("window.scrollTo(0, 0); document.querySelector(arguments[0]).click();", link)
        time.sleep(0.1)
        at = drv.execute_script(
            "var s = document.getElementById('conn-' + arguments[0]);"
            "return [location.hash, s.classList.contains('current'), Math.round(s.getBoundingClientRect().top)];",
            ev["resumed_from"])
        check.that(at[0] == "#conn-%d" % ev["resumed_from"] and at[1] and abs(at[2]) < 5,
                   "%s: the link of conn %d does not jump to conn %d (%s)" % (name, ev["conn"], ev["resumed_from"], at))


def check_filter(drv, name, events, check):
    from selenium.webdriver.common.by import By
    summaries = [ev for ev in events if ev["type"] == "connection"]
    word = "TLS 1.3"
    want = sum(1 for ev in summaries if ev.get("version") == word)
    box = drv.find_element(By.ID, "filter")
    box.clear()
    box.send_keys(word)
    rows = drv.execute_script("return document.querySelectorAll('#conn-table tbody tr').length")
    check.that(0 < want < len(summaries) and rows == want,
               "%s: the filter %r shows %d rows, expected %d of %d" % (name, word, rows, want, len(summaries)))
    # sorting by the number column descending puts the last connection first
    drv.execute_script("document.querySelector('#conn-table th').click();")  # sorted by # already: now descending
    box.clear()
    box.send_keys(" ")
    first = drv.execute_script("return document.querySelector('#conn-table tbody tr').getAttribute('data-conn')")
    check.that(first == str(max(ev["conn"] for ev in summaries)), "%s: sorting by # descending starts with %s" % (name, first))


def with_new_keys(html, out):
    """The page of html with a group and findings in every connection event: keys
    other helpers add to the connection event; the page shows them unchanged."""
    page = open(html, encoding="utf-8").read()
    start = page.index('id="td-events">\n') + len('id="td-events">\n')
    end = page.index("</script>", start)
    lines = []
    for line in page[start:end].split("\n"):
        if line:
            ev = json.loads(line)
            if ev["type"] == "connection":
                ev["group"] = "x25519" if ev["conn"] % 2 else "secp256r1"
                ev["findings"] = [{"what": "weak_cipher", "detail": "<b>x</b>"}] if ev["conn"] == 1 else []
            line = json.dumps(ev, separators=(",", ":"), ensure_ascii=False)
            for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
                line = line.replace(a, b)
        lines.append(line)
    open(out, "w", encoding="utf-8").write(page[:start] + "\n".join(lines) + page[end:])


def check_new_keys(drv, name, events, check):
    heads = drv.execute_script("return Array.from(document.querySelectorAll('#conn-table th')).map(function (t) { return t.textContent; });")
    check.that("Group" in heads and "Findings" in heads, "%s: no Group and Findings columns: %s" % (name, heads))
    charts = drv.execute_script("return Array.from(document.querySelectorAll('.chart')).map(function (c) { return c.getAttribute('aria-label'); });")
    check.that("Key-exchange groups" in charts, "%s: no chart of groups: %s" % (name, charts))
    cell = drv.execute_script("var h = Array.from(document.querySelectorAll('#conn-table th')).map(function (t) { return t.textContent; }).indexOf('Findings');"
                              "return document.querySelector('#conn-table tr[data-conn=\"1\"]').children[h].textContent;")
    check.that(cell == "weak_cipher", "%s: the findings cell of conn 1 is %r" % (name, cell))


def check_hostile(drv, name, events, check):
    import hostile
    check.that(drv.execute_script("return window.__tdInjected === undefined"),
               "%s: an injected script ran" % name)
    scripts = drv.execute_script("return Array.from(document.scripts).map(function (s) { return s.id || s.type || 'page'; });")
    check.that(scripts == ["td-events", "td-meta", "page"], "%s: the page has other scripts: %s" % (name, scripts))
    check.that(drv.execute_script("return document.querySelectorAll('img, iframe, object, embed, #app script, #app svg svg').length") == 0,
               "%s: markup from the wire became elements" % name)
    cells = drv.execute_script("return Array.from(document.querySelectorAll('#conn-table tbody tr td:nth-child(4)')).map(function (t) { return t.textContent; });")
    for sni in hostile.HTML_EVIL:
        text = sni.decode("utf-8", "strict") if all(b < 0x80 for b in sni) else None
        if text is not None:
            check.that(text in cells, "%s: the server name %r is not shown as text" % (name, text))
    ch = next(ev for ev in events if ev.get("msg") == "Certificate")
    subject = ch["certificates"][0]["subject"]
    heads = drv.execute_script("return document.querySelector('#conn-1 .lifeline-head:nth-of-type(2)').textContent")
    check.that(subject[:40] in heads, "%s: the certificate subject is not shown in the ladder head" % name)


def screenshot(drv, path, selector, scale=1):
    """The whole of the element, also where it runs past the window."""
    import base64
    r = drv.execute_script("var r = document.querySelector(arguments[0]).getBoundingClientRect();"
                           "return [r.left + scrollX, r.top + scrollY, r.width, r.height];", selector)
    shot = drv.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": r[0], "y": r[1], "width": r[2], "height": r[3], "scale": scale}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tlsdissect", default=os.path.join(ROOT, "build", "tlsdissect"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "html-test"))
    ap.add_argument("--readme-image", action="store_true", help="also write docs/report-screenshot.png")
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)  # the pages are opened as file:// URLs
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    os.makedirs(a.out, exist_ok=True)
    started = time.time()
    drv = start_browser()
    check = Check()
    try:
        for name, args in CASES:
            if args is None:
                pcap = os.path.join(a.out, "html-injection.pcap")
                subprocess.run([sys.executable, os.path.join(ROOT, "tools", "hostile.py"), "html-injection", pcap], check=True)
                args = ["-r", pcap]
            else:
                args = fixture_args(args)
                missing = [p for i, p in enumerate(args) if i and args[i - 1] == "-r" and not os.path.exists(p)]
                if missing:
                    print("html-test: %s skipped: %s is not here" % (name, missing[0]))
                    continue
            html = os.path.join(a.out, name + ".html")
            events = run_tlsdissect(a.tlsdissect, args, html)
            if name == "new-keys":
                with_new_keys(html, html)
                events = [dict(ev, group="x25519" if ev["conn"] % 2 else "secp256r1",
                               findings=[{"what": "weak_cipher", "detail": "<b>x</b>"}] if ev["conn"] == 1 else [])
                          if ev["type"] == "connection" else ev for ev in events]
            drv.get_log("browser")  # what came before this page
            drv.get("file://" + html)
            try:
                check.that(drv.execute_script("return document.readyState") == "complete", "%s: the page did not load" % name)
                print("html-test: %s loaded after %.1f s" % (name, time.time() - started))
                check_page(drv, name, events, check)
                if name in ("resumption", "several"):
                    check_resumption(drv, name, events, check)
                if name == "several":
                    check_filter(drv, name, events, check)
                if name == "hostile":
                    check_hostile(drv, name, events, check)
                if name == "new-keys":
                    check_new_keys(drv, name, events, check)
                resources = drv.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
                check.that(resources == [], "%s: the page requested %s" % (name, resources))
                errors = [e for e in drv.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]
                check.that(not errors, "%s: browser log: %s" % (name, errors))
                drv.execute_script("window.scrollTo(0, 0)")
                drv.save_screenshot(os.path.join(a.out, name + ".png"))
                screenshot(drv, os.path.join(a.out, name + "-ladder.png"), "section.conn")
                if name == "hrr-keys" and a.readme_image:
                    readme_image(drv, os.path.join(ROOT, "docs", "report-screenshot.png"))
            except Exception as e:  # an element the checks expect is missing: say which case
                check.that(False, "%s: %s" % (name, str(e).strip().splitlines()[0] if str(e).strip() else repr(e)))
                errors = [x for x in drv.get_log("browser") if x.get("level") in ("SEVERE", "WARNING")]
                check.that(not errors, "%s: browser log: %s" % (name, errors))
    finally:
        drv.quit()
    for f in check.fails:
        print("FAIL " + f)
    print("html-test: %d cases, %s, %.1f s; screenshots in %s" % (
        len(CASES), "%d failures" % len(check.fails) if check.fails else "all passed",
        time.time() - started, a.out))
    return 1 if check.fails else 0


def readme_image(drv, path):
    """The TLS 1.3 ladder (HRR, decrypted, explained) with its Certificate opened."""
    drv.execute_script("var a = document.querySelector('#conn-1 .ladder .arrow[data-msg=Certificate]');"
                       "a.dispatchEvent(new MouseEvent('click', {bubbles: true})); document.activeElement.blur();")
    screenshot(drv, path, "#conn-1", scale=0.75)  # small enough to commit


if __name__ == "__main__":
    sys.exit(main())
