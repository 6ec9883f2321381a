#!/usr/bin/env bash
# Install the independent WS-Security peers used by tests/interop (issue 3):
#   - xmlsec1        : the XML Security Library CLI (C, libxml2/OpenSSL based)
#   - libwss4j-java  : Apache WSS4J 1.6 (the stack MAGDA's connector is built on), which
#                      pulls libxml-security-java (Apache Santuario) and its logging deps
# plus the JDK pieces needed to compile the small Java harness, and
#   - chromium, chromium-driver : Debian's Chromium, which tests/browser drive with Playwright
#                                 (the operator console, /docs offline); never a downloaded build.
#
# Idempotent: when everything is present it exits 0 without touching apt. `apt-get update`
# only runs when something is missing, so a warm machine pays nothing.
set -euo pipefail

PKGS=(xmlsec1 libwss4j-java libxml-security-java libslf4j-java libcommons-logging-java
      chromium chromium-driver)
# A JDK (javac + keytool) is needed too; accept any installed one, else install the default.
if ! command -v javac >/dev/null 2>&1 || ! command -v keytool >/dev/null 2>&1; then
    PKGS+=(default-jdk-headless)
fi

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-peers: already installed (${PKGS[*]})"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-peers: done"
