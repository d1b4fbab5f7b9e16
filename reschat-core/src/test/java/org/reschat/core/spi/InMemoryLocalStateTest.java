package org.reschat.core.spi;

import org.reschat.core.testing.LocalStateContract;

class InMemoryLocalStateTest extends LocalStateContract {
  @Override
  protected LocalState newState() {
    return new InMemoryLocalState();
  }
}
