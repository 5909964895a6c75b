#!/bin/sh
# Runs a TypeScript entry point: with Node's own type stripping when the runtime has it
# (Node >= 22.18, 24 LTS: no loader, what production runs), else under tsx (Node 20.19, 22.12-22.17).
#   sh scripts/run-ts.sh src/main.ts
if node -e 'process.exit(process.features.typescript ? 0 : 1)' 2>/dev/null; then
  exec node "$@"
fi
exec tsx "$@"
