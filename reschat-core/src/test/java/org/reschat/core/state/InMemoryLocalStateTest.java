package org.reschat.core.state;

import org.reschat.core.testing.LocalStateContract;

class InMemoryLocalStateTest extends LocalStateContract {
  @Override
  protected LocalState newState() {
    return new InMemoryLocalState();
  }
}
