/**
 * The API of the ResChat engine, what an application embeds: {@link org.reschat.core.ChatClient} (built
 * with an identity, a {@link org.reschat.kv.KvStore} and a {@link org.reschat.core.spi.LocalState}), chats
 * named by {@link org.reschat.core.ChatId}, one {@link org.reschat.core.Receiver} delivering typed
 * {@link org.reschat.core.Event}s, {@link org.reschat.core.Groups}, {@link org.reschat.core.Requests},
 * {@link org.reschat.core.ChatFiles}, and the values and exceptions they use. Nothing here mentions the
 * engine's internals ({@code org.reschat.core.internal}), which are not API; see docs/architecture.md.
 */
package org.reschat.core;
