# Shared helpers for the project's scripts: idempotent installs that skip what is there.
# shellcheck shell=bash

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ensure_target TRIPLE: the Rust target, added once.
ensure_target() {
  if ! rustup target list --installed | grep -qx "$1"; then
    say "adding Rust target $1"
    rustup target add "$1"
  fi
}

# ensure_component NAME: a rustup component (rustfmt, clippy), added once.
ensure_component() {
  if ! rustup component list --installed | grep -q "^$1"; then
    say "adding Rust component $1"
    rustup component add "$1"
  fi
}

WASM_BINDGEN_VERSION=0.2.130

# ensure_wasm_bindgen: the wasm-bindgen CLI equal to the crate pinned in Cargo.toml.
ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes)"
    # Not --locked: its lockfile names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

# ensure_npm: the pinned npm packages of package.json, reinstalled only when the lock changed
# (node_modules/.labelgate-lock is the lock they were installed from).
ensure_npm() {
  if ! cmp -s package-lock.json node_modules/.labelgate-lock 2>/dev/null; then
    say "installing pinned npm packages"
    npm ci --no-audit --no-fund
    cp package-lock.json node_modules/.labelgate-lock
  fi
}

# gzip_size FILE: bytes after gzip -9.
gzip_size() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
