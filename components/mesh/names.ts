/** Name and match formats the mesh's inputs must follow (shared by components and the stack config). */
export { DNS_LABEL } from "../contracts/names";
export { DNS_SUBDOMAIN } from "../contracts/names";
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"] as const;
/** Istio path match forms: exact `/a/b`, prefix `/a/*`, suffix `*.png`, presence `*`. */
export const PATH_PATTERN = /^(\*|\/[^*\s]*\*?|\*[^*\s]+)$/;
