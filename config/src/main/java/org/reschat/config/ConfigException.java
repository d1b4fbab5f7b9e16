package org.reschat.config;

/**
 * A setting with a value that is not allowed, or a config file that cannot be used. The message names
 * the setting, where the value came from, and what is allowed.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
