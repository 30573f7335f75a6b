#!/usr/bin/env bash
# The test command of zonesim (README.md, second command; CI runs it too).
# The interactive-view test drives Debian's Chromium headless, and the figure tests use a CJK
# font for Chinese zone names: install both when missing (needs root and apt), then run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [ -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "note: /usr/bin/chromium or the Noto CJK font is missing and cannot be installed here" >&2
        echo "      (run as root with apt, or install chromium and fonts-noto-cjk); tests/test_viz.py will fail" >&2
    fi
fi
exec .venv/bin/python -m pytest -q "$@"
