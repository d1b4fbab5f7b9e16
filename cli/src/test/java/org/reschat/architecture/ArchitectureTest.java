package org.reschat.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
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

  /** The packages an application uses: the API, the SPI it implements, and the public-protocol features. */
  static final String[] API = {"org.reschat.core", "org.reschat.core.spi", "org.reschat.core.identity",
      "org.reschat.core.channel", "org.reschat.core.directory"};

  @Test
  void theApiNeverMentionsTheEngineSoNoApiPathLeadsToItsKeys() {
    classes().that().resideInAnyPackage(API).and().arePublic()
        .should(new ArchCondition<JavaClass>("mention no org.reschat.core.internal type in a public signature") {
          @Override
          public void check(JavaClass c, ConditionEvents events) {
            for (JavaCodeUnit u : c.getCodeUnits()) {
              if (!u.getModifiers().contains(JavaModifier.PUBLIC) && !u.getModifiers().contains(JavaModifier.PROTECTED)) {
                continue;
              }
              java.util.Set<JavaClass> used = new java.util.HashSet<>(u.getReturnType().getAllInvolvedRawTypes());
              u.getParameterTypes().forEach(t -> used.addAll(t.getAllInvolvedRawTypes()));
              u.getThrowsClause().getTypes().forEach(used::add);
              report(events, c, u.getFullName(), used);
            }
            for (JavaField f : c.getFields()) {
              if (f.getModifiers().contains(JavaModifier.PUBLIC)) {
                report(events, c, f.getFullName(), f.getType().getAllInvolvedRawTypes());
              }
            }
          }

          private void report(ConditionEvents events, JavaClass c, String member, java.util.Set<JavaClass> used) {
            for (JavaClass t : used) {
              if (t.getPackageName().startsWith("org.reschat.core.internal")) {
                events.add(SimpleConditionEvent.violated(c, member + " mentions " + t.getName()));
              }
            }
          }
        })
        .check(main);
  }

  /**
   * Outside the core, nothing reaches into the engine but what is named here, each for a reason: the bench
   * and the benchmarks measure the engine's parts, the demo shows what the ledger holds, and the profile on
   * disk shares the engine's strict JSON, base64url and hash, and checks that a stored value is a sealed
   * page, so a damaged file is refused as the engine would refuse it.
   */
  @Test
  void outsideTheCoreOnlyNamedClassesReachIntoTheEngine() {
    noClasses().that().resideOutsideOfPackages("org.reschat.core..", "org.reschat.cli.bench..", "org.reschat.benchmarks..")
        .and().doNotHaveFullyQualifiedName("org.reschat.cli.commands.DemoCommand")
        .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe("in the engine, except shared encodings",
            (JavaClass t) -> t.getPackageName().startsWith("org.reschat.core.internal")
                && !java.util.Set.of("org.reschat.core.internal.json.StrictJson", "org.reschat.core.internal.crypto.Base64Url",
                    "org.reschat.core.internal.crypto.Sha", "org.reschat.core.internal.page.Envelope",
                    "org.reschat.core.internal.page.PageFormatException").contains(t.getName())))
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
