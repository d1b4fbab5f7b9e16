/**
 * Conversations on a ledger: one class per idea, each call of the facade one pass through them.
 *
 * <ul>
 *   <li>{@link org.reschat.core.internal.feed.LedgerChatClient}: the facade. Each call takes the conversation's lock
 *       and makes one {@code Operation}: a {@link org.reschat.core.internal.feed.FeedReader} per member feed, the
 *       {@link org.reschat.core.internal.feed.OwnFeed}, and the warnings found.</li>
 *   <li>{@link org.reschat.core.internal.feed.FeedReader}: one writer's feed. Fetches (once per call), finds the
 *       newest page in bounded reads, verifies, keeps what it verified append-only, reports
 *       rollback, equivocation and withheld pages, queues own damaged pages for republishing.</li>
 *   <li>{@link org.reschat.core.internal.feed.OwnFeed}: this member as a writer. The outbox, and publishing that
 *       reads before it writes, adopts what another device wrote and re-seals after it.</li>
 *   <li>{@link org.reschat.core.internal.feed.Heads}: freshness. What each page says of the other feeds, compared
 *       with what the store served.</li>
 *   <li>{@link org.reschat.core.internal.feed.Timeline}: opens slots of verified pages and merges the feeds.</li>
 * </ul>
 *
 * A send: {@code OwnFeed.append} → {@code OwnFeed.flush} (one read, one write). A history: flush,
 * {@code FeedReader.refresh} for every feed (first reads in parallel), {@code FeedReader.pages},
 * {@code Heads.check}, {@code Timeline}. Data flows one way: readers never call the writer.
 */
package org.reschat.core.internal.feed;
