package dev.ppml.connector.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The header of a ppml file, format versions 1 and 2 (the header is the same; the versions differ
 * in the body, see {@link SegmentLayout}):
 *
 * <pre>
 * "PPML" (4 bytes) | version u8 (1 or 2) | header length u32 BE | header (UTF-8 JSON)
 * </pre>
 *
 * <p>The JSON holds the master key URI, the per-file data keyset encrypted with the master key's
 * AEAD (Tink encrypted keyset, associated data = the file id), the streaming AEAD preset, a random
 * 16-byte file id, the inner format name (informational), the creation time and, when the writer
 * was given one, the id of the table the file belongs to ({@code tableId}; absent in files written
 * without one and by earlier releases, which readers of this release still accept). The exact bytes
 * of the whole prefix are the associated data of the body's streaming AEAD, so editing any header
 * byte, the table id included, makes the body fail authentication.
 */
@Internal
public final class PpmlFileHeader {

    static final byte[] MAGIC = {'P', 'P', 'M', 'L'};

    /** The version written: 2, whose body's segments end with record-mark trailers. */
    static final int VERSION = 2;

    /** The oldest version read: 1, the same header before a body without trailers. */
    static final int OLDEST_VERSION = 1;

    /** Headers are small; anything larger is corruption, not a header. */
    static final int MAX_HEADER_LENGTH = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String keyUri;
    private final byte[] encryptedDataKey;
    private final StreamingParameters streaming;
    private final byte[] fileId;
    private final String innerFormat;
    private final Instant createdAt;
    @Nullable private final String tableId;
    private final int version;

    PpmlFileHeader(
            int version,
            String keyUri,
            byte[] encryptedDataKey,
            StreamingParameters streaming,
            byte[] fileId,
            String innerFormat,
            Instant createdAt,
            @Nullable String tableId) {
        this.keyUri = keyUri;
        this.encryptedDataKey = encryptedDataKey.clone();
        this.streaming = streaming;
        this.fileId = fileId.clone();
        this.innerFormat = innerFormat;
        this.createdAt = createdAt;
        this.tableId = tableId;
        this.version = version;
    }

    /**
     * The file's format version: 2 (segments end with record-mark trailers, so the file can be
     * split) or 1 (written by earlier releases; read whole).
     */
    public int version() {
        return version;
    }

    public String keyUri() {
        return keyUri;
    }

    byte[] encryptedDataKey() {
        return encryptedDataKey.clone();
    }

    public StreamingParameters streaming() {
        return streaming;
    }

    public byte[] fileId() {
        return fileId.clone();
    }

    public String innerFormat() {
        return innerFormat;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The table the writer bound this file to, or empty if it was written without one. */
    public Optional<String> tableId() {
        return Optional.ofNullable(tableId);
    }

    /** The file id as 32 lowercase hex digits, as the header stores it. */
    public String fileIdHex() {
        return HexFormat.of().formatHex(fileId);
    }

    /** The full prefix (magic, version, length, JSON): written before the body and its AAD. */
    byte[] toBytes() {
        ObjectNode node = JSON.createObjectNode();
        node.put("keyUri", keyUri);
        node.put("dataKey", Base64.getEncoder().encodeToString(encryptedDataKey));
        node.put("streaming", streaming.name());
        node.put("fileId", HexFormat.of().formatHex(fileId));
        node.put("innerFormat", innerFormat);
        node.put("createdAt", createdAt.toString());
        if (tableId != null) {
            node.put("tableId", tableId);
        }
        byte[] json = node.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 9);
        out.writeBytes(MAGIC);
        out.write(version);
        out.writeBytes(ByteBuffer.allocate(4).putInt(json.length).array());
        out.writeBytes(json);
        return out.toByteArray();
    }

    /** A header and the exact prefix bytes it was parsed from. */
    static final class Parsed {
        final PpmlFileHeader header;
        final byte[] prefix;

        Parsed(PpmlFileHeader header, byte[] prefix) {
            this.header = header;
            this.prefix = prefix;
        }
    }

    /** Reads and parses the prefix of {@code in}; {@code fileName} is used in error messages. */
    static Parsed read(InputStream in, String fileName) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] fixed = new byte[9];
        try {
            data.readFully(fixed);
        } catch (EOFException e) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s is not a ppml file: it is shorter than the 9-byte ppml prefix",
                            fileName));
        }
        if (!Arrays.equals(Arrays.copyOf(fixed, 4), MAGIC)) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s is not a ppml file: it does not start with the magic bytes"
                                    + " 'PPML' (plaintext or another format in the input path?)",
                            fileName));
        }
        int version = fixed[4] & 0xff;
        if (version < OLDEST_VERSION || version > VERSION) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s has ppml format version %d; this reader supports versions"
                                    + " %d to %d. Read it with the flink-ppml release that wrote it"
                                    + " or a newer one.",
                            fileName, version, OLDEST_VERSION, VERSION));
        }
        int length = ByteBuffer.wrap(fixed, 5, 4).getInt();
        if (length <= 0 || length > MAX_HEADER_LENGTH) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s has a corrupt ppml header: header length %d is outside"
                                    + " 1..%d",
                            fileName, length & 0xffffffffL, MAX_HEADER_LENGTH));
        }
        byte[] json = new byte[length];
        try {
            data.readFully(json);
        } catch (EOFException e) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s is truncated: its ppml header needs %d bytes",
                            fileName, length));
        }
        PpmlFileHeader header;
        try {
            JsonNode node = JSON.readTree(json);
            header =
                    new PpmlFileHeader(
                            version,
                            text(node, "keyUri"),
                            Base64.getDecoder().decode(text(node, "dataKey")),
                            StreamingParameters.fromName(text(node, "streaming")),
                            HexFormat.of().parseHex(text(node, "fileId")),
                            text(node, "innerFormat"),
                            Instant.parse(text(node, "createdAt")),
                            optionalText(node, "tableId"));
        } catch (IOException | RuntimeException e) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s has a corrupt ppml header (%s)", fileName, e.getMessage()));
        }
        byte[] prefix = new byte[fixed.length + json.length];
        System.arraycopy(fixed, 0, prefix, 0, fixed.length);
        System.arraycopy(json, 0, prefix, fixed.length, json.length);
        return new Parsed(header, prefix);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value.asText();
    }

    @Nullable
    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is not a string");
        }
        return value.asText();
    }

    @Override
    public String toString() {
        return "PpmlFileHeader{version="
                + version
                + ", keyUri="
                + keyUri
                + ", streaming="
                + streaming
                + ", fileId="
                + HexFormat.of().formatHex(fileId)
                + ", innerFormat="
                + innerFormat
                + ", createdAt="
                + createdAt
                + (tableId == null ? "" : ", tableId=" + tableId)
                + "}";
    }
}
