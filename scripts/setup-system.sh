#!/usr/bin/env bash
# Installs the system packages chargeplan needs to build and test, only when they are
# missing, and the Python virtual environment of the API's property-based test.
# Sourced by ./dev and .ci/run; defines setup_system and setup_schemathesis and runs nothing
# by itself.
#
#   cmake, libclang-dev  build the HiGHS LP solver (good_lp's "highs" feature, via bindgen)
#   pkg-config, build-essential  C toolchain and library lookup for -sys crates
#   chromium, fonts-liberation  headless browser (and its usual fonts) for the web page tests
#   python3, python3-venv  the virtual environment schemathesis is installed in
#   curl  the HTTP calls of docs/OPERATING.md, which tests/e2e/operating.rs runs as written

# The schemathesis release (from PyPI) the API's property-based test runs
# (tests/e2e/openapi_conformance.rs); changing it here reinstalls it at the next set-up.
SCHEMATHESIS_VERSION=4.32.5

# Where that virtual environment lives: $CHARGEPLAN_SCHEMATHESIS_VENV, else
# target/schemathesis-venv in the workspace (the test looks in the same places).
schemathesis_venv() {
    if [ -n "${CHARGEPLAN_SCHEMATHESIS_VENV:-}" ]; then
        echo "$CHARGEPLAN_SCHEMATHESIS_VENV"
    else
        echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/schemathesis-venv"
    fi
}

# True when a libclang shared library is installed where bindgen looks for it.
# (libclang-cpp.so, which other packages bring, is a different library and does not count.)
have_libclang() {
    local dir
    for dir in /usr/lib/llvm-*/lib /usr/lib/*-linux-gnu /usr/lib /usr/lib64; do
        compgen -G "$dir/libclang.so*" >/dev/null && return 0
        compgen -G "$dir/libclang-[0-9]*.so*" >/dev/null && return 0
    done
    return 1
}

setup_system() {
    local missing=()
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    have_libclang || missing+=(libclang-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    { command -v cc >/dev/null 2>&1 && command -v make >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1; } \
        || missing+=(build-essential)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    compgen -G '/usr/share/fonts/truetype/liberation*/*.ttf' >/dev/null || missing+=(fonts-liberation)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi

    echo "Installing missing build and test packages: ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: need root or sudo to install: ${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: apt-get not found; install these packages by hand: ${missing[*]}" >&2
        return 1
    fi
    local log
    log="$(mktemp)"
    if ! { "${sudo[@]}" apt-get update -qq \
        && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
        >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "error: could not install ${missing[*]}" >&2
        return 1
    fi
    rm -f "$log"
}

# Creates the virtual environment with schemathesis $SCHEMATHESIS_VERSION from PyPI, unless it
# already holds that version (then it is reused and nothing is downloaded).
setup_schemathesis() {
    local venv
    venv="$(schemathesis_venv)"
    if [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
        return 0
    fi
    echo "Installing schemathesis $SCHEMATHESIS_VERSION from PyPI in $venv" >&2
    local log
    log="$(mktemp)"
    if ! { rm -rf "$venv" \
        && python3 -m venv "$venv" \
        && "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; } \
        >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "error: could not install schemathesis $SCHEMATHESIS_VERSION in $venv" >&2
        return 1
    fi
    rm -f "$log"
}
