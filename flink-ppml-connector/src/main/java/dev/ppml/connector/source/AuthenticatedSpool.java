package dev.ppml.connector.source;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import dev.ppml.keys.KeyServices;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plaintext of one ppml file, read from storage exactly once and fully authenticated before
 * anything of it is decoded: what {@code verify-before-read} decodes is, byte for byte, what it
 * authenticated, whatever the storage serves to a later read.
 *
 * <p>Up to {@link #MEMORY_LIMIT} bytes stay on the heap (which, in a TD, is encrypted memory like
 * the records themselves). Beyond that the plaintext goes to a file in one of the TaskManager's
 * {@code io.tmp.dirs}, encrypted and authenticated with a streaming AEAD key that is generated for
 * this spool, lives only in this object and is never written anywhere: someone who can read or
 * change the local disk learns nothing of the plaintext, and a change makes the read fail. The file
 * is owner-only and deleted on {@link #close()}; if the process dies first, what is left is
 * ciphertext under a key that no longer exists.
 */
@Internal
final class AuthenticatedSpool implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticatedSpool.class);

    /** Plaintext up to this size is held in memory instead of a local file. */
    static final int MEMORY_LIMIT = 4 << 20;

    private static final int COPY_BUFFER = 64 * 1024;

    /**
     * What a spill copies at a time: room for a whole 1 MiB segment, so that the file's segments
     * are decrypted straight into it and the spool's are encrypted straight from it.
     */
    private static final int SPILL_BUFFER = 1 << 20;

    private final String fileName;
    private final byte[] memory;
    private final int memoryLength;
    private final Path spoolFile;
    private final StreamingAead aead;
    private final byte[] associatedData;
    private final long length;

    private AuthenticatedSpool(
            String fileName,
            byte[] memory,
            int memoryLength,
            Path spoolFile,
            StreamingAead aead,
            byte[] associatedData,
            long length) {
        this.fileName = fileName;
        this.memory = memory;
        this.memoryLength = memoryLength;
        this.spoolFile = spoolFile;
        this.aead = aead;
        this.associatedData = associatedData;
        this.length = length;
    }

    /**
     * Reads {@code plaintext} to its end (authenticating every segment, as the ppml stream does)
     * and keeps it. Closes {@code plaintext}. On any failure nothing is kept and the exception of
     * the ppml stream, naming the file, is thrown.
     *
     * @param tmpDir where a plaintext larger than {@link #MEMORY_LIMIT} is spooled, sealed
     */
    static AuthenticatedSpool fill(InputStream plaintext, Path tmpDir, String fileName)
            throws IOException {
        try (InputStream in = plaintext) {
            byte[] memory = new byte[Math.min(COPY_BUFFER, MEMORY_LIMIT)];
            int memoryLength = 0;
            // fill the memory buffer, growing it up to the limit
            while (true) {
                if (memoryLength == memory.length) {
                    if (memory.length == MEMORY_LIMIT) {
                        break;
                    }
                    memory = Arrays.copyOf(memory, Math.min(memory.length * 2, MEMORY_LIMIT));
                }
                int n = in.read(memory, memoryLength, memory.length - memoryLength);
                if (n < 0) {
                    return new AuthenticatedSpool(
                            fileName, memory, memoryLength, null, null, null, memoryLength);
                }
                memoryLength += n;
            }
            return spill(in, memory, tmpDir, fileName);
        }
    }

    private static AuthenticatedSpool spill(
            InputStream in, byte[] head, Path tmpDir, String fileName) throws IOException {
        KeyServices.registerTink();
        StreamingAead aead;
        try {
            aead =
                    KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES128_GCM_HKDF_1MB)
                            .getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create the key of a local read spool", e);
        }
        Path file = createOwnerOnly(tmpDir);
        byte[] associatedData = file.toString().getBytes(StandardCharsets.UTF_8);
        boolean complete = false;
        try {
            long length = head.length;
            try (OutputStream raw = Files.newOutputStream(file, StandardOpenOption.WRITE);
                    OutputStream out = aead.newEncryptingStream(raw, associatedData)) {
                out.write(head);
                byte[] buffer = new byte[SPILL_BUFFER];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    length += n;
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot seal the local read spool " + file, e);
            }
            complete = true;
            LOG.debug("Spooled {} plaintext bytes of {} to {}", length, fileName, file);
            return new AuthenticatedSpool(fileName, null, 0, file, aead, associatedData, length);
        } finally {
            if (!complete) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static Path createOwnerOnly(Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path file = tmpDir.resolve("ppml-read-spool-" + UUID.randomUUID());
        try {
            return Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("local read spool " + file + " exists already", e);
        }
    }

    /** The number of plaintext bytes held. */
    long length() {
        return length;
    }

    /** Whether the plaintext went to a local file (false: held in memory). */
    boolean spilled() {
        return spoolFile != null;
    }

    /** The plaintext, from its start; a change to the local spool file fails the read. */
    InputStream open() throws IOException {
        if (spoolFile == null) {
            return new ByteArrayInputStream(memory, 0, memoryLength);
        }
        InputStream raw = Files.newInputStream(spoolFile);
        try {
            return new SpoolInputStream(aead.newDecryptingStream(raw, associatedData));
        } catch (GeneralSecurityException | IOException e) {
            raw.close();
            throw tampered(e);
        }
    }

    private IOException tampered(Exception e) {
        return new IOException(
                String.format(
                        "the local read spool %s of file %s failed authentication: something"
                                + " changed it on the local disk after the file was authenticated"
                                + " (%s). Check who else can write to io.tmp.dirs.",
                        spoolFile, fileName, e.getClass().getSimpleName()));
    }

    /** Deletes the local spool file, if any. */
    @Override
    public void close() throws IOException {
        if (spoolFile != null) {
            Files.deleteIfExists(spoolFile);
        }
    }

    /** Reports Tink's bare failures on the spool as what they are. */
    private final class SpoolInputStream extends FilterInputStream {
        SpoolInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw tampered(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw tampered(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw tampered(e);
            }
        }
    }
}
