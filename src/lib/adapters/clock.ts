/** The only place the app reads the wall clock; the core receives times as arguments. */
export const now = (): number => Date.now();

/** The clock in whole seconds, as the ledger records time. */
export const nowSeconds = (): number => Math.floor(now() / 1000);

/** Lets the browser paint and handle input before the next slice of long work. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Randomness for the core (keys, nonces), from WebCrypto. */
export const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
