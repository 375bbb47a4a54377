package dev.ppml.jobs;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package directions of DESIGN.md §2:
 *
 * <pre>
 * attestation &lt;- key-service-client &lt;- flink-ppml-connector &lt;- flink-ppml-jobs
 *                      ^                                         /   |    |
 *                kbs-dev-broker &lt;------------------------------'    |    |
 * flink-ppml-oss-fs (depends on no other module) &lt;------------------'    |
 * oss-dev-server (depends on no other module) &lt;----------------------------'
 * </pre>
 *
 * with attestation, the key-service client, the broker and the OSS test server free of Flink, no
 * HTTP server in the client, the file system and the connector blind to the OSS test server, and
 * jobs that know nothing of the command line. Lives here because this module sees every other
 * module's main classes.
 */
class ArchitectureTest {

    /** The package of module oss-dev-server. */
    private static final String OSS_TEST_SERVER = "dev.ppml.oss.testing..";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        // test-jars of other modules (test servers, fakes) are not main code
                        .withImportOption(location -> !location.contains("-tests.jar"))
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
                        "dev.ppml.broker..",
                        "dev.ppml.oss..",
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
                .resideInAnyPackage(
                        "org.apache.flink..",
                        "dev.ppml.broker..",
                        "dev.ppml.oss..",
                        "dev.ppml.connector..",
                        "dev.ppml.jobs..")
                .check(classes);
    }

    @Test
    void keyServiceClientHoldsNoHttpServer() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.keys..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.sun.net.httpserver..", "javax.net.ssl.SSLServerSocket..")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.net.ServerSocket")
                .check(classes);
    }

    @Test
    void theDevelopmentBrokerIsFreeOfFlinkAndOfTheConnector() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.broker..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.flink..",
                        "dev.ppml.oss..",
                        "dev.ppml.connector..",
                        "dev.ppml.jobs..")
                .check(classes);
    }

    @Test
    void theOssFileSystemDependsOnNoOtherModule() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.oss..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.ppml.attestation..",
                        "dev.ppml.keys..",
                        "dev.ppml.broker..",
                        "dev.ppml.connector..",
                        "dev.ppml.jobs..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.oss..")
                .and()
                .resideOutsideOfPackage(OSS_TEST_SERVER)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(OSS_TEST_SERVER)
                .check(classes);
    }

    @Test
    void theOssTestServerIsFreeOfFlinkAndOfTheFileSystemItServes() {
        noClasses()
                .that()
                .resideInAPackage(OSS_TEST_SERVER)
                .should()
                .dependOnClassesThat(
                        resideInAnyPackage("org.apache.flink..", "dev.ppml..")
                                .and(resideOutsideOfPackage(OSS_TEST_SERVER)))
                .check(classes);
    }

    @Test
    void theConnectorDependsNeitherOnTheFileSystemNorOnTheJobsNorOnTheBroker() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.connector..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.ppml.oss..", "dev.ppml.broker..", "dev.ppml.jobs..")
                .check(classes);
    }

    @Test
    void theFileFormatKnowsNothingOfSinksSourcesAndTables() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.connector.format..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.ppml.connector.sink..",
                        "dev.ppml.connector.source..",
                        "dev.ppml.connector.table..")
                .check(classes);
    }

    @Test
    void jobsKnowNothingOfTheCommandLine() {
        noClasses()
                .that()
                .resideInAPackage("dev.ppml.jobs..")
                .and()
                .resideOutsideOfPackage("dev.ppml.jobs.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.ppml.jobs.cli..", "picocli..")
                .check(classes);
    }

    @Test
    void theRulesSeeEveryModule() {
        // Guards against the rules passing vacuously because a module's classes were not found.
        assertThat(classes)
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.attestation"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.keys"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.broker"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.oss.writer"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.connector.keys"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.jobs.demo"))
                .anyMatch(c -> c.getPackageName().startsWith("dev.ppml.jobs.cli"));
        assertThat(classes.contain("dev.ppml.broker.DevKeyBroker")).isTrue();
        assertThat(classes.contain("dev.ppml.oss.testing.OssTestServer")).isTrue();
    }
}
