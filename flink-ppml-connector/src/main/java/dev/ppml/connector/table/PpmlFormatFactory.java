package dev.ppml.connector.table;

import static dev.ppml.connector.keys.KeyServiceConfigOptions.KEY_SERVICE;
import static dev.ppml.connector.table.PpmlFormatOptions.FORMAT;
import static dev.ppml.connector.table.PpmlFormatOptions.HEADER;
import static dev.ppml.connector.table.PpmlFormatOptions.KEY_URI;
import static dev.ppml.connector.table.PpmlFormatOptions.STREAMING_PARAMETERS;
import static dev.ppml.connector.table.PpmlFormatOptions.TABLE_ID;
import static dev.ppml.connector.table.PpmlFormatOptions.VERIFY_BEFORE_READ;

import dev.ppml.connector.format.CsvRecordReader;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.format.RecordDecoders;
import dev.ppml.connector.format.RecordEncoder;
import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.KeyServiceConfigOptions;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptingBulkWriterFactory;
import dev.ppml.connector.source.DecryptingBulkFormat;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyServiceOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.table.factories.BulkReaderFormatFactory;
import org.apache.flink.connector.file.table.factories.BulkWriterFormatFactory;
import org.apache.flink.connector.file.table.format.BulkDecodingFormat;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.Factory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code ppml} format for the {@code filesystem} connector: files encrypted with a fresh data
 * key each, whose plaintext is an inner format: csv records (RFC 4180, so quoted fields may hold
 * line breaks), json lines, raw, ....
 *
 * <pre>{@code
 * CREATE TABLE people (name STRING, age INT, job STRING) WITH (
 *   'connector' = 'filesystem',
 *   'path' = 'file:///data/people-enc',
 *   'format' = 'ppml',
 *   'ppml.format' = 'csv',
 *   'ppml.key-uri' = 'local:/secrets/dev.keyset.json',
 *   'ppml.header' = 'true'
 * )
 * }</pre>
 *
 * <p>Key-service options (how TaskManagers attest to unlock the key, {@link
 * KeyServiceConfigOptions}) come from the session configuration's {@code ppml.key-service.*} keys,
 * overridden per table by {@code 'ppml.key-service.<option>'} in the table's options.
 *
 * <p>All options are validated when the table is planned: missing or unknown {@code ppml.*} keys,
 * an unknown inner format or its invalid options, and a malformed key URI fail with a message
 * naming the key. No key is unlocked during planning.
 */
@Internal
public final class PpmlFormatFactory implements BulkReaderFormatFactory, BulkWriterFormatFactory {

    public static final String IDENTIFIER = "ppml";
    private static final String PREFIX = IDENTIFIER + ".";

    // Flink's csv options (flink-csv's CsvFormatOptions) that decide where a record ends; mirrored
    // here so that this factory loads without flink-csv, which only tables whose inner format is
    // csv need (CsvFileDecoder).
    private static final ConfigOption<Boolean> CSV_DISABLE_QUOTE_CHARACTER =
            ConfigOptions.key("disable-quote-character").booleanType().defaultValue(false);
    private static final ConfigOption<String> CSV_QUOTE_CHARACTER =
            ConfigOptions.key("quote-character").stringType().defaultValue("\"");
    private static final ConfigOption<String> CSV_ESCAPE_CHARACTER =
            ConfigOptions.key("escape-character").stringType().noDefaultValue();
    private static final ConfigOption<Boolean> CSV_ALLOW_COMMENTS =
            ConfigOptions.key("allow-comments").booleanType().defaultValue(false);

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(FORMAT, KEY_URI);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new HashSet<>(KeyServiceConfigOptions.ALL);
        options.addAll(Set.of(STREAMING_PARAMETERS, HEADER, VERIFY_BEFORE_READ, TABLE_ID));
        return options;
    }

    @Override
    public BulkDecodingFormat<RowData> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        Settings settings = Settings.resolve(context, formatOptions, this);
        DeserializationFormatFactory innerFactory =
                settings.discoverInner(context, DeserializationFormatFactory.class);
        settings.validateInnerOptions(innerFactory);
        DecodingFormat<DeserializationSchema<RowData>> inner =
                innerFactory.createDecodingFormat(context, settings.innerOptions());
        CsvRecordReader.Syntax csvSyntax =
                "csv".equals(settings.innerFormat) ? settings.csvSyntax() : null;
        return new BulkDecodingFormat<>() {
            @Override
            public BulkFormat<RowData, FileSourceSplit> createRuntimeDecoder(
                    DynamicTableSource.Context sourceContext, DataType physicalDataType) {
                // csv: one streaming parser per file, as Flink's csv file format reads plain
                // files; other formats: one record per line through the inner deserializer
                RecordDecoder<RowData> decoder =
                        csvSyntax != null
                                ? CsvFileDecoder.create(
                                        (RowType) physicalDataType.getLogicalType(),
                                        settings.innerOptionMap,
                                        settings.header,
                                        csvSyntax,
                                        sourceContext.createTypeInformation(physicalDataType))
                                : RecordDecoders.lines(
                                        inner.createRuntimeDecoder(sourceContext, physicalDataType),
                                        settings.header ? 1 : 0);
                return new DecryptingBulkFormat<>(
                        settings.masterKey, decoder, settings.verifyBeforeRead, settings.tableId);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    @Override
    public EncodingFormat<BulkWriter.Factory<RowData>> createEncodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        Settings settings = Settings.resolve(context, formatOptions, this);
        SerializationFormatFactory innerFactory =
                settings.discoverInner(context, SerializationFormatFactory.class);
        settings.validateInnerOptions(innerFactory);
        EncodingFormat<SerializationSchema<RowData>> inner =
                innerFactory.createEncodingFormat(context, settings.innerOptions());
        // Flink's csv file writer writes the very lines of its serialization schema, but through
        // one generator per file instead of a generator and a byte array per record.
        EncodingFormat<BulkWriter.Factory<RowData>> innerFileWriter =
                "csv".equals(settings.innerFormat)
                        ? settings.discoverInner(context, BulkWriterFormatFactory.class)
                                .createEncodingFormat(context, settings.innerOptions())
                        : null;
        return new EncodingFormat<>() {
            @Override
            public BulkWriter.Factory<RowData> createRuntimeEncoder(
                    DynamicTableSink.Context sinkContext, DataType physicalDataType) {
                String headerLine =
                        settings.header
                                ? String.join(
                                        settings.csvDelimiter(),
                                        DataType.getFieldNames(physicalDataType))
                                : null;
                RecordEncoder<RowData> encoder =
                        innerFileWriter != null
                                ? RecordEncoders.fromBulkWriter(
                                        innerFileWriter.createRuntimeEncoder(
                                                sinkContext, physicalDataType),
                                        headerLine,
                                        settings.innerFormat)
                                : RecordEncoders.lines(
                                        inner.createRuntimeEncoder(sinkContext, physicalDataType),
                                        headerLine,
                                        settings.innerFormat);
                return new EncryptingBulkWriterFactory<>(
                        settings.masterKey, settings.streaming, encoder, settings.tableId);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    /** The validated settings of one table's ppml format. */
    private static final class Settings {
        final String innerFormat;
        final MasterKey masterKey;
        final StreamingParameters streaming;
        final boolean header;
        final boolean verifyBeforeRead;
        @Nullable final String tableId;

        /** Every option under {@code ppml.<inner>.}, with that prefix removed. */
        final Map<String, String> innerOptionMap;

        private Settings(
                String innerFormat,
                MasterKey masterKey,
                StreamingParameters streaming,
                boolean header,
                boolean verifyBeforeRead,
                @Nullable String tableId,
                Map<String, String> innerOptionMap) {
            this.innerFormat = innerFormat;
            this.masterKey = masterKey;
            this.streaming = streaming;
            this.header = header;
            this.verifyBeforeRead = verifyBeforeRead;
            this.tableId = tableId;
            this.innerOptionMap = innerOptionMap;
        }

        static Settings resolve(
                DynamicTableFactory.Context context,
                ReadableConfig formatOptions,
                PpmlFormatFactory factory) {
            String innerFormat = required(formatOptions, FORMAT);
            String keyUri = required(formatOptions, KEY_URI);
            StreamingParameters streaming;
            boolean header;
            boolean verify;
            try {
                streaming = formatOptions.get(STREAMING_PARAMETERS);
                header = formatOptions.get(HEADER);
                verify = formatOptions.get(VERIFY_BEFORE_READ);
            } catch (IllegalArgumentException e) {
                throw new ValidationException(
                        "Invalid value for a '" + PREFIX + "*' option: " + e.getMessage(), e);
            }
            if (header && !"csv".equals(innerFormat)) {
                throw new ValidationException(
                        String.format(
                                "'%s' = 'true' is supported only with '%s' = 'csv', not '%s'",
                                key(HEADER), key(FORMAT), innerFormat));
            }

            String innerPrefix = innerFormat + ".";
            Set<String> ownKeys =
                    Stream.concat(
                                    factory.requiredOptions().stream(),
                                    factory.optionalOptions().stream())
                            .map(ConfigOption::key)
                            .filter(k -> !k.startsWith(KEY_SERVICE))
                            .collect(Collectors.toSet());
            Map<String, String> innerOptions = new HashMap<>();
            // the session's ppml.key-service.* options, overridden by the table's
            Map<String, String> keyService = new HashMap<>();
            context.getConfiguration()
                    .toMap()
                    .forEach(
                            (k, v) -> {
                                if (k.startsWith(PREFIX + KEY_SERVICE)) {
                                    keyService.put(k.substring(PREFIX.length()), v);
                                }
                            });
            Set<String> unknown = new TreeSet<>();
            for (Map.Entry<String, String> e : context.getCatalogTable().getOptions().entrySet()) {
                if (!e.getKey().startsWith(PREFIX)) {
                    continue;
                }
                String k = e.getKey().substring(PREFIX.length());
                if (k.startsWith(innerPrefix)) {
                    innerOptions.put(k.substring(innerPrefix.length()), e.getValue());
                } else if (k.startsWith(KEY_SERVICE)) {
                    keyService.put(k, e.getValue());
                } else if (!ownKeys.contains(k)) {
                    unknown.add(e.getKey());
                }
            }
            if (!unknown.isEmpty()) {
                throw new ValidationException(
                        String.format(
                                "Unsupported options for format 'ppml': %s. Supported: %s; options"
                                        + " of the inner format go under '%s%s', key-service"
                                        + " options under 'ppml.key-service.'.",
                                unknown,
                                ownKeys.stream().map(k -> PREFIX + k).sorted().toList(),
                                PREFIX,
                                innerPrefix));
            }
            KeyServiceOptions keyServiceOptions;
            try {
                keyServiceOptions = KeyServiceConfigOptions.toKeyServiceOptions(keyService);
            } catch (IllegalArgumentException e) {
                throw new ValidationException(e.getMessage());
            }
            MasterKey masterKey;
            try {
                masterKey = MasterKey.of(keyUri, keyServiceOptions);
            } catch (IllegalArgumentException e) {
                // name the option at fault: the key URI, or one of the key-service options
                String option =
                        e.getCause() instanceof InvalidKeyReferenceException
                                ? ((InvalidKeyReferenceException) e.getCause())
                                        .option()
                                        .map(o -> PREFIX + KEY_SERVICE + o)
                                        .orElse(key(KEY_URI))
                                : key(KEY_URI);
                String message =
                        e.getCause() instanceof InvalidKeyReferenceException
                                ? e.getCause().getMessage()
                                : e.getMessage();
                throw new ValidationException(
                        String.format("Invalid value for '%s': %s", option, message));
            }
            String tableId = formatOptions.getOptional(TABLE_ID).orElse(null);
            if (tableId != null && tableId.isBlank()) {
                throw new ValidationException(
                        String.format(
                                "'%s' is blank: give the table's id, or leave the option out for"
                                        + " files not bound to a table",
                                key(TABLE_ID)));
            }
            return new Settings(
                    innerFormat, masterKey, streaming, header, verify, tableId, innerOptions);
        }

        <F extends Factory> F discoverInner(DynamicTableFactory.Context context, Class<F> type) {
            try {
                return FactoryUtil.discoverFactory(context.getClassLoader(), type, innerFormat);
            } catch (ValidationException e) {
                throw new ValidationException(
                        String.format(
                                "Invalid value for '%s': '%s' is not an available line format"
                                        + " (%s)",
                                key(FORMAT), innerFormat, e.getMessage()),
                        e);
            }
        }

        void validateInnerOptions(Factory innerFactory) {
            Set<String> allowed = new TreeSet<>();
            Stream.concat(
                            innerFactory.requiredOptions().stream(),
                            innerFactory.optionalOptions().stream())
                    .forEach(
                            o -> {
                                allowed.add(o.key());
                                for (FallbackKey f : o.fallbackKeys()) {
                                    allowed.add(f.getKey());
                                }
                            });
            Set<String> unknown = new TreeSet<>(innerOptionMap.keySet());
            unknown.removeAll(allowed);
            if (!unknown.isEmpty()) {
                String p = PREFIX + innerFormat + ".";
                throw new ValidationException(
                        String.format(
                                "Unsupported options for the inner format '%s': %s. Supported: %s",
                                innerFormat,
                                unknown.stream().map(k -> p + k).toList(),
                                allowed.stream().map(k -> p + k).toList()));
            }
            try {
                FactoryUtil.validateFactoryOptions(innerFactory, innerOptions());
            } catch (ValidationException e) {
                throw new ValidationException(
                        String.format(
                                "Invalid options for the inner format '%s' (keys under '%s%s.'): %s",
                                innerFormat, PREFIX, innerFormat, e.getMessage()),
                        e);
            }
        }

        Configuration innerOptions() {
            return Configuration.fromMap(innerOptionMap);
        }

        String csvDelimiter() {
            return innerOptionMap.getOrDefault("field-delimiter", ",");
        }

        /**
         * Where the inner csv format's records end: its quote, escape and comment options, which
         * Flink's csv factory has validated already (one character each).
         */
        CsvRecordReader.Syntax csvSyntax() {
            Configuration csv = innerOptions();
            CsvRecordReader.Syntax syntax = CsvRecordReader.Syntax.RFC_4180;
            try {
                if (csv.get(CSV_DISABLE_QUOTE_CHARACTER)) {
                    syntax = syntax.withoutQuote();
                } else {
                    syntax = syntax.withQuote(csv.get(CSV_QUOTE_CHARACTER).charAt(0));
                }
            } catch (IllegalArgumentException e) {
                throw invalidCsvOption(CSV_QUOTE_CHARACTER, e);
            }
            try {
                Optional<String> escape = csv.getOptional(CSV_ESCAPE_CHARACTER);
                if (escape.isPresent()) {
                    syntax = syntax.withEscape(escape.get().charAt(0));
                }
            } catch (IllegalArgumentException e) {
                throw invalidCsvOption(CSV_ESCAPE_CHARACTER, e);
            }
            return csv.get(CSV_ALLOW_COMMENTS) ? syntax.withComments() : syntax;
        }

        private static ValidationException invalidCsvOption(
                ConfigOption<?> option, IllegalArgumentException e) {
            return new ValidationException(
                    String.format(
                            "Invalid value for '%scsv.%s': %s",
                            PREFIX, option.key(), e.getMessage()));
        }

        private static String required(ReadableConfig options, ConfigOption<String> option) {
            return options.getOptional(option)
                    .filter(v -> !v.isBlank())
                    .orElseThrow(
                            () ->
                                    new ValidationException(
                                            String.format(
                                                    "Missing required option '%s' for format"
                                                            + " 'ppml': %s",
                                                    key(option), option.description())));
        }

        private static String key(ConfigOption<?> option) {
            return PREFIX + option.key();
        }
    }
}
