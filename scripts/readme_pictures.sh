#!/usr/bin/env bash
# Remake the README's pictures of the sample with psninv's own commands: the diagram (SVG) and the
# report (a headless-Chromium screenshot of `psninv report`'s page). Run from the repository root.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psninv=${PSNINV:-.venv/bin/psninv}
"$psninv" import inventory/staffordshire.xlsx --db "$work/sample.db" >/dev/null 2>&1
"$psninv" diagram docs/diagram.svg --db "$work/sample.db" --force
"$psninv" report "$work/report.html" --db "$work/sample.db"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --window-size=1200,2250 \
    --screenshot="$work/report.png" "file://$work/report.html" 2>/dev/null
# Half the pixels of the screenshot are plenty for the README, and keep the repository small.
.venv/bin/python - "$work/report.png" docs/report.png <<'PY'
import sys
from PIL import Image
with Image.open(sys.argv[1]) as shot:
    shot.convert("RGB").resize((shot.width * 3 // 4, shot.height * 3 // 4), Image.LANCZOS).save(
        sys.argv[2], optimize=True
    )
PY
echo "wrote docs/diagram.svg and docs/report.png"
