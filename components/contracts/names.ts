/**
 * Name formats and marks every component and the stack config agree on. One definition each: a
 * component and the config check that guards it must never disagree on what a valid name is.
 * (The policy packs keep their own copy of the edge-exception key: a pack ships on its own.)
 */

/** A DNS-1123 label (Kubernetes namespace, service and most object names): at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A DNS-1123 subdomain (Kubernetes object names such as Secrets and ConfigMaps, hosts): at most 253 characters. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The annotation that marks a resource as a named public edge exception (the zero-trust pack matches it). */
export const EDGE_EXCEPTION_ANNOTATION = "platform.io/edge-exception";

/** The annotation by which a namespace outside the ambient mesh says why (the admission policies require it). */
export const OUTSIDE_MESH_REASON_ANNOTATION = "platform.io/outside-mesh-reason";
