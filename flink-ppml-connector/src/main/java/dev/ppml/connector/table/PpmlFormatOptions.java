package dev.ppml.connector.table;

import dev.ppml.connector.format.StreamingParameters;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the {@code ppml} format for the {@code filesystem} connector. In DDL each key carries
 * the {@code ppml.} prefix; the inner line format's own options carry {@code ppml.<inner>.}, e.g.
 * {@code 'ppml.csv.field-delimiter' = ';'}.
 */
@PublicEvolving
public final class PpmlFormatOptions {
    private PpmlFormatOptions() {}

    public static final ConfigOption<String> FORMAT =
            ConfigOptions.key("format")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The inner line format of the plaintext, e.g. 'csv', 'json' or 'raw':"
                                    + " any format usable as a serialization/deserialization"
                                    + " format. Its options are given as 'ppml.<format>.<option>'.");

    public static final ConfigOption<String> KEY_URI =
            ConfigOptions.key("key-uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The master key that wraps each file's data key, e.g."
                                    + " 'local:/path/keyset.json',"
                                    + " 'kbs://host:port/repo/type/tag' or 'cdh://repo/type/tag'.");

    public static final ConfigOption<StreamingParameters> STREAMING_PARAMETERS =
            ConfigOptions.key("streaming-parameters")
                    .enumType(StreamingParameters.class)
                    .defaultValue(StreamingParameters.DEFAULT)
                    .withDescription(
                            "The Tink streaming AEAD preset of new files. Readers take it from"
                                    + " each file's header.");

    public static final ConfigOption<Boolean> HEADER =
            ConfigOptions.key("header")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Whether every file starts with a header line of column names"
                                    + " (csv only): written on write, skipped on read.");

    public static final ConfigOption<Boolean> VERIFY_BEFORE_READ =
            ConfigOptions.key("verify-before-read")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether to authenticate a whole file before emitting its first"
                                    + " record, so no record of a damaged file is ever emitted."
                                    + " The file is read from storage once, into memory or a"
                                    + " local spool sealed under a key that exists only in the"
                                    + " reader, and decoded from there.");

    public static final ConfigOption<String> TABLE_ID =
            ConfigOptions.key("table-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Binds files to a table. Writers put the id into every new file's"
                                    + " authenticated header; readers refuse any file whose"
                                    + " header names another table, or none. Unset: files are"
                                    + " written unbound and read whatever table they name.");
}
