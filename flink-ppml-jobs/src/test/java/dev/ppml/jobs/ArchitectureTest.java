package dev.ppml.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one direction of dependencies of DESIGN.md §2: attestation <- key-service-client <-
 * flink-ppml-connector <- flink-ppml-jobs, with attestation and key-service-client free of Flink.
 * Lives here because this module sees every other module's classes.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.ppml");
    }

    @Test
    void attestationDependsOnNoOtherModuleAndNotOnFlink() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.attestation..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.flink..",
                        "dev.ppml.keys..",
                        "dev.ppml.connector..",
                        "dev.ppml.jobs..")
                .check(classes);
    }

    @Test
    void keyServiceClientDependsOnlyOnAttestationAndNotOnFlink() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.keys..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "dev.ppml.connector..", "dev.ppml.jobs..")
                .check(classes);
    }

    @Test
    void connectorDoesNotDependOnJobs() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.connector..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.ppml.jobs..")
                .check(classes);
    }

    @Test
    void theRulesSeeEveryModule() {
        // Guards against the rules passing vacuously because a module's classes were not found.
        org.assertj.core.api.Assertions.assertThat(classes)
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.attestation"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.keys"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.connector"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.jobs"));
    }
}
