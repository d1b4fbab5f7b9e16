package org.reschat.benchmarks.yardstick;

/**
 * One of Yardstick's ResChat operations in a loop and nothing else, to run under a profiler (README,
 * "Then a profile of where the CPU goes"; {@code scripts/jfr-split.py} sorts the samples by primitive):
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=send.jfr,settings=profile \
 *   -cp benchmarks/target/benchmarks.jar org.reschat.benchmarks.yardstick.ProfileLoop send 20000
 * </pre>
 *
 * Operations: {@code send} (bench send), {@code full} (whole send, the other side catching up),
 * {@code receive} (a whole send and the other side's live receive of it), {@code group10}, {@code group50}.
 */
public final class ProfileLoop {
  private ProfileLoop() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ProfileLoop send|full|receive|group10|group50 COUNT");
      System.exit(2);
    }
    long count = Long.parseLong(args[1]);
    try (ResChatSide side = new ResChatSide()) {
      Yardstick.Op op = switch (args[0]) {
        case "send" -> side::pageSend;
        case "full" -> () -> { side.fullSend(); side.catchUp(); };
        case "receive" -> () -> { side.fullSend(); side.liveReceive(); };
        case "group10" -> () -> side.groupSend(10);
        case "group50" -> () -> side.groupSend(50);
        default -> throw new IllegalArgumentException("No operation " + args[0]);
      };
      for (long i = 0; i < count; i++) {
        op.run();
      }
    }
  }
}
