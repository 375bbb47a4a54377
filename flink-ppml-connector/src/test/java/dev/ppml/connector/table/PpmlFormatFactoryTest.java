package dev.ppml.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ppml.connector.keys.KeyServiceConfigOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;

/** Bad or missing {@code ppml.*} options fail at planning time, naming the option key. */
class PpmlFormatFactoryTest {

    private static final String BASE =
            "'connector'='filesystem','path'='file:///tmp/ppml-never-written','format'='ppml'";

    @Test
    void missingKeyUri() {
        assertPlanningFails("'ppml.format'='csv'", "Missing required option 'ppml.key-uri'");
    }

    @Test
    void missingInnerFormat() {
        assertPlanningFails(
                "'ppml.key-uri'='local:/tmp/k.json'", "Missing required option 'ppml.format'");
    }

    @Test
    void unknownKeyUriScheme() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='vault://x'",
                "'ppml.key-uri': key URI 'vault://x' has unknown scheme 'vault'");
    }

    @Test
    void unknownPpmlOption() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='local:/tmp/k.json','ppml.keyuri'='x'",
                "Unsupported options for format 'ppml': [ppml.keyuri]");
    }

    @Test
    void unknownInnerFormat() {
        assertPlanningFails(
                "'ppml.format'='parquetish','ppml.key-uri'='local:/tmp/k.json'",
                "Invalid value for 'ppml.format': 'parquetish' is not an available line format");
    }

    @Test
    void unknownInnerOption() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='local:/tmp/k.json',"
                        + "'ppml.csv.field-delimeter'=';'",
                "Unsupported options for the inner format 'csv': [ppml.csv.field-delimeter]");
    }

    @Test
    void badStreamingParameters() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='local:/tmp/k.json',"
                        + "'ppml.streaming-parameters'='AES999'",
                "AES999");
    }

    @Test
    void kbsKeyWithoutAnEvidenceProviderFailsAtPlanning() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='kbs://127.0.0.1:8080/default/key/k'",
                "set key-service option 'kbs.tee'");
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='kbs://127.0.0.1:8080/default/key/k',"
                        + "'ppml.key-service.kbs.tee'='magic'",
                "unknown TEE 'magic'");
    }

    @Test
    void keyServiceOptionsAreTypedAndNamedInErrors() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='local:/tmp/k.json',"
                        + "'ppml.key-service.cache-ttl'='soon'",
                "key-service option 'ppml.key-service.cache-ttl' has value 'soon', which is not a"
                        + " duration");
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='local:/tmp/k.json',"
                        + "'ppml.key-service.kbs.tea'='tdx'",
                "unknown key-service option(s) [ppml.key-service.kbs.tea]");
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='kbs://kbs.example:8080/default/key/k',"
                        + "'ppml.key-service.kbs.tee'='sample',"
                        + "'ppml.key-service.kbs.plaintext-http'='true'",
                "Invalid value for 'ppml.key-service.kbs.plaintext-http'");
    }

    @Test
    void everyKeyServiceOptionIsListedAsAnOptionalOption() {
        assertThat(new PpmlFormatFactory().optionalOptions())
                .containsAll(KeyServiceConfigOptions.ALL);
    }

    @Test
    void headerOnlyWithCsv() {
        assertPlanningFails(
                "'ppml.format'='json','ppml.key-uri'='local:/tmp/k.json','ppml.header'='true'",
                "'ppml.header' = 'true' is supported only with 'ppml.format' = 'csv'");
    }

    @Test
    void aCsvQuoteCharacterThatCannotEndRecordsIsNamed() {
        assertPlanningFails(
                "'ppml.format'='csv','ppml.key-uri'='local:/tmp/k.json',"
                        + "'ppml.csv.quote-character'='«'",
                "Invalid value for 'ppml.csv.quote-character': the CSV quote character must be"
                        + " ASCII");
    }

    @Test
    void validOptionsPlanWithoutTouchingTheKey() {
        // The keystore does not exist: planning must not unlock keys.
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.executeSql(
                "CREATE TABLE t (a STRING) WITH ("
                        + BASE
                        + ",'ppml.format'='csv','ppml.key-uri'='local:/nonexistent/k.json')");
        assertThat(tEnv.explainSql("INSERT INTO t SELECT a FROM t")).contains("t");
    }

    private static void assertPlanningFails(String ppmlOptions, String expectedMessage) {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.executeSql("CREATE TABLE t (a STRING) WITH (" + BASE + "," + ppmlOptions + ")");
        Throwable t = catchThrowable(() -> tEnv.explainSql("INSERT INTO t SELECT a FROM t"));
        assertThat(t).isNotNull();
        assertThat(ExceptionUtils.stringifyException(t)).contains(expectedMessage);
    }
}
