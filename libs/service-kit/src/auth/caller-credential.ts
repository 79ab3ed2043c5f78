/** One internal caller allowed to use a service's HTTP API (an entry of `AUTH_TOKENS`). */
export interface CallerCredential {
  readonly caller: string;
  readonly token: string;
  readonly scopes: readonly string[];
}
