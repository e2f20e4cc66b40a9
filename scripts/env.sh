# Sourced by the scripts: the environment every build uses, so builds share artefacts.
# The project's own node tools (wasm-opt from binaryen) come first on PATH, so cargo-leptos
# uses them instead of downloading its own.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
