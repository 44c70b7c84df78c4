// One typed event emitter for every side of the DeskApi contract: the desk core, the desk host of
// both shells and the renderer's web bridge. A listener that throws is reported and never stops
// the others, nor the code that emitted.

export type Listener<P> = (payload: P) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (event: keyof Events, err: unknown) => void = () => undefined) {}

  /** Adds a listener; the returned function removes it (calling it twice is harmless). */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as Listener<Events[E]>)(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  /** Whether anyone listens (e.g. to skip building a payload nobody reads). */
  has(event: keyof Events): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}
