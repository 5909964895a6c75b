#!/bin/sh
# Runs a TypeScript entry point: with Node's own type stripping when the runtime has it
# (Node >= 22.18, 24 LTS: no loader, what production runs), else under tsx (Node 20.19, 22.12-22.17).
#   sh scripts/run-ts.sh src/main.ts
# Node keeps the compiled (and type-stripped) modules in a cache between starts (Node >= 22.1;
# about 1.5 s of a 9 s restart of `pnpm start` on a 2-core machine); NODE_COMPILE_CACHE moves it.
: "${NODE_COMPILE_CACHE:=$(cd "$(dirname "$0")/.." && pwd)/node_modules/.cache/node-compile-cache}"
export NODE_COMPILE_CACHE
if node -e 'process.exit(process.features.typescript ? 0 : 1)' 2>/dev/null; then
  exec node "$@"
fi
exec tsx "$@"
