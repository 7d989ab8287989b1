/**
 * jest's module runtime with V8's code cache kept on disk (the `runtime` of jest.config.js).
 *
 * Why: jest gives each test file a module registry of its own, so every file compiles again every module it imports:
 * a file on `test/support/stack` compiles about 1,800 modules, 17 MB of JavaScript (Temporal's protobuf definitions,
 * zod, express...), about 0.35 s of CPU before its first test, and more as their functions first run (V8 compiles a
 * function's body when it is first called). jest's compileFunction takes no cached code, so each module is compiled
 * here as a script instead: its code cache, made after the file's tests ran (so it holds the functions they compiled
 * too), is stored under jest's cache directory by a hash of the code, and later files, in this run or the next, hand it
 * to V8, which then skips most of the parsing and compiling. V8 checks the cache against the code and its own version
 * and flags; one it rejects is compiled afresh as before and replaced. Nothing else about loading a module changes.
 * If a later jest lays out its internals otherwise, this runtime steps aside and jest compiles as it always has.
 */
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const Runtime = require('jest-runtime').default;

/** The cached code of every module this process compiled without it, written once its test file is done. */
const pending = new Map();

class CodeCacheRuntime extends Runtime {
  constructor(config, ...rest) {
    super(config, ...rest);
    const executor = this.executor;
    if (typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)) return;
    const dir = join(config.cacheDirectory, `v8-code-cache-${process.version}-${process.arch}`);
    mkdirSync(dir, { recursive: true });
    const compileUncached = executor.compile.bind(executor);
    executor.compile = (code, filename) => {
      const context = executor.environment.getVmContext();
      // jest's own wrappers of Node's built-in modules keep jest's way.
      if (context == null || executor.resolution.isCoreModule(filename)) return compileUncached(code, filename);
      // The function jest would compile, with the same parameters; on a line of its own so lines keep their numbers.
      const source = `(function (${executor.injectedModuleParameters.join(', ')}) {\n${code}\n})`;
      const key = createHash('sha1').update(source).digest('hex');
      const file = join(dir, `${key}.bin`);
      let cachedData;
      try {
        cachedData = readFileSync(file);
      } catch {
        // Not cached yet.
      }
      let script;
      try {
        script = new Script(source, {
          filename,
          lineOffset: -1,
          cachedData,
          importModuleDynamically: (specifier, _script, importAttributes) =>
            executor.dynamicImport(specifier, filename, context, importAttributes),
        });
      } catch {
        // A syntax error (or ES module syntax, which jest retries as such): jest's compile reports it its own way.
        return compileUncached(code, filename);
      }
      if (cachedData === undefined || script.cachedDataRejected) pending.set(file, script);
      return script.runInContext(context);
    };
  }

  teardown() {
    super.teardown();
    for (const [file, script] of pending) {
      // Written aside and renamed, so another jest worker never reads half a file; a failure only costs time.
      const partial = `${file}.${process.pid}`;
      try {
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, file);
      } catch {
        // The cache directory was removed (jest --clearCache) or is full: the module compiles afresh next time.
      }
    }
    pending.clear();
  }
}

module.exports = CodeCacheRuntime;
