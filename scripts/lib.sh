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
