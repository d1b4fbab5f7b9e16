package org.reschat.cli.web;

/** A request that cannot be served as asked: its HTTP status and one sentence for the page. */
final class WebException extends RuntimeException {
  private final int status;

  WebException(int status, String sentence) {
    super(sentence);
    this.status = status;
  }

  int status() {
    return status;
  }
}
