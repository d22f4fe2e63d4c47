#!/usr/bin/env bash
# A STAND-IN for npm on a GitHub-hosted runner, for the README's workflow only: `npm install -g
# @anthropic-ai/claude-code` puts a `claude` on the PATH (npm links a global package's bin into
# its prefix's bin directory, here the directory this script is in). The `claude` it links is the
# stand-in test/support/claude-standin.mjs, whose path CLAUDE_STANDIN gives. Anything else fails.
set -euo pipefail
if [ "$*" = "install -g @anthropic-ai/claude-code" ]; then
  ln -sf "$CLAUDE_STANDIN" "$(dirname "$0")/claude"
  echo "added 1 package in 1s"
  exit 0
fi
echo "npm stand-in: only \"install -g @anthropic-ai/claude-code\" is modelled, got: $*" >&2
exit 1
