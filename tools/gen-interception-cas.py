#!/usr/bin/env python3
"""Build data/interception-cas.tsv, shakedown's catalogue of TLS-inspection CAs.

usage: tools/gen-interception-cas.py [ASCIIPB] > data/interception-cas.tsv

Input: the mitm_software entries of Chromium's ssl_error_assistant.asciipb (default
/work/shared/data/interception-cas/chromium-ssl-error-assistant-mitm.asciipb); its licence
and attribution header is carried into the output.  To those, EXTRA below adds entries for
products Chromium lacks, each with the vendor document it comes from.

Output: one entry a line, tab-separated: product, issuer CN regex, issuer O regex, source.
"-" means "any".  The regexes are POSIX extended (regcomp REG_EXTENDED) and must match the
whole attribute (the loader anchors them); Chromium's RE2 shorthands \\d and \\s are
rewritten as bracket expressions.  An entry matches a certificate whose issuer matches every
regex it gives.
"""
import re
import sys

DEFAULT = "/work/shared/data/interception-cas/chromium-ssl-error-assistant-mitm.asciipb"

# (product, CN regex, O regex, source): products absent from Chromium's list, from the
# vendors' own documentation of the CA their product generates or ships by default.
EXTRA = [
    ("Fortinet FortiGate", "F[A-Z0-9]{15}", "Fortinet( Ltd\\.)?",
     "FortiOS Administration Guide, 'Fortinet_CA_SSL': the default deep-inspection CA is "
     "issued per device with CN = the unit's serial number (e.g. FG100E4Q17024322), "
     "O = Fortinet Ltd., OU = Certificate Authority"),
    ("Fortinet FortiGate", "Fortinet_CA_(SSL|Untrusted)", "-",
     "FortiOS Administration Guide, SSL/SSH inspection: built-in CA names Fortinet_CA_SSL and "
     "Fortinet_CA_Untrusted"),
    ("Zscaler", "Zscaler (Root CA|Intermediate Root CA.*)", "-",
     "Zscaler Help, 'Choosing the CA Certificate for SSL Inspection': the default Zscaler Root "
     "CA and its intermediates"),
    ("ESET", "ESET SSL Filter CA", "-",
     "ESET Knowledgebase, SSL/TLS protocol filtering: the 'ESET SSL Filter CA' root added to "
     "the system and browser stores"),
    ("Kaspersky", "Kaspersky Anti-Virus Personal Root Certificate.*|Kaspersky Endpoint Security.*Root.*", "-",
     "Kaspersky support, 'Scan encrypted connections': the Kaspersky root certificate "
     "installed for traffic scanning"),
    ("mitmproxy", "mitmproxy", "mitmproxy",
     "mitmproxy docs, 'About Certificates': the CA generated in ~/.mitmproxy has CN and O "
     "'mitmproxy'"),
    ("Fiddler", "DO_NOT_TRUST_FiddlerRoot.*", "DO_NOT_TRUST",
     "Telerik Fiddler docs, HTTPS decryption: root 'DO_NOT_TRUST_FiddlerRoot', "
     "O=DO_NOT_TRUST, OU=Created by http://www.fiddler2.com"),
    ("Charles Proxy", "Charles Proxy (CA|Custom Root Certificate).*", "XK72 Ltd",
     "Charles Proxy docs, 'SSL Certificates': per-installation root 'Charles Proxy CA "
     "(date, host)' of XK72 Ltd"),
    ("Burp Suite", "PortSwigger CA", "PortSwigger",
     "PortSwigger docs, 'Installing Burp's CA certificate': CN=PortSwigger CA, O=PortSwigger"),
    ("SonicWall DPI-SSL", "Sonic[Ww][Aa][Ll][Ll] Firewall DPI-SSL", "-",
     "SonicWall KB, 'DPI-SSL: default certificate': the built-in re-signing authority "
     "'SonicWall Firewall DPI-SSL'"),
    ("WatchGuard Firebox", "Fireware HTTPS Proxy.*", "-",
     "WatchGuard Fireware Help, 'Proxy Authority certificate': the Firebox's default "
     "'Fireware HTTPS Proxy' CA"),
    ("Netskope", "ca\\.[A-Za-z0-9.-]+\\.goskope\\.com", "-",
     "Netskope docs, 'SSL Decryption': the tenant CA ca.<tenant>.goskope.com used by the "
     "Netskope client steering"),
    ("Cisco Umbrella", "Cisco Umbrella (Root|Secondary SubCA|Primary SubCA).*", "-",
     "Cisco Umbrella docs, 'Install the Cisco Umbrella Root Certificate'"),
    ("Blue Coat / Symantec ProxySG", "Blue ?Coat.*|Symantec ProxySG.*", "-",
     "Symantec ProxySG SSL Proxy guide: the emulation CA issued by the appliance "
     "(default name contains 'BlueCoat')"),
]
# Products asked for but without a default CA name a vendor documents (the administrator
# creates or imports the CA): Palo Alto Networks (forward-proxy CA is user-generated),
# Check Point (HTTPS Inspection CA named by the administrator), Forcepoint on-premises,
# Barracuda, McAfee/Skyhigh beyond Chromium's 'McAfee Web Gateway'.  Add site CAs with
# --intercept-cas.


def ere(rx):
    """RE2 -> POSIX ERE for the constructs Chromium's list uses."""
    # a backslash is literal inside a POSIX bracket: "[A-Z0-9\\-]" becomes "[A-Z0-9-]"
    rx = rx.replace("\\-]", "-]")
    return rx.replace("\\d", "[0-9]").replace("\\s", "[[:space:]]")


def unquote(s):
    return bytes(s, "utf-8").decode("unicode_escape")


def parse(text):
    entries, cur = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("mitm_software"):
            cur = {}
        elif line == "}" and cur is not None:
            entries.append(cur)
            cur = None
        elif cur is not None:
            m = re.match(r'(\w+):\s*"(.*)",?$', line)
            if m:
                cur[m.group(1)] = unquote(m.group(2))
    return entries


def clean(s):
    if "\t" in s or "\n" in s:
        raise SystemExit("tab or newline in an entry: %r" % s)
    return s


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = sys.stdout
    out.write("# data/interception-cas.tsv - issuer patterns of TLS-inspection products "
              "(generated by tools/gen-interception-cas.py; do not edit)\n")
    out.write("# Columns (tab-separated): product, issuer CN regex, issuer O regex, source. "
              "'-' = any. POSIX ERE, whole-attribute match.\n#\n")
    out.write("# Entries marked 'chromium' come from:\n")
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.write("#  " + line[1:].strip() + "\n")
    out.write("#\n# Other entries: shakedown authors, from the vendor document named per line.\n")
    for e in parse(text):
        out.write("\t".join(clean(x) for x in (
            e["name"], ere(e.get("issuer_common_name_regex", "-")),
            ere(e.get("issuer_organization_regex", "-")), "chromium")) + "\n")
    for prod, cn, o, src in EXTRA:
        out.write("\t".join(clean(x) for x in (prod, cn, o, src)) + "\n")


if __name__ == "__main__":
    main()
