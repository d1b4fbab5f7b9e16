/**
 * The engine behind {@link org.reschat.core}: not API. Its types may change at any time; nothing in the API
 * packages mentions them (the build checks it), and outside the core only the bench, the demo and a few
 * shared encodings use them. See docs/architecture.md.
 */
package org.reschat.core.internal;
