/** Name of the OpenAPI security scheme for the platform's bearer tokens. */
export const BEARER_SCHEME = 'bearer';
