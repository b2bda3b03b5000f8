/**
 * What a page keeps in the browser: its name, history and observe choice for every page of
 * this origin (localStorage), its watch list for this tab (sessionStorage). Without storage
 * (private mode, a policy) nothing is kept and nothing fails.
 */

export interface Store {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** A store over `storage()`, its keys prefixed `dbgremote.`; storage may throw. */
export function createStore(storage: () => Storage): Store {
  return {
    get(key) {
      try {
        return storage().getItem(`dbgremote.${key}`);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        storage().setItem(`dbgremote.${key}`, value);
      } catch {
        // no storage: nothing kept
      }
    },
  };
}
