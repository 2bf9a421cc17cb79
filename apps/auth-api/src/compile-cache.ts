import { enableCompileCache } from 'node:module';

// Imported first by main.ts, before anything heavy is loaded: a restart then
// reads V8's compiled code from disk instead of compiling ~1,500 modules
// again (docs/operations/restarts.md). NODE_COMPILE_CACHE names the
// directory, NODE_DISABLE_COMPILE_CACHE=1 turns it off; a directory that
// cannot be written only leaves it off.
enableCompileCache();
