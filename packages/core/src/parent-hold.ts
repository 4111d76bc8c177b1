import type { ParentConnection } from '@clustr/spawner';

/**
 * Whether a spawned process holds itself open through its link to the parent: it does while it
 * is in the cluster (from `create()` until it leaves or fails to join), once, whatever else it
 * does. The link counts holds, so this one never releases another's (the welcome's).
 */
export class ParentHold {
  #isHolding = false;

  constructor(private readonly parent: ParentConnection | undefined) {}

  /** Holds the process open (`true`) or lets it go (`false`); repeating either changes nothing. */
  set(hold: boolean): void {
    if (hold === this.#isHolding) return;
    this.#isHolding = hold;
    if (hold) this.parent?.link.ref();
    else this.parent?.link.unref();
  }
}
