package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.local.LocalKeystore;
import dev.ppml.keys.testing.LocalKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PpmlFilesTest {

    @TempDir Path dir;
    private MasterKey key;

    @BeforeEach
    void setUp() throws Exception {
        KeyServices.invalidateAll();
        key = MasterKey.of(LocalKeys.create(dir, "master"));
    }

    @Test
    void roundTripsAndHidesPlaintext() throws Exception {
        byte[] plaintext = randomText(3 * 4096 + 17);
        byte[] file = encrypt(plaintext, StreamingParameters.AES256_GCM_HKDF_4KB);

        assertThat(decrypt(file, key)).isEqualTo(plaintext);
        assertThat(new String(file, StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(plaintext, 0, 64, StandardCharsets.ISO_8859_1));
        PpmlFileHeader header = PpmlFiles.readHeader(new ByteArrayInputStream(file), "f");
        assertThat(header.keyUri()).isEqualTo(key.keyUri().toString());
        assertThat(header.streaming()).isEqualTo(StreamingParameters.AES256_GCM_HKDF_4KB);
        assertThat(header.innerFormat()).isEqualTo("test");
        assertThat(header.fileId()).hasSize(16);
    }

    @Test
    void emptyPlaintextRoundTrips() throws Exception {
        assertThat(decrypt(encrypt(new byte[0], StreamingParameters.DEFAULT), key)).isEmpty();
    }

    @Test
    void everyFileGetsAFreshDataKeyAndId() throws Exception {
        byte[] plaintext = randomText(1000);
        byte[] a = encrypt(plaintext, StreamingParameters.DEFAULT);
        byte[] b = encrypt(plaintext, StreamingParameters.DEFAULT);
        PpmlFileHeader ha = PpmlFiles.readHeader(new ByteArrayInputStream(a), "a");
        PpmlFileHeader hb = PpmlFiles.readHeader(new ByteArrayInputStream(b), "b");

        assertThat(ha.fileId()).isNotEqualTo(hb.fileId());
        assertThat(ha.encryptedDataKey()).isNotEqualTo(hb.encryptedDataKey());
        assertThat(Arrays.copyOfRange(a, a.length - 1000, a.length))
                .isNotEqualTo(Arrays.copyOfRange(b, b.length - 1000, b.length));
    }

    @Test
    void everySingleFlippedByteFailsNamingTheFile() throws Exception {
        byte[] file = encrypt(randomText(2 * 4096 + 100), StreamingParameters.AES256_GCM_HKDF_4KB);
        for (int i = 0; i < file.length; i += (i < 600 ? 1 : 97)) {
            byte[] damaged = file.clone();
            damaged[i] ^= 0x01;
            int offset = i;
            assertThatThrownBy(() -> decrypt(damaged, key))
                    .as("flip at offset %d", offset)
                    .isInstanceOf(PpmlFormatException.class)
                    .hasMessageContaining("people-0.ppml");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 4096, 4096 + 40})
    void truncationFails(int cut) throws Exception {
        byte[] file = encrypt(randomText(3 * 4096), StreamingParameters.AES256_GCM_HKDF_4KB);
        byte[] truncated = Arrays.copyOf(file, file.length - cut);
        assertThatThrownBy(() -> decrypt(truncated, key))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("people-0.ppml")
                .hasMessageContaining("authentication");
    }

    @Test
    void appendedBytesFail() throws Exception {
        byte[] file = encrypt(randomText(5000), StreamingParameters.AES256_GCM_HKDF_4KB);
        byte[] longer = Arrays.copyOf(file, file.length + 1);
        assertThatThrownBy(() -> decrypt(longer, key)).isInstanceOf(PpmlFormatException.class);
    }

    @Test
    void editedHeaderFieldFailsAuthentication() throws Exception {
        byte[] file = encrypt(randomText(100), StreamingParameters.DEFAULT);
        String text = new String(file, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"innerFormat\":\"test\"") + "\"innerFormat\":\"".length();
        byte[] edited = file.clone();
        edited[at] = 'b'; // "test" -> "best": still valid JSON of the same length
        assertThatThrownBy(() -> decrypt(edited, key))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("authentication of file people-0.ppml failed");
    }

    @Test
    void fileFromAnotherMasterKeyUnderTheSameUriFails() throws Exception {
        byte[] file = encrypt(randomText(100), StreamingParameters.DEFAULT);
        LocalKeystore.create(KeyUri.parse(key.keyUri().toString()), true);
        KeyServices.invalidateAll();
        assertThatThrownBy(() -> decrypt(file, key))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("cannot unwrap the data key of file people-0.ppml")
                .hasMessageContaining("different master key");
    }

    @Test
    void fileOfAnotherKeyUriIsRejectedBeforeUnlocking() throws Exception {
        byte[] file = encrypt(randomText(100), StreamingParameters.DEFAULT);
        MasterKey other = MasterKey.of(LocalKeys.create(dir, "other"));
        assertThatThrownBy(() -> decrypt(file, other))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("was encrypted under master key '" + key.keyUri())
                .hasMessageContaining("configured with '" + other.keyUri());
    }

    @Test
    void unknownVersionIsRejectedClearly() throws Exception {
        byte[] file = encrypt(randomText(10), StreamingParameters.DEFAULT);
        file[4] = 3;
        assertThatThrownBy(() -> decrypt(file, key))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("ppml format version 3")
                .hasMessageContaining("supports versions 1 to 2");
    }

    @Test
    void plaintextInputIsNotMistakenForPpml() {
        byte[] csv = "name,age,job\nann,31,Developer\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> decrypt(csv, key))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("is not a ppml file");
        assertThatThrownBy(() -> decrypt(new byte[3], key))
                .hasMessageContaining("shorter than the 9-byte ppml prefix");
    }

    @Test
    void verifyReportsPlaintextLength() throws Exception {
        byte[] file = encrypt(randomText(12345), StreamingParameters.AES256_GCM_HKDF_4KB);
        assertThat(PpmlFiles.verify(new ByteArrayInputStream(file), key, "f")).isEqualTo(12345);
    }

    @Test
    void readErrorsOfTheFileAreNotReportedAsTampering() throws Exception {
        byte[] file = encrypt(randomText(10000), StreamingParameters.AES256_GCM_HKDF_4KB);
        InputStream failing =
                new ByteArrayInputStream(file) {
                    private int served;

                    @Override
                    public synchronized int read(byte[] b, int off, int len) {
                        if (served > 2000) {
                            throw new UncheckedIOException(new IOException("disk gone"));
                        }
                        int n = super.read(b, off, Math.min(len, 500));
                        served += Math.max(n, 0);
                        return n;
                    }
                };
        InputStream wrapped =
                new FilterInputStream(failing) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        try {
                            return super.read(b, off, len);
                        } catch (UncheckedIOException e) {
                            throw e.getCause();
                        }
                    }
                };
        assertThatThrownBy(() -> PpmlFiles.decrypt(wrapped, key, "f.ppml").readAllBytes())
                .isNotInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("reading file f.ppml failed")
                .hasMessageContaining("disk gone");
    }

    private byte[] encrypt(byte[] plaintext, StreamingParameters params) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = PpmlFiles.encrypt(out, key, params, "test")) {
            enc.write(plaintext);
        }
        return out.toByteArray();
    }

    private static byte[] decrypt(byte[] file, MasterKey key) throws IOException {
        try (InputStream in =
                PpmlFiles.decrypt(new ByteArrayInputStream(file), key, "people-0.ppml")) {
            return in.readAllBytes();
        }
    }

    private static byte[] randomText(int n) {
        Random random = new Random(n);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + random.nextInt(26));
        }
        return b;
    }
}
