/**
 * An engine factory whose engine module loads on first use: the entry point names every engine
 * kind without loading any, so a command that debugs nothing (`version`, `client`) starts
 * without paying for them. The module starts loading when the factory is first called (a server
 * is being built); `start()` waits for it, and every other call follows a successful start.
 */
import type { CommandResult, Engine, EngineFactory } from "./engine.ts";

const notYet = (): CommandResult => ({ ok: false, error: "the debugger is still starting" });

export function lazyEngineFactory(kind: string, load: () => Promise<EngineFactory>): EngineFactory {
  let loading: Promise<EngineFactory> | undefined;
  return (spec, listener) => {
    loading ??= load();
    let real: Engine | undefined;
    const ready = loading.then((factory) => (real = factory(spec, listener)));
    // An unawaited failure is reported by start(), which awaits the same promise.
    ready.catch(() => {});
    const engine = async () => real ?? await ready;
    return {
      kind,
      get description() {
        return real?.description ?? `${kind} debugging ${spec.program ?? "nothing"}`;
      },
      get state() {
        return real?.state ?? "idle";
      },
      // (inspect) The real engine's structured side, once it is loaded.
      get inspector() {
        return real?.inspector;
      },
      start: async () => (await engine()).start(),
      execute: async (text) => (await engine()).execute(text),
      interrupt: async () => (await engine()).interrupt(),
      // Typing into the program acts at once (it must not wait): before the module is in, there
      // is no program to type into.
      input: (text) => real?.input(text) ?? notYet(),
      eof: () => real?.eof() ?? notYet(),
      resize: (cols, rows) => real?.resize(cols, rows) ?? notYet(),
      unsetEnv: async (names) => (await engine()).unsetEnv(names),
      // Stopping an engine whose module never loaded has nothing to stop.
      stop: async () => {
        if (real) return real.stop();
        try {
          return (await ready).stop();
        } catch {
          return;
        }
      },
    };
  };
}
