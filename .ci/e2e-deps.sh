#!/usr/bin/env sh
# Browser tests drive Debian's Chromium through playwright-core (Playwright's own browser download
# is not reachable from these machines). Install it, and a CJK font for the zh-CN views, only when missing.
set -eu
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-wqy-microhei
fi
/usr/bin/chromium --version
