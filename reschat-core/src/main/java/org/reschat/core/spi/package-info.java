/**
 * What an application implements for the engine: where its state lives ({@link org.reschat.core.spi.LocalState},
 * the composite of small stores by concern; {@link org.reschat.core.spi.InMemoryLocalState} keeps it in memory),
 * whose direct chats it follows ({@link org.reschat.core.spi.Contacts}), and which public channels
 * ({@link org.reschat.core.spi.ChannelFollows}).
 */
package org.reschat.core.spi;
