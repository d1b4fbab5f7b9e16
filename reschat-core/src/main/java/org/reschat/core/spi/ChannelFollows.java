package org.reschat.core.spi;

import java.util.Map;
import org.reschat.core.LocalStateException;
import org.reschat.core.channel.ChannelId;
import org.reschat.core.channel.Channels;

/**
 * The public channels a profile follows, each with the newest post it verified there (the CLI keeps them in
 * {@code channels.json}). The client reads them once per receive pass and records how far it verified.
 * Implementations are thread-safe.
 */
public interface ChannelFollows {
  /** Follows nothing. */
  ChannelFollows NONE = new ChannelFollows() {
    @Override
    public Map<ChannelId, Channels.Copy> followed() {
      return Map.of();
    }

    @Override
    public void verified(ChannelId channel, Channels.Copy copy) {}
  };

  /** The followed channels and the newest post verified in each ({@link Channels.Copy#EMPTY} before the first). */
  Map<ChannelId, Channels.Copy> followed() throws LocalStateException;

  /** Records the newest post verified in a followed channel, once its new posts were passed on. */
  void verified(ChannelId channel, Channels.Copy copy) throws LocalStateException;
}
