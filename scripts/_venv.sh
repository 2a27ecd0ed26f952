# Sourced by start.sh and test.sh: make .venv and install the project (compiling the C core)
# when it is new or when what the install depends on has changed since the last install.
#   ensure_venv EXTRAS   e.g. ensure_venv "" or ensure_venv "[test]"
ensure_venv() {
    local extras="$1"
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    local stamp=".venv/.ticketking-install${extras}"
    local digest
    digest="$(cat pyproject.toml setup.py native/* 2>/dev/null | sha256sum | cut -d' ' -f1)"
    # an install with the test extras also serves a plain one
    if [ -z "$extras" ] && [ "$(cat ".venv/.ticketking-install[test]" 2>/dev/null)" = "$digest" ]; then
        return
    fi
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        echo "Installing TicketKing into .venv (compiles the C core; first time takes a minute)..." >&2
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e ".${extras}"
        echo "$digest" > "$stamp"
    fi
}
