package org.reschat.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, checked on the compiled classes of every module (this module's
 * test classpath holds them all), so a fully qualified name in the middle of a method counts as much as an
 * import: cli → local-db → reschat-core → kv-adapter, cli → config; the core never touches HTTP, SQLite or
 * the terminal, and no lower module reaches up.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.reschat");
  }

  @Test
  void everyModuleIsImportedSoNoRuleHoldsByHavingNothingToCheck() {
    for (String module : new String[] {"org.reschat.kv.KvStore", "org.reschat.core.ChatClient",
        "org.reschat.localdb.Profile", "org.reschat.config.Settings", "org.reschat.cli.Cli"}) {
      org.assertj.core.api.Assertions.assertThat(main.contain(module)).as(module).isTrue();
    }
  }

  @Test
  void theKeyValueLibraryDependsOnNothingOfResChat() {
    noClasses().that().resideInAPackage("org.reschat.kv..")
        .should().dependOnClassesThat().resideInAnyPackage("org.reschat.core..", "org.reschat.localdb..",
            "org.reschat.config..", "org.reschat.cli..")
        .check(main);
  }

  @Test
  void theCoreUsesNeitherHttpNorSqliteNorTheTerminalNorAnyStoreButTheInterface() {
    noClasses().that().resideInAPackage("org.reschat.core..")
        .should().dependOnClassesThat().resideInAnyPackage("okhttp3..", "okio..", "org.sqlite..", "java.sql..",
            "picocli..", "org.jline..", "me.tongfei..", "org.reschat.kv.resilientdb..", "org.reschat.kv.embedded..",
            "org.reschat.kv.etcd..", "org.reschat.localdb..", "org.reschat.config..", "org.reschat.cli..")
        .check(main);
  }

  @Test
  void configAndTheProfileNeverReachUp() {
    noClasses().that().resideInAPackage("org.reschat.config..")
        .should().dependOnClassesThat().resideInAnyPackage("org.reschat.kv..", "org.reschat.core..",
            "org.reschat.localdb..", "org.reschat.cli..")
        .check(main);
    noClasses().that().resideInAPackage("org.reschat.localdb..")
        .should().dependOnClassesThat().resideInAnyPackage("org.reschat.cli..", "org.reschat.config..", "picocli..",
            "org.jline..")
        .check(main);
  }

  /** libsignal-client is a yardstick in the benchmarks module (issue 24); the product never loads it. */
  @Test
  void noModuleOfTheProductUsesLibsignal() {
    noClasses().that().resideInAPackage("org.reschat..")
        .should().dependOnClassesThat().resideInAnyPackage("org.signal..")
        .check(main);
  }
}
